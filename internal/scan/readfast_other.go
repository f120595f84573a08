//go:build !unix

package scan

// readFast has no shortcut outside Unix: the caller reads through os.
func readFast(string) ([]byte, bool) { return nil, false }

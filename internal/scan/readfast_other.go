//go:build !unix

package scan

// readFast has no shortcut outside Unix: the caller reads through os.
func readFast(job, *[]byte) ([]byte, bool) { return nil, false }

// dirRef is not used outside Unix.
type dirRef struct{}

func openDir(string) *dirRef { return nil }
func (d *dirRef) hold()      {}
func (d *dirRef) release()   {}

// openNonblock: outside Unix there are no FIFOs to wait on.
const openNonblock = 0

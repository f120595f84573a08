//go:build !unix

package pgserver

// On systems without Unix signals the last resort is pg_ctl's immediate
// stop alone.
func alive(int) bool { return false }

func killGroup(int) {}

//go:build unix

package app

import (
	"os"
	"syscall"
)

// keepOwner gives f the owner of old. It needs the right to give files
// away; without it the restored file is the caller's, as any edit by the
// caller would make it, and that is not an error.
func keepOwner(f *os.File, old os.FileInfo) {
	if sys, ok := old.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(sys.Uid), int(sys.Gid))
	}
}

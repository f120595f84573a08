//go:build unix

package store

import (
	"os"
	"syscall"
)

// LockFile takes an exclusive advisory lock on f, released when f is
// closed (or its process dies).
func LockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

//go:build !unix

package store

import (
	"errors"
	"os"
)

// LockFile is unsupported here: the witness and the SQLite migration lock
// need flock.
func LockFile(f *os.File) error {
	return errors.New("file locks are not supported on this system")
}

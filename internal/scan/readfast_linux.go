package scan

import "syscall"

// openJob opens a job's file, relative to its folder when the walk opened
// that.
func openJob(j job) (int, error) {
	if j.dir != nil {
		return syscall.Openat(j.dir.fd, j.name, syscall.O_RDONLY|syscall.O_CLOEXEC|openNonblock, 0)
	}
	return syscall.Open(j.abs, syscall.O_RDONLY|syscall.O_CLOEXEC|openNonblock, 0)
}

// openDir opens folder abs for readFast, holding one reference for the
// walk; nil when it cannot (readFast then opens files by path).
func openDir(abs string) *dirRef {
	fd, err := syscall.Open(abs, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	d := &dirRef{fd: fd}
	d.refs.Store(1)
	return d
}

//go:build unix && !linux

package scan

import "syscall"

// openJob opens a job's file by its path: the syscall package has no
// openat outside Linux.
func openJob(j job) (int, error) {
	return syscall.Open(j.abs, syscall.O_RDONLY|syscall.O_CLOEXEC|openNonblock, 0)
}

// openDir opens nothing outside Linux: files are opened by path.
func openDir(string) *dirRef { return nil }

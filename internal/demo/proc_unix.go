//go:build unix

package demo

import "syscall"

// alive reports whether a process of that pid exists.
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// killGroup kills the process group led by pid, and pid itself.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

//go:build unix

package pgserver

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// alive reports whether a process of that pid runs. A zombie does not:
// the postmaster's parent (pg_ctl) is gone, and until init reaps it —
// which some inits do only now and then — it still answers kill 0.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc here: kill 0 is all there is
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		switch stat[i+2] {
		case 'Z', 'X':
			return false
		}
	}
	return true
}

// killGroup kills the process group led by pid, and pid itself.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

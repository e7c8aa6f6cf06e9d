//go:build unix

package main

import "syscall"

// openFileLimit is the process's limit of open files (Go raises the soft limit to the
// hard one at start).
func openFileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<24 {
		return 1 << 14
	}
	return int(r.Cur)
}

//go:build unix

package botstest

import (
	"syscall"
	"time"
)

// SelfCPU is the CPU time this process has used, user and system, for benchmarks
// that report it a request (see cmd/crowdbot-load, which does the same).
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !unix

package botstest

import "time"

// SelfCPU is unknown here: 0, and the benchmarks report no CPU a request.
func SelfCPU() time.Duration { return 0 }

//go:build !unix

package main

import "time"

// selfCPU is unknown here: the client's own CPU is not reported.
func selfCPU() time.Duration { return 0 }

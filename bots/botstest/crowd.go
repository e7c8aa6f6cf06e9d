package botstest

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Crowd calls press for 1 to n from clients goroutines at once, each taking the next
// number when its press is done, as a crowd of clients would, and fails tb when a
// press fails (press returns false, having said why). The benchmarks use it to make
// members known before their clock starts.
func Crowd(tb testing.TB, clients, n int, press func(n int) bool) {
	tb.Helper()
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1))
				if i > n {
					return
				}
				if !press(i) {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		tb.FailNow()
	}
}

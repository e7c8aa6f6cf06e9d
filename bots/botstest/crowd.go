package botstest

import (
	"context"
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

// MemberCount is the number of members a burst benchmark started with (Members).
type MemberCount struct {
	h *Harness
	n int64
}

// Members counts the members in h's database, before a burst.
func Members(tb testing.TB, h *Harness) MemberCount {
	tb.Helper()
	n, err := h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM members")
	if err != nil {
		tb.Fatal(err)
	}
	return MemberCount{h: h, n: n}
}

// Check fails tb unless the burst of presses since Members made one member a press
// (first, a crowd the bot had never seen) or none (a crowd it knew).
func (c MemberCount) Check(tb testing.TB, first bool, presses int64) {
	tb.Helper()
	now := Members(tb, c.h).n
	want := c.n
	if first {
		want += presses
	}
	if now != want {
		tb.Fatalf("%d members after %d presses of a crowd (first time: %v), from %d; want %d", now, presses, first, c.n, want)
	}
}

// Burst runs a benchmark's b.N presses, numbered from 1, on its clock: from 32 clients
// (16 a core, on the benchmarks' two), each sending its next press once the last is
// answered, as a crowd does. A press that fails (press returns false, having said
// why) stops its client. It reports the presses a second as unit and returns how
// many presses were sent.
func Burst(b *testing.B, unit string, press func(n int64) bool) int64 {
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !press(next.Add(1)) {
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	return next.Load()
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"crowdbot/core"
)

var ctx = context.Background()

// waitPending waits until n requests are queued behind the running batches.
func waitPending[Req, Res any](b *batcher[Req, Res], n int) {
	for {
		b.mu.Lock()
		got := len(b.pending)
		b.mu.Unlock()
		if got >= n {
			return
		}
		runtime.Gosched()
	}
}

// TestBatcherGathers holds the first batch until every other request is queued: they
// all go in the next batch, and each caller gets its own result.
func TestBatcherGathers(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	b := newBatcher(1, 100, func(_ context.Context, reqs []int) ([]int, error) {
		mu.Lock()
		first := len(sizes) == 0
		sizes = append(sizes, len(reqs))
		mu.Unlock()
		if first {
			<-release
		}
		out := make([]int, len(reqs))
		for i, r := range reqs {
			out[i] = r * 2
		}
		return out, nil
	})
	const n = 50
	var wg sync.WaitGroup
	results := make([]int, n)
	wg.Go(func() { results[0], _ = b.do(ctx, 0) })
	for {
		mu.Lock()
		started := len(sizes) == 1
		mu.Unlock()
		if started {
			break
		}
		runtime.Gosched()
	}
	for i := 1; i < n; i++ {
		wg.Go(func() {
			res, err := b.do(ctx, i)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	waitPending(b, n-1)
	close(release)
	wg.Wait()
	for i, r := range results {
		if r != 2*i {
			t.Errorf("request %d got %d", i, r)
		}
	}
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != n-1 {
		t.Errorf("batch sizes %v, want [1 %d]", sizes, n-1)
	}
	// the flush that answered them ends once it finds nothing left, and leaves
	// nothing behind
	for {
		b.mu.Lock()
		flushing, pending, keys := b.flushing, len(b.pending), len(b.inFlight)
		b.mu.Unlock()
		if pending != 0 || keys != 0 {
			t.Fatalf("left behind: %d pending, %d keys", pending, keys)
		}
		if flushing == 0 {
			break
		}
		runtime.Gosched()
	}
}

// TestBatcherKeysAndLimits has a crowd of requests on a few keys: no batch holds a
// key twice, no key is in two running batches, no more batches run than allowed,
// none is larger than allowed, and every request is answered once.
func TestBatcherKeysAndLimits(t *testing.T) {
	const flushes, size, requests, keys = 3, 7, 2000, 10
	var mu sync.Mutex
	running := map[string]bool{}
	active, most, answered := 0, 0, 0
	b := newBatcher(flushes, size, func(_ context.Context, reqs []string) ([]string, error) {
		mu.Lock()
		active++
		most = max(most, active)
		if len(reqs) > size {
			t.Errorf("batch of %d", len(reqs))
		}
		for _, k := range reqs {
			if running[k] {
				t.Errorf("key %s in two batches at once, or twice in one", k)
			}
			running[k] = true
		}
		mu.Unlock()
		runtime.Gosched()
		mu.Lock()
		for _, k := range reqs {
			delete(running, k)
		}
		active--
		answered += len(reqs)
		mu.Unlock()
		return reqs, nil
	})
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			k := fmt.Sprint("k", i%keys)
			if got, err := b.do(ctx, k, k); got != k || err != nil {
				t.Errorf("request %d: %q, %v", i, got, err)
			}
		})
	}
	wg.Wait()
	if most > flushes {
		t.Errorf("%d batches ran at once, at most %d allowed", most, flushes)
	}
	if answered != requests {
		t.Errorf("%d requests run, want %d", answered, requests)
	}
}

// TestBatcherErrors gives the error of a batch to every request in it, and refuses a
// batch that answered the wrong number of requests.
func TestBatcherErrors(t *testing.T) {
	boom := errors.New("boom")
	b := newBatcher(1, 10, func(_ context.Context, reqs []int) ([]int, error) {
		if reqs[0] < 0 {
			return nil, boom
		}
		return []int{1, 2}, nil
	})
	if _, err := b.do(ctx, -1); !errors.Is(err, boom) {
		t.Errorf("failed batch: %v", err)
	}
	if _, err := b.do(ctx, 1); err == nil {
		t.Error("a batch of 1 answered twice was taken")
	}
}

// TestBatcherDeadline: a caller whose deadline passes is answered at once, told its
// request is unavailable (not lost: it may yet be done); one still queued is taken
// out and never runs, one already in a batch is left to it.
func TestBatcherDeadline(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var ran []int
	b := newBatcher(1, 1, func(_ context.Context, reqs []int) ([]int, error) {
		<-release
		mu.Lock()
		ran = append(ran, reqs...)
		mu.Unlock()
		return reqs, nil
	})
	inBatch, cancelIn := context.WithCancel(ctx)
	queued, cancelQueued := context.WithCancel(ctx)
	errs := make(chan error, 2)
	go func() { _, err := b.do(inBatch, 1); errs <- err }()
	for {
		b.mu.Lock()
		taken := len(b.inFlight) == 0 && b.flushing == 1 && len(b.pending) == 0
		b.mu.Unlock()
		if taken {
			break
		}
		runtime.Gosched()
	}
	go func() { _, err := b.do(queued, 2); errs <- err }()
	waitPending(b, 1)
	cancelQueued()
	cancelIn()
	for range 2 {
		if err := <-errs; core.ErrorCode(err) != core.EUNAVAILABLE {
			t.Fatalf("a caller past its deadline: %v, want unavailable", err)
		}
	}
	close(release)
	if got, err := b.do(ctx, 3); got != 3 || err != nil {
		t.Fatalf("next request: %d %v", got, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(ran, []int{1, 3}) {
		t.Fatalf("ran %v: the request in its batch runs, the queued one that gave up does not", ran)
	}
}

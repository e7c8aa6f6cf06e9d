package botstest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestSyncBuffer: writers on many goroutines and a reader at the same time lose no
// line (run with -race, it also shows they do not race).
func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				fmt.Fprintf(&b, "w%d line %d\n", i, j)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 8*50 {
		t.Errorf("%d lines, want %d", n, 8*50)
	}
	if !strings.Contains(b.String(), "w7 line 49\n") {
		t.Error("a line is missing")
	}
}

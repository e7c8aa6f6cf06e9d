package core

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSleep: Sleep returns nil once d has passed, at once for a d of zero or less,
// and the context's error as soon as the context ends, however long d is.
func TestSleep(t *testing.T) {
	ctx := context.Background()
	if err := Sleep(ctx, time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
	if err := Sleep(ctx, 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := Sleep(ctx, -time.Hour); err != nil {
		t.Errorf("Sleep(-1h) = %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := Sleep(done, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) on an ended context = %v", err)
	}
	waiting, stop := context.WithCancel(ctx)
	go stop()
	if err := Sleep(waiting, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(1h) cancelled = %v", err)
	}
}

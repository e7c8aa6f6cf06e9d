package telegram

import (
	"context"
	"time"
)

// SetClock replaces the bot's clock: now tells the time, sleep waits (or pretends to).
func (b *Adapter) SetClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) {
	if now != nil {
		b.now = now
	}
	if sleep != nil {
		b.sleep = sleep
	}
}

package bots

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter bounds each member's submissions with a token bucket per member. It lives
// in one process: with several replicas each applies its own budget.
type limiter struct {
	mu      sync.Mutex
	perMin  int
	buckets map[int64]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMin: perMinute, buckets: map[int64]*bucket{}}
}

// allow reports whether the member may submit now, spending one token if so.
func (l *limiter) allow(memberID int64, now time.Time) bool {
	if l.perMin <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > 10*time.Minute {
		// forget idle members so the map does not grow without end
		for id, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, id)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[memberID]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMin)), l.perMin)}
		l.buckets[memberID] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

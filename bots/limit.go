package bots

import (
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter bounds each member's submissions with a token bucket per member. It lives
// in one process: with several replicas each applies its own budget. A command
// identified later (Spec.Later) is counted by the member's platform identity, in a
// bucket of its own.
type limiter struct {
	mu      sync.Mutex
	perMin  int
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMin: perMinute, buckets: map[string]*bucket{}}
}

// allow reports whether the member may submit now, spending one token if so.
func (l *limiter) allow(memberID int64, now time.Time) bool {
	if l.perMin <= 0 {
		return true
	}
	return l.take("id:"+strconv.FormatInt(memberID, 10), now)
}

// allowRef is allow for a member not looked up yet, by "platform:external id".
func (l *limiter) allowRef(who string, now time.Time) bool {
	if l.perMin <= 0 {
		return true
	}
	return l.take("ref:"+who, now)
}

// take spends one token of key's bucket if it has one.
func (l *limiter) take(key string, now time.Time) bool {
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
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMin)), l.perMin)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

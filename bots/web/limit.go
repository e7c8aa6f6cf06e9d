package web

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// How fast the admin token may be guessed. Each client (an IPv4 address, an IPv6
// /64) has ten wrong tries, then one more every clientEvery; all clients together
// have a hundred, then a hundred a minute. Only wrong tries count: a right token
// gives its try back.
const (
	clientBurst = 10
	clientEvery = 20 * time.Second
	globalBurst = 100
	globalEvery = time.Minute / 100
	// maxClients bounds the clients remembered; past it the one idle longest is
	// forgotten (it starts again with ten tries, and the global limit still holds).
	maxClients = 10000
)

// guessLimiter slows guessing of a secret down per client, with a limit over all
// clients as a backstop against a guess spread over many addresses. A client
// whose own tries are used up does not spend the global ones, so one client alone
// cannot lock the others out.
type guessLimiter struct {
	burst  int
	every  time.Duration
	max    int
	global *rate.Limiter

	mu      sync.Mutex
	clients map[string]*list.Element // of *clientLimit
	idle    *list.List               // most recently seen first
}

// clientLimit is one client's tries.
type clientLimit struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

// newGuessLimiter returns a limiter allowing burst tries per client and one more
// every every, within globalBurst tries overall and one more every globalEvery, and
// remembering at most max clients.
func newGuessLimiter(burst int, every time.Duration, gBurst int, gEvery time.Duration, max int) *guessLimiter {
	return &guessLimiter{
		burst: burst, every: every, max: max,
		global:  rate.NewLimiter(rate.Every(gEvery), gBurst),
		clients: map[string]*list.Element{},
		idle:    list.New(),
	}
}

// guess is a try taken from the limits; a try that turns out right is given back.
type guess struct {
	now            time.Time
	client, global *rate.Reservation
}

// right gives the try back: only wrong tries count.
func (g *guess) right() {
	g.client.CancelAt(g.now)
	g.global.CancelAt(g.now)
}

// try takes a try for the client at now, or reports false when the client or all
// clients together have used theirs up.
func (l *guessLimiter) try(client string, now time.Time) (*guess, bool) {
	c := l.client(client, now)
	cr := c.ReserveN(now, 1)
	if !cr.OK() || cr.DelayFrom(now) > 0 {
		cr.CancelAt(now)
		return nil, false
	}
	gr := l.global.ReserveN(now, 1)
	if !gr.OK() || gr.DelayFrom(now) > 0 {
		gr.CancelAt(now)
		cr.CancelAt(now)
		return nil, false
	}
	return &guess{now: now, client: cr, global: gr}, true
}

// client returns the client's limiter, forgetting clients idle long enough to have
// all their tries back (forgetting them changes nothing) and, past the bound, the
// one idle longest.
func (l *guessLimiter) client(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	refilled := now.Add(-time.Duration(l.burst) * l.every)
	for e := l.idle.Back(); e != nil && e.Value.(*clientLimit).seen.Before(refilled); e = l.idle.Back() {
		l.forget(e)
	}
	if e, ok := l.clients[key]; ok {
		c := e.Value.(*clientLimit)
		if now.After(c.seen) {
			c.seen = now
		}
		l.idle.MoveToFront(e)
		return c.lim
	}
	for l.idle.Len() >= l.max {
		l.forget(l.idle.Back())
	}
	c := &clientLimit{key: key, lim: rate.NewLimiter(rate.Every(l.every), l.burst), seen: now}
	l.clients[key] = l.idle.PushFront(c)
	return c.lim
}

func (l *guessLimiter) forget(e *list.Element) {
	delete(l.clients, e.Value.(*clientLimit).key)
	l.idle.Remove(e)
}

// remembered is how many clients the limiter keeps.
func (l *guessLimiter) remembered() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

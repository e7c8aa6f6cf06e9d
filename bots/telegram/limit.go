package telegram

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"crowdbot/bots"
)

// Limits bound the messages the bot sends, after Telegram's advice: about 30 a
// second in all, one a second in a chat (short bursts pass), 20 a minute in a group.
// Each is a token bucket: a burst, then a steady rate.
type Limits struct {
	Global       rate.Limit
	GlobalBurst  int
	PerChat      rate.Limit
	PerChatBurst int
	// PerGroup applies to groups and channels (negative chat ids) on top of PerChat.
	PerGroup      rate.Limit
	PerGroupBurst int
}

// DefaultLimits are Telegram's published limits.
func DefaultLimits() Limits {
	return Limits{
		Global: 30, GlobalBurst: 30,
		PerChat: 1, PerChatBurst: 3,
		// a burst of 5 then one each 4s: never more than 20 in any minute
		PerGroup: rate.Every(4 * time.Second), PerGroupBurst: 5,
	}
}

// NoLimits lets everything through at once, for tests against a fake server.
func NoLimits() Limits {
	return Limits{Global: rate.Inf, GlobalBurst: 1, PerChat: rate.Inf, PerChatBurst: 1, PerGroup: rate.Inf, PerGroupBurst: 1}
}

// limits books outgoing messages against the global, per-chat and per-group
// budgets, and remembers the chats Telegram asked to wait for.
type limits struct {
	cfg    Limits
	global *rate.Limiter
	mu     sync.Mutex
	chats  map[int64]*chatLimit
	sweep  time.Time
}

type chatLimit struct {
	chat, group *rate.Limiter
	blocked     time.Time // Telegram's retry_after ends then
	seen        time.Time
}

func newLimits(cfg Limits) *limits {
	return &limits{cfg: cfg, global: rate.NewLimiter(cfg.Global, max(cfg.GlobalBurst, 1)), chats: map[int64]*chatLimit{}}
}

// reserve books one message to a chat at now and returns how long to wait before
// sending it.
func (l *limits) reserve(chat int64, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.chat(chat, now)
	var wait time.Duration
	if c.blocked.After(now) {
		wait = c.blocked.Sub(now)
	}
	book := func(lim *rate.Limiter) {
		at := now.Add(wait)
		wait += lim.ReserveN(at, 1).DelayFrom(at)
	}
	book(c.chat)
	if c.group != nil {
		book(c.group)
	}
	book(l.global)
	return wait
}

// take books one message to a chat at now only when every budget has room for it
// at once, and reports whether it did: for sends that are worth making only when
// they cost no wait (a shared card brought up to date after a press).
func (l *limits) take(chat int64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.chat(chat, now)
	if c.blocked.After(now) || c.chat.TokensAt(now) < 1 || l.global.TokensAt(now) < 1 || c.group != nil && c.group.TokensAt(now) < 1 {
		return false
	}
	c.chat.AllowN(now, 1)
	if c.group != nil {
		c.group.AllowN(now, 1)
	}
	l.global.AllowN(now, 1)
	return true
}

// blocked returns how long Telegram asked not to send to a chat, from now.
func (l *limits) blocked(chat int64, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.chats[chat]; ok && c.blocked.After(now) {
		return c.blocked.Sub(now)
	}
	return 0
}

// block records that Telegram asked not to send to a chat before until.
func (l *limits) block(chat int64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.chat(chat, until)
	if until.After(c.blocked) {
		c.blocked = until
	}
}

// chat returns a chat's budget; l.mu is held.
func (l *limits) chat(id int64, now time.Time) *chatLimit {
	if now.Sub(l.sweep) > 10*time.Minute {
		// forget quiet chats so the map does not grow without end
		for k, c := range l.chats {
			if now.Sub(c.seen) > 10*time.Minute && !c.blocked.After(now) {
				delete(l.chats, k)
			}
		}
		l.sweep = now
	}
	c, ok := l.chats[id]
	if !ok {
		c = &chatLimit{chat: rate.NewLimiter(l.cfg.PerChat, max(l.cfg.PerChatBurst, 1))}
		if id < 0 {
			c.group = rate.NewLimiter(l.cfg.PerGroup, max(l.cfg.PerGroupBurst, 1))
		}
		l.chats[id] = c
	}
	c.seen = now
	return c
}

// maxAttempts bounds the tries of one call.
const maxAttempts = 4

// do makes a Bot API call to a chat (0 for calls that send nothing to a chat) within
// the rate limits. When Telegram answers 429 it waits the retry_after it gives, up to
// maxWait (past that it returns a *bots.RateLimitError); a 5xx or a failed connection
// is tried again with a growing pause; other errors are returned as they are.
func (b *Adapter) do(ctx context.Context, chat int64, maxWait time.Duration, call func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		if chat != 0 {
			if d := b.limits.blocked(chat, b.now()); d > maxWait {
				return &bots.RateLimitError{RetryAfter: d}
			}
			if d := b.limits.reserve(chat, b.now()); d > 0 {
				if err := b.sleep(ctx, d); err != nil {
					return err
				}
			}
		}
		err := call(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var ae *Error
		isAPI := errors.As(err, &ae)
		switch {
		case isAPI && (ae.Status == 429 || ae.RetryAfter > 0):
			wait := max(ae.RetryAfter, time.Second)
			if chat != 0 {
				b.limits.block(chat, b.now().Add(wait))
			}
			if wait > maxWait || attempt >= maxAttempts {
				return &bots.RateLimitError{RetryAfter: wait}
			}
			b.log.Warn("rate limited by Telegram", "method", ae.Method, "chat", chat, "retry_after", wait)
			if err := b.sleep(ctx, wait); err != nil {
				return err
			}
		case (!isAPI || ae.Status >= 500) && attempt < maxAttempts:
			if err := b.sleep(ctx, backoff(attempt, 10*time.Second)); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// backoff is the pause before try n+1: doubling from half a second, with jitter, up
// to ceiling.
func backoff(n int, ceiling time.Duration) time.Duration {
	d := 500 * time.Millisecond << min(n-1, 10)
	d = min(d, ceiling)
	return d/2 + rand.N(d/2+1)
}

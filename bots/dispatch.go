package bots

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"crowdbot/core"
)

// Pace is how fast the dispatcher posts on one platform.
type Pace struct {
	// PerDestination is the least time between two posts to one channel or member. It
	// holds across replicas: a destination's next row is not claimed until its last
	// post is this old.
	PerDestination time.Duration
	// Every is the least time between two posts on the platform from this process.
	Every time.Duration
}

// DefaultPace follows the platforms' documented limits. Telegram: about 20 messages
// a minute in a group (so one every 3 s per chat; private chats allow one a second)
// and about 30 a second overall. Discord: 5 messages per 5 s per channel and 50
// requests a second per bot. The adapters keep their own limits too, and 429s are
// honoured whatever the pace.
func DefaultPace(p core.Platform) Pace {
	switch p {
	case core.Telegram:
		return Pace{PerDestination: 3 * time.Second, Every: time.Second / 30}
	case core.Discord:
		return Pace{PerDestination: time.Second, Every: time.Second / 50}
	}
	return Pace{PerDestination: time.Second, Every: time.Second / 10}
}

// DispatcherOptions configure a Dispatcher. Zero values take the defaults.
type DispatcherOptions struct {
	Outbox  core.OutboxStore
	Router  *Router // renders each row with Router.Card
	Posters []Poster
	// Clock reads the time for claims, pacing and retries; the system clock if nil.
	Clock core.Clock
	// Sleep waits d or until ctx ends, for pacing; a timer if nil. Tests with a fake
	// clock advance it instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Paces override DefaultPace per platform.
	Paces map[core.Platform]Pace
	// Lease is how long a claimed row is reserved for this dispatcher (2 minutes). A
	// post gets half of it; a row whose lease ran out is claimed again.
	Lease time.Duration
	// Batch is how many rows one claim takes per platform (20).
	Batch int
	// Workers is how many posts go out at once, to different destinations (4).
	Workers int
	// MaxAttempts is how many failed tries park a row (8).
	MaxAttempts int
	// Idle is how long Run waits when there is nothing to post (1 s).
	Idle    time.Duration
	Logger  *slog.Logger
	Metrics *Metrics
}

// Dispatcher delivers the outbox: it claims due rows, renders each with the Router,
// posts it through the Poster of its platform and records the platform's message
// id. Any number of dispatchers may run against one database.
//
// Guarantees. Each row is posted once: rows are claimed under a lease (on Postgres
// with FOR UPDATE SKIP LOCKED), and only the claim's holder may mark it sent. Rows
// reach each destination in the order they were queued: only a destination's oldest
// pending row is ever claimed, and a failing row holds the ones behind it until it
// is sent or parked. After a crash nothing is lost: a claimed row whose lease ran out
// is claimed again. The one duplicate left possible is a crash (or a post that
// outlives its lease) after the platform accepted a post and before it was marked
// sent: platforms give no way to ask whether a message was posted, so it is posted
// again.
//
// Failures. A rate limit (RateLimitError) retries after the platform's RetryAfter
// without counting as a failure; a PermanentError parks the row at once; any other
// error retries with exponential backoff (5 s doubling, at most 10 minutes) and parks
// the row after MaxAttempts failures. Parked rows keep their error for admins
// (core.OutboxStore.Outbox with core.OutboxParked).
type Dispatcher struct {
	outbox      core.OutboxStore
	router      *Router
	posters     map[core.Platform]Poster
	platforms   []core.Platform
	clock       core.Clock
	sleep       func(ctx context.Context, d time.Duration) error
	paces       map[core.Platform]Pace
	pacers      map[core.Platform]*postPacer
	lease       time.Duration
	batch       int
	workers     int
	maxAttempts int
	idle        time.Duration
	log         *slog.Logger
	metrics     *Metrics
}

// NewDispatcher returns a Dispatcher with o's settings.
func NewDispatcher(o DispatcherOptions) *Dispatcher {
	d := &Dispatcher{
		outbox: o.Outbox, router: o.Router, posters: map[core.Platform]Poster{}, clock: o.Clock, sleep: o.Sleep,
		paces: map[core.Platform]Pace{}, pacers: map[core.Platform]*postPacer{}, lease: o.Lease, batch: o.Batch,
		workers: o.Workers, maxAttempts: o.MaxAttempts, idle: o.Idle, log: o.Logger, metrics: o.Metrics,
	}
	if d.clock == nil {
		d.clock = core.SystemClock{}
	}
	if d.sleep == nil {
		d.sleep = core.Sleep
	}
	if d.lease <= 0 {
		d.lease = 2 * time.Minute
	}
	if d.batch <= 0 {
		d.batch = 20
	}
	if d.workers <= 0 {
		d.workers = 4
	}
	if d.maxAttempts <= 0 {
		d.maxAttempts = 8
	}
	if d.idle <= 0 {
		d.idle = time.Second
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.metrics == nil && o.Router != nil {
		d.metrics = o.Router.metrics
	}
	if d.metrics == nil {
		d.metrics = NewMetrics()
	}
	for _, p := range o.Posters {
		pl := p.Platform()
		if _, dup := d.posters[pl]; !dup {
			d.platforms = append(d.platforms, pl)
		}
		d.posters[pl] = p
		pace, ok := o.Paces[pl]
		if !ok {
			pace = DefaultPace(pl)
		}
		d.paces[pl] = pace
		d.pacers[pl] = &postPacer{every: pace.Every}
	}
	slices.Sort(d.platforms)
	return d
}

// Run delivers the outbox until ctx ends. On the way out it finishes recording the
// post in flight and gives back the rows it claimed but did not post.
func (d *Dispatcher) Run(ctx context.Context) {
	for ctx.Err() == nil {
		// a claim lasts a lease: past it the rows are another replica's to post
		rctx, cancel := context.WithTimeout(ctx, d.lease)
		n, err := d.RunOnce(rctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			d.log.Error("outbox", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		if core.Sleep(ctx, d.idle) != nil {
			return
		}
	}
}

// RunOnce claims one batch per platform and delivers it, returning how many rows it
// handled (posted, retried or parked).
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	var first error
	total := 0
	for _, pl := range d.platforms {
		if ctx.Err() != nil {
			break
		}
		pace := d.paces[pl]
		items, err := d.outbox.ClaimOutbox(ctx, pl, d.clock.Now(), pace.PerDestination, d.lease, newClaimToken(), d.batch)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		d.deliverAll(ctx, d.posters[pl], items)
		total += len(items)
		if rec, ok := d.posters[pl].(Recognizer); ok && d.router != nil {
			n, err := d.recognize(ctx, rec)
			if err != nil && first == nil {
				first = err
			}
			total += n
		}
	}
	return total, first
}

// recognize claims one batch of a platform's recognitions to give or take back and
// carries them out one after the other, paced as posts are.
func (d *Dispatcher) recognize(ctx context.Context, rec Recognizer) (int, error) {
	svc := d.router.svc
	pl := rec.Platform()
	work, err := svc.ClaimRecognitionWork(ctx, pl, d.lease, newClaimToken(), d.batch)
	if err != nil {
		return 0, err
	}
	for _, w := range work {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		if wait := d.pacers[pl].reserve(d.clock.Now()); wait > 0 {
			if err := d.sleep(ctx, wait); err != nil {
				cancel()
				return len(work), nil // the lease runs out and another dispatcher takes it
			}
		}
		g := Grant{SpaceID: w.SpaceExternalID, UserID: w.MemberExternalID, Action: w.Action, Value: w.Value}
		pctx, pcancel := context.WithTimeout(ctx, d.lease/2)
		var cause error
		if w.Take {
			cause = rec.Take(pctx, g)
		} else {
			cause = rec.Give(pctx, g)
		}
		pcancel()
		var limited *RateLimitError
		if errors.As(cause, &limited) {
			// not a failure: the grant is tried again once the lease is over
			d.log.Info("recognition: rate limited", "id", w.ID, "platform", pl, "retry_after", limited.RetryAfter)
			cancel()
			continue
		}
		if cause != nil {
			d.log.Warn("recognition refused", "id", w.ID, "platform", pl, "take", w.Take, "err", cause)
		}
		if err := svc.FinishRecognitionWork(bg, w, cause); err != nil {
			d.log.Error("recognition: record", "id", w.ID, "err", err)
		}
		cancel()
	}
	return len(work), nil
}

// deliverAll posts a claimed batch with a few workers; the batch holds at most one
// row per destination, so posting them at once keeps each destination in order.
func (d *Dispatcher) deliverAll(ctx context.Context, p Poster, items []core.OutboxItem) {
	queue := make(chan core.OutboxItem)
	var wg sync.WaitGroup
	for range min(d.workers, len(items)) {
		wg.Go(func() {
			for it := range queue {
				d.deliver(ctx, p, it)
			}
		})
	}
	for _, it := range items {
		queue <- it
	}
	close(queue)
	wg.Wait()
}

// recordTimeout bounds the bookkeeping after a post, which runs even when the
// dispatcher is stopping so that a post the platform accepted is not posted again.
const recordTimeout = 10 * time.Second

// deliver renders, posts and records one claimed row.
func (d *Dispatcher) deliver(ctx context.Context, p Poster, it core.OutboxItem) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	pl := p.Platform()
	if ctx.Err() != nil {
		d.retry(bg, it, d.clock.Now(), "dispatcher stopped before posting", false)
		return
	}
	to := Destination{SpaceID: it.SpaceExternalID, ChannelID: it.ChannelID}
	if it.ChannelID == "" {
		to.UserID = it.MemberExternalID
	}
	if to.ChannelID == "" && to.UserID == "" {
		d.park(bg, it, "no destination: the channel or member is gone")
		return
	}
	locale := it.Locale
	if !slices.Contains(core.Locales, locale) {
		locale = core.Locales[0]
	}
	rep, err := d.router.Card(ctx, it.Announcement, locale)
	if err != nil {
		if ctx.Err() != nil {
			d.retry(bg, it, d.clock.Now(), "dispatcher stopped before posting", false)
			return
		}
		d.failed(bg, it, err)
		return
	}
	if wait := d.pacers[pl].reserve(d.clock.Now()); wait > 0 {
		if err := d.sleep(ctx, wait); err != nil {
			d.retry(bg, it, d.clock.Now(), "dispatcher stopped before posting", false)
			return
		}
	}
	pctx, pcancel := context.WithTimeout(ctx, d.lease/2)
	id, err := p.Post(pctx, to, rep)
	pcancel()
	now := d.clock.Now()
	var limited *RateLimitError
	var permanent *PermanentError
	switch {
	case err == nil:
		ok, err := d.outbox.MarkSent(bg, it.ID, it.Claim, id, now)
		switch {
		case err != nil:
			// the lease runs out and the row is posted again: the one duplicate
			d.log.Error("outbox: posted but not recorded", "id", it.ID, "platform", pl, "err", err)
		case !ok:
			d.log.Warn("outbox: lease lost before recording a post; it may have been posted twice", "id", it.ID, "platform", pl)
		}
		d.metrics.Posts.WithLabelValues(string(pl), "sent").Inc()
	case errors.As(err, &limited):
		wait := max(limited.RetryAfter, time.Second)
		d.retry(bg, it, now.Add(wait), err.Error(), false)
		d.metrics.Posts.WithLabelValues(string(pl), "rate_limited").Inc()
	case errors.As(err, &permanent):
		d.park(bg, it, err.Error())
	case ctx.Err() != nil:
		// stopping mid-post: another dispatcher may try at once
		d.retry(bg, it, now, "interrupted: "+err.Error(), false)
	default:
		d.failed(bg, it, err)
	}
}

// failed counts a failed try: the row is retried after a backoff, or parked after
// MaxAttempts failures.
func (d *Dispatcher) failed(ctx context.Context, it core.OutboxItem, cause error) {
	attempts := it.Attempts + 1
	if attempts >= d.maxAttempts {
		d.park(ctx, it, cause.Error())
		return
	}
	d.retry(ctx, it, d.clock.Now().Add(Backoff(attempts)), cause.Error(), true)
	d.metrics.Posts.WithLabelValues(string(it.Platform), "failed").Inc()
}

func (d *Dispatcher) retry(ctx context.Context, it core.OutboxItem, next time.Time, reason string, failed bool) {
	if err := d.outbox.RetryOutbox(ctx, it.ID, it.Claim, next, reason, failed); err != nil {
		// the lease runs out and the row is tried again
		d.log.Error("outbox: release", "id", it.ID, "err", err)
	}
}

func (d *Dispatcher) park(ctx context.Context, it core.OutboxItem, reason string) {
	d.log.Warn("outbox: parked", "id", it.ID, "platform", it.Platform, "key", it.Announcement.Key, "reason", reason)
	if err := d.outbox.ParkOutbox(ctx, it.ID, it.Claim, reason); err != nil {
		d.log.Error("outbox: park", "id", it.ID, "err", err)
	}
	d.metrics.Posts.WithLabelValues(string(it.Platform), "parked").Inc()
}

// Backoff is the wait before retrying a row after its n-th failure: 5 s doubling,
// at most 10 minutes.
func Backoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// newClaimToken returns a random token naming one claim.
func newClaimToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// postPacer spaces posts at least every apart; its next slot is shared by the workers.
type postPacer struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

// reserve takes the next slot and returns how long to wait for it from now.
func (p *postPacer) reserve(now time.Time) time.Duration {
	if p.every <= 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next.Before(now) {
		p.next = now
	}
	wait := p.next.Sub(now)
	p.next = p.next.Add(p.every)
	return wait
}

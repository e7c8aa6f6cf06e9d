package bots_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// post is one call a fake platform received.
type post struct {
	To    bots.Destination
	Title string // the announcement's title argument, which the tests number
	Key   string
	At    time.Time
	Err   error
	PNG   []byte
}

// postLog records what fake platforms received; several posters may share one.
type postLog struct {
	mu    sync.Mutex
	posts []post // accepted
	tries []post // every call, accepted or not
}

func (l *postLog) accepted() []post {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]post(nil), l.posts...)
}

// fakePoster is a platform that answers as fail says (nil: it accepts), reading
// the time from clock.
type fakePoster struct {
	platform core.Platform
	clock    core.Clock
	log      *postLog
	calls    atomic.Int64
	fail     func(call int, to bots.Destination, title string) error
}

func (f *fakePoster) Platform() core.Platform { return f.platform }

func (f *fakePoster) Post(ctx context.Context, to bots.Destination, r bots.Reply) (string, error) {
	n := int(f.calls.Add(1))
	title, _ := r.Args["title"].(string)
	p := post{To: to, Title: title, Key: r.Key, At: f.clock.Now()}
	if r.Image != nil {
		p.PNG = r.Image.PNG
	}
	if f.fail != nil {
		p.Err = f.fail(n, to, title)
	}
	f.log.mu.Lock()
	defer f.log.mu.Unlock()
	f.log.tries = append(f.log.tries, p)
	if p.Err != nil {
		return "", p.Err
	}
	f.log.posts = append(f.log.posts, p)
	return fmt.Sprintf("%s-%d", f.platform, len(f.log.posts)), nil
}

func (f *fakePoster) Edit(ctx context.Context, to bots.Destination, id string, r bots.Reply) error {
	return nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeSleep moves the fake clock instead of waiting.
func fakeSleep(c *core.FakeClock) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		c.Advance(d)
		return ctx.Err()
	}
}

// campaignWith makes an ideas campaign linked to the admin's group and to the
// given channels (as platform:space:channel), and returns it.
func campaignWith(t *testing.T, h *Harness, channels ...Who) *core.Campaign {
	t.Helper()
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	for _, w := range channels {
		h.LinkTo(t, Admin, code, w)
	}
	c, err := h.Service.Campaign(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// numbered queues n announcements to all of c's channels, titled 0 to n-1.
func numbered(t *testing.T, h *Harness, db core.OutboxStore, c *core.Campaign, n int) {
	t.Helper()
	anns := make([]core.Announcement, n)
	for i := range anns {
		anns[i] = core.CampaignAnnouncement(c, "announce.closed", "title", strconv.Itoa(i), "code", c.Code)
	}
	if err := db.Enqueue(context.Background(), h.Clock.Now(), anns...); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db core.OutboxStore, state core.OutboxState) int {
	t.Helper()
	items, err := db.Outbox(context.Background(), state, 1000000)
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

// drain runs the dispatcher, moving the fake clock between rounds, until nothing is
// pending.
func drain(t *testing.T, h *Harness, d *bots.Dispatcher) {
	t.Helper()
	for round := 0; count(t, h.Store, core.OutboxPending) > 0; round++ {
		if round > 20000 {
			t.Fatalf("still %d rows pending", count(t, h.Store, core.OutboxPending))
		}
		if _, err := d.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(250 * time.Millisecond)
	}
}

// byChannel groups accepted posts by destination, in the order they arrived.
func byChannel(posts []post) map[string][]post {
	out := map[string][]post{}
	for _, p := range posts {
		k := p.To.ChannelID + p.To.UserID
		out[k] = append(out[k], p)
	}
	return out
}

// checkInOrder fails unless each channel got titles 0..n-1 once each, in order.
func checkInOrder(t *testing.T, posts []post, channels, n int) {
	t.Helper()
	got := byChannel(posts)
	if len(got) != channels {
		t.Fatalf("%d channels got posts, want %d", len(got), channels)
	}
	for ch, ps := range got {
		if len(ps) != n {
			t.Fatalf("channel %s got %d posts, want %d", ch, len(ps), n)
		}
		for i, p := range ps {
			if p.Title != strconv.Itoa(i) {
				t.Fatalf("channel %s: post %d is %q, want %d (order %v)", ch, i, p.Title, i, titles(ps))
			}
		}
	}
}

func titles(ps []post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Title
	}
	return out
}

// TestDispatchRetriesInOrderAndPaced: platforms that answer 429 with retry_after
// and 500s still get everything, once, in order per channel, never faster than the
// pace, and never before a retry_after has passed. Time is the fake clock's.
func TestDispatchRetriesInOrderAndPaced(t *testing.T) {
	h := New(t)
	c := campaignWith(t, h,
		Admin.On(core.Telegram, "-2002", "-2002"), Admin.On(core.Telegram, "-2003", "-2003"),
		Admin.On(core.Discord, "41771983423143937", "80351110224678912"))
	const n = 6
	numbered(t, h, h.Store, c, n)
	log := &postLog{}
	retryAfter := 7 * time.Second
	tg := &fakePoster{platform: core.Telegram, clock: h.Clock, log: log, fail: func(call int, _ bots.Destination, _ string) error {
		switch {
		case call%5 == 2:
			return &bots.RateLimitError{RetryAfter: retryAfter}
		case call%7 == 4:
			return errors.New("500 Internal Server Error")
		}
		return nil
	}}
	dc := &fakePoster{platform: core.Discord, clock: h.Clock, log: log, fail: func(call int, _ bots.Destination, _ string) error {
		if call%3 == 0 {
			return errors.New("502 Bad Gateway")
		}
		return nil
	}}
	paces := map[core.Platform]bots.Pace{
		core.Telegram: {PerDestination: 3 * time.Second, Every: time.Second / 30},
		core.Discord:  {PerDestination: time.Second, Every: time.Second / 50},
	}
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.Store, Router: h.Router, Posters: []bots.Poster{tg, dc},
		Clock: h.Clock, Sleep: fakeSleep(h.Clock), Paces: paces, Workers: 1, MaxAttempts: 50, Logger: quiet})
	drain(t, h, d)

	posts := log.accepted()
	checkInOrder(t, posts, 4, n)
	if count(t, h.Store, core.OutboxSent) != 4*n || count(t, h.Store, core.OutboxParked) != 0 {
		t.Fatalf("sent %d, parked %d", count(t, h.Store, core.OutboxSent), count(t, h.Store, core.OutboxParked))
	}
	var limited, failed int
	for _, p := range log.tries {
		var rl *bots.RateLimitError
		if errors.As(p.Err, &rl) {
			limited++
		} else if p.Err != nil {
			failed++
		}
	}
	if limited == 0 || failed == 0 {
		t.Fatalf("the fakes answered %d 429s and %d 5xx: the test did not test", limited, failed)
	}
	// no faster than the pace per destination
	for ch, ps := range byChannel(posts) {
		gap := paces[core.Telegram].PerDestination
		if ch == "80351110224678912" {
			gap = paces[core.Discord].PerDestination
		}
		for i := 1; i < len(ps); i++ {
			if d := ps[i].At.Sub(ps[i-1].At); d < gap {
				t.Errorf("channel %s: posts %d and %d %s apart, less than %s", ch, i-1, i, d, gap)
			}
		}
	}
	// no faster than the pace per platform, counting every call
	last := map[core.Platform]time.Time{}
	for _, p := range log.tries {
		pl := core.Telegram
		if p.To.ChannelID == "80351110224678912" {
			pl = core.Discord
		}
		if prev, ok := last[pl]; ok && p.At.Sub(prev) < paces[pl].Every {
			t.Errorf("%s: calls %s apart", pl, p.At.Sub(prev))
		}
		last[pl] = p.At
	}
	// after a 429 the channel waits retry_after
	for i, p := range log.tries {
		var rl *bots.RateLimitError
		if !errors.As(p.Err, &rl) {
			continue
		}
		for _, q := range log.tries[i+1:] {
			if q.To == p.To {
				if q.At.Sub(p.At) < retryAfter {
					t.Errorf("channel %s tried again %s after a 429", p.To.ChannelID, q.At.Sub(p.At))
				}
				break
			}
		}
	}
	// the platform's message ids are kept for later edits
	for _, it := range mustOutbox(t, h.Store, core.OutboxSent) {
		if it.MessageID == "" || it.SentAt == nil {
			t.Fatalf("sent row without its message id: %+v", it)
		}
	}
}

func mustOutbox(t *testing.T, db core.OutboxStore, state core.OutboxState) []core.OutboxItem {
	t.Helper()
	items, err := db.Outbox(context.Background(), state, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestDispatchGlobalPace: forty chats at once are served no faster than the
// platform's overall pace.
func TestDispatchGlobalPace(t *testing.T) {
	h := New(t)
	var chats []Who
	for i := range 39 {
		id := fmt.Sprint(-5000 - i)
		chats = append(chats, Admin.On(core.Telegram, id, id))
	}
	c := campaignWith(t, h, chats...)
	numbered(t, h, h.Store, c, 2)
	log := &postLog{}
	tg := &fakePoster{platform: core.Telegram, clock: h.Clock, log: log}
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.Store, Router: h.Router, Posters: []bots.Poster{tg},
		Clock: h.Clock, Sleep: fakeSleep(h.Clock), Workers: 1, Batch: 100, Logger: quiet})
	drain(t, h, d)
	posts := log.accepted()
	checkInOrder(t, posts, 40, 2)
	for i := 1; i < len(posts); i++ {
		if d := posts[i].At.Sub(posts[i-1].At); d < time.Second/30 {
			t.Fatalf("posts %d and %d %s apart: faster than 30 a second", i-1, i, d)
		}
	}
	for i := 30; i < len(posts); i++ {
		if posts[i].At.Sub(posts[i-30].At) < time.Second-time.Millisecond {
			t.Fatalf("31 posts within a second, ending with post %d", i)
		}
	}
}

// TestDispatchParksAndNotices: a permanent error parks a row at once and a row that
// keeps failing is parked after MaxAttempts, both with their error for admins, and
// the rows behind them still go; a private notice goes to the member's platform id;
// a progress post comes with its picture.
func TestDispatchParksAndNotices(t *testing.T) {
	h := New(t)
	gone, flaky := Admin.On(core.Telegram, "-7001", "-7001"), Admin.On(core.Telegram, "-7002", "-7002")
	c := campaignWith(t, h, gone, flaky)
	numbered(t, h, h.Store, c, 3)
	bob := member(t, h, Bob)
	progress := core.CampaignAnnouncement(c, core.ProgressKey(c.Kind), "title", c.Title, "code", c.Code)
	progress.Image = "progress"
	if err := h.Store.Enqueue(context.Background(), h.Clock.Now(), core.MemberNotice(c, bob.ID, "announce.closed", "title", "notice"), progress); err != nil {
		t.Fatal(err)
	}
	log := &postLog{}
	var goneOnce atomic.Bool
	tg := &fakePoster{platform: core.Telegram, clock: h.Clock, log: log, fail: func(call int, to bots.Destination, title string) error {
		switch {
		case to.ChannelID == "-7001" && goneOnce.CompareAndSwap(false, true):
			return &bots.PermanentError{Err: errors.New("403 Forbidden: bot was kicked from the group chat")}
		case to.ChannelID == "-7002" && title == "0":
			return errors.New("500 Internal Server Error")
		}
		return nil
	}}
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.Store, Router: h.Router, Posters: []bots.Poster{tg},
		Clock: h.Clock, Sleep: fakeSleep(h.Clock), Workers: 1, MaxAttempts: 3, Logger: quiet})
	drain(t, h, d)

	parked := mustOutbox(t, h.Store, core.OutboxParked)
	if len(parked) != 2 {
		t.Fatalf("parked %d rows, want 2", len(parked))
	}
	reasons := map[string]string{}
	for _, p := range parked {
		reasons[p.ChannelID] = p.LastError
		if p.Announcement.Args["title"] != "0" {
			t.Errorf("parked %+v", p)
		}
	}
	if reasons["-7001"] != "permanent: 403 Forbidden: bot was kicked from the group chat" || reasons["-7002"] != "500 Internal Server Error" {
		t.Fatalf("parked reasons: %v", reasons)
	}
	got := byChannel(log.accepted())
	if ts := titles(got["-7001"]); len(ts) != 3 || ts[0] != "1" || ts[1] != "2" {
		t.Fatalf("after a park the rest goes, in order: %v", ts)
	}
	if ts := titles(got["-7002"]); len(ts) != 3 || ts[0] != "1" || ts[1] != "2" {
		t.Fatalf("after a park the rest goes, in order: %v", ts)
	}
	notice := got[bob.ExternalID]
	if len(notice) != 1 || notice[0].To.ChannelID != "" || notice[0].To.UserID != "1002" || notice[0].Title != "notice" {
		t.Fatalf("private notice: %+v", notice)
	}
	// admins see what was parked, and only for their own space's campaigns
	h.Expect(h.Say(Bob, "/outbox"), "error.admin_only")
	list := h.Expect(h.Say(Admin, "/outbox"), "outbox.title")
	if len(list.Lines) != 2 || !list.Ephemeral || !strings.Contains(list.Text, "bot was kicked") || !strings.Contains(list.Text, "3 tries: 500") {
		t.Fatalf("/outbox: %q", list.Text)
	}
	h.Expect(h.Say(Admin.On(core.Discord, "41771983423143937", "80351110224678912"), "/outbox"), "outbox.none")
	var pic []byte
	for _, p := range got[Admin.Channel] {
		if p.Key == core.ProgressKey(c.Kind) {
			pic = p.PNG
		}
	}
	if _, err := png.Decode(bytes.NewReader(pic)); err != nil {
		t.Fatalf("progress post without its picture: %v", err)
	}
}

// dyingOutbox is a dispatcher's database connection that vanishes with its process:
// after die, every call fails.
type dyingOutbox struct {
	core.OutboxStore
	dead atomic.Bool
}

var errGone = errors.New("connection gone")

func (o *dyingOutbox) ClaimOutbox(ctx context.Context, pl core.Platform, now time.Time, gap, lease time.Duration, token string, limit int) ([]core.OutboxItem, error) {
	if o.dead.Load() {
		return nil, errGone
	}
	return o.OutboxStore.ClaimOutbox(ctx, pl, now, gap, lease, token, limit)
}

func (o *dyingOutbox) MarkSent(ctx context.Context, id int64, token, messageID string, now time.Time) (bool, error) {
	if o.dead.Load() {
		return false, errGone
	}
	return o.OutboxStore.MarkSent(ctx, id, token, messageID, now)
}

func (o *dyingOutbox) RetryOutbox(ctx context.Context, id int64, token string, next time.Time, reason string, failed bool) error {
	if o.dead.Load() {
		return errGone
	}
	return o.OutboxStore.RetryOutbox(ctx, id, token, next, reason, failed)
}

func (o *dyingOutbox) ParkOutbox(ctx context.Context, id int64, token, reason string) error {
	if o.dead.Load() {
		return errGone
	}
	return o.OutboxStore.ParkOutbox(ctx, id, token, reason)
}

// waitFor polls cond until it holds, for goroutines to finish their work (the
// deadline only guards against a hang; nothing waits for time to pass).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDispatchReplicas: three dispatchers, each on its own connection pool, deliver
// 1,000 rows (fewer on SQLite under -race) to twenty channels: each is posted
// exactly once and each channel gets its rows in order. Before they start, one
// dispatcher is stopped mid-batch (it gives back what it did not post) and another
// dies mid-batch (its claims stay leased until the lease runs out): nothing is lost.
func TestDispatchReplicas(t *testing.T) {
	storagetest.Replicas(t, 5, func(t *testing.T, dbs []*storage.DB) {
		ctx := context.Background()
		h := On(t, dbs[0])
		var chans []Who
		for i := range 19 {
			id := fmt.Sprint(-9000 - i)
			chans = append(chans, Admin.On(core.Telegram, id, id))
		}
		c := campaignWith(t, h, chans...)
		const channels = 20
		per := storagetest.Scale(dbs[0], 1000) / channels
		numbered(t, h, h.Store, c, per)
		total := per * channels

		log := &postLog{}
		lease := time.Minute
		dispatcher := func(db *storage.DB, outbox core.OutboxStore, p bots.Poster, workers int) *bots.Dispatcher {
			router := bots.NewRouter(bots.Options{Service: core.NewService(db, h.Clock, Settings()), Logger: quiet})
			return bots.NewDispatcher(bots.DispatcherOptions{Outbox: outbox, Router: router, Posters: []bots.Poster{p},
				Clock: h.Clock, Paces: map[core.Platform]bots.Pace{core.Telegram: {}}, Lease: lease, Batch: 10,
				Workers: workers, Idle: 10 * time.Millisecond, Logger: quiet})
		}

		// stopped on its second post: it records the first and gives back the rest
		stopCtx, stop := context.WithCancel(ctx)
		defer stop()
		stopped := dispatcher(dbs[3], dbs[3], &fakePoster{platform: core.Telegram, clock: h.Clock, log: log,
			fail: func(call int, _ bots.Destination, _ string) error {
				if call == 2 {
					stop()
					return stopCtx.Err()
				}
				return nil
			}}, 1)
		if n, _ := stopped.RunOnce(stopCtx); n != 10 {
			t.Fatalf("the stopped dispatcher handled %d rows, want its batch of 10", n)
		}
		// dies on its second post: its database connection is gone with it
		dying := &dyingOutbox{OutboxStore: dbs[4]}
		dieCtx, die := context.WithCancel(ctx)
		defer die()
		dead := dispatcher(dbs[4], dying, &fakePoster{platform: core.Telegram, clock: h.Clock, log: log,
			fail: func(call int, _ bots.Destination, _ string) error {
				if call == 2 {
					dying.dead.Store(true)
					die()
					return errors.New("killed")
				}
				return nil
			}}, 1)
		_, _ = dead.RunOnce(dieCtx)
		if n := len(log.accepted()); n != 2 {
			t.Fatalf("%d posts before the replicas start, want 2", n)
		}

		// the dead dispatcher's claims: nine rows, each holding its channel
		leased := map[string]int{} // channel -> title of its leased row
		for _, it := range mustOutbox(t, dbs[0], core.OutboxPending) {
			if it.Claim != "" && it.NextTryAt.After(h.Clock.Now()) {
				title, _ := strconv.Atoi(it.Announcement.Args["title"].(string))
				leased[it.ChannelID] = title
			}
		}
		held := 0
		for _, title := range leased {
			held += per - title
		}
		if len(leased) != 9 {
			t.Fatalf("%d rows leased, want the dead dispatcher's 9", len(leased))
		}

		start := time.Now()
		runCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, db := range dbs[:3] {
			d := dispatcher(db, db, &fakePoster{platform: core.Telegram, clock: h.Clock, log: log}, 4)
			wg.Go(func() { d.Run(runCtx) })
		}
		defer func() { cancel(); wg.Wait() }()
		// everything goes out but the leased rows and the rows behind them, which wait
		// for the lease to run out
		waitFor(t, "the free rows", func() bool { return count(t, dbs[0], core.OutboxSent) == total-held })
		for _, p := range log.accepted() {
			n, _ := strconv.Atoi(p.Title)
			if title, ok := leased[p.To.ChannelID]; ok && n >= title {
				t.Fatalf("channel %s got %s while its row %d was leased", p.To.ChannelID, p.Title, title)
			}
		}
		h.Clock.Advance(lease)
		waitFor(t, "every row", func() bool { return count(t, dbs[0], core.OutboxSent) == total })
		t.Logf("three dispatchers delivered %d rows in %s", total, time.Since(start))
		cancel()
		wg.Wait()
		posts := log.accepted()
		if len(posts) != total {
			t.Fatalf("%d posts for %d rows", len(posts), total)
		}
		checkInOrder(t, posts, channels, per)
	})
}

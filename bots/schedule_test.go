package bots_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// queued returns the outbox rows with key, oldest first.
func queued(t *testing.T, db core.OutboxStore, key string) []core.OutboxItem {
	t.Helper()
	items, err := db.Outbox(context.Background(), "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []core.OutboxItem
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].Announcement.Key == key {
			out = append(out, items[i])
		}
	}
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// tickUntil ticks every step of fake time until end, and returns when progress posts
// were queued.
func tickUntil(t *testing.T, h *Harness, s *bots.Scheduler, end time.Time, step time.Duration) []time.Time {
	t.Helper()
	// the cleanup, which these ticks do not look at and which would run at every one
	// of them, as they are more than core.CleanupEvery apart, waits until end
	if _, err := h.Store.ClaimChore(context.Background(), core.ChoreCleanup, end, 0); err != nil {
		t.Fatal(err)
	}
	var fired []time.Time
	for h.Clock.Now().Before(end) {
		res, err := s.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for range res.Posts {
			fired = append(fired, h.Clock.Now())
		}
		h.Clock.Advance(step)
	}
	return fired
}

// TestScheduleAcrossDaylightSaving: "0 18 * * *" fires at 18:00 in the campaign's
// zone every day, before and after the clocks move (Rome: CET to CEST on 29 March
// 2026); a CRON_TZ in the spec wins over the campaign's zone (New York falls back
// on 1 November 2026).
func TestScheduleAcrossDaylightSaving(t *testing.T) {
	t.Run("Europe/Rome spring forward", func(t *testing.T) {
		h := New(t)
		h.Clock.Set(utc("2026-03-27T12:00:00Z"))
		h.Expect(h.Say(Admin, `/campaign new ideas "Board" tz=Europe/Rome`), "campaign.created")
		s := bots.NewScheduler(h.Service, nil, 0)
		got := tickUntil(t, h, s, utc("2026-04-01T00:00:00Z"), 10*time.Minute)
		want := []string{"2026-03-27T17:00:00Z", "2026-03-28T17:00:00Z", "2026-03-29T16:00:00Z", "2026-03-30T16:00:00Z", "2026-03-31T16:00:00Z"}
		checkFired(t, got, want)
		rows := queued(t, h.Store, core.ProgressKey(core.KindIdeas))
		if len(rows) != len(want) || rows[0].ChannelID != Admin.Channel || rows[0].Announcement.Image != "progress" {
			t.Fatalf("progress rows: %+v", rows)
		}
	})
	t.Run("CRON_TZ New York fall back", func(t *testing.T) {
		h := New(t)
		h.Clock.Set(utc("2026-10-30T00:00:00Z"))
		code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board" tz=Europe/Rome`), "campaign.created"))
		h.Expect(h.Say(Admin, `/campaign schedule `+code+` "CRON_TZ=America/New_York 30 9 * * *"`), "campaign.scheduled")
		s := bots.NewScheduler(h.Service, nil, 0)
		got := tickUntil(t, h, s, utc("2026-11-03T00:00:00Z"), 10*time.Minute)
		checkFired(t, got, []string{"2026-10-30T13:30:00Z", "2026-10-31T13:30:00Z", "2026-11-01T14:30:00Z", "2026-11-02T14:30:00Z"})
	})
}

func checkFired(t *testing.T, got []time.Time, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("fired at %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(utc(want[i])) {
			t.Fatalf("run %d fired at %s, want %s (all: %v)", i, got[i].Format(time.RFC3339), want[i], got)
		}
	}
}

// TestMissedRunFiresOnce: after three days down, a restarted scheduler posts once,
// then keeps to the schedule; a changed schedule starts afresh without a post.
func TestMissedRunFiresOnce(t *testing.T) {
	h := New(t) // 2026-03-02 09:00 UTC, a Monday
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board" tz=Europe/Rome`), "campaign.created"))
	ctx := context.Background()
	tick := func(s *bots.Scheduler) int {
		res, err := s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res.Posts
	}
	s := bots.NewScheduler(h.Service, nil, 0)
	if n := tick(s); n != 0 {
		t.Fatalf("a new campaign posted %d at once", n)
	}
	// down for three days, then a new process
	h.Clock.Advance(72 * time.Hour)
	restarted := bots.NewScheduler(core.NewService(h.Store, h.Clock, Settings()), nil, 0)
	if n := tick(restarted); n != 1 {
		t.Fatalf("after downtime: %d posts, want 1", n)
	}
	for range 5 {
		if n := tick(restarted); n != 0 {
			t.Fatalf("the missed run fired again: %d", n)
		}
	}
	// the next run is the usual one: 18:00 in Rome (17:00 UTC) that day
	h.Clock.Set(utc("2026-03-05T16:59:00Z"))
	if n := tick(restarted); n != 0 {
		t.Fatal("fired early")
	}
	h.Clock.Set(utc("2026-03-05T17:00:00Z"))
	if n := tick(restarted); n != 1 {
		t.Fatalf("the next run: %d posts", n)
	}
	// a new schedule: next Monday 09:00 in Rome, nothing in between
	h.Expect(h.Say(Admin, `/campaign schedule `+code+` "0 9 * * 1"`), "campaign.scheduled")
	got := tickUntil(t, h, restarted, utc("2026-03-10T00:00:00Z"), 15*time.Minute)
	checkFired(t, got, []string{"2026-03-09T08:00:00Z"})
	if n := len(queued(t, h.Store, core.ProgressKey(core.KindIdeas))); n != 3 {
		t.Fatalf("%d progress posts queued, want 3", n)
	}
}

// TestRemindersAndResultsOnce: with two schedulers ticking, the reminder goes out
// once per channel a day before the close, the result once at the close, and no
// progress post after it; a contest is reminded of each of its two deadlines; a
// campaign shorter than a day gets no reminder.
func TestRemindersAndResultsOnce(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	start := h.Clock.Now()
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board" closes=3d tz=Europe/Rome`), "campaign.created"))
	h.LinkTo(t, Admin, code, Admin.On(core.Discord, "41771983423143937", "80351110224678912"))
	h.Expect(h.Say(Admin, `/campaign new ideas "Quick" closes=5h`), "campaign.created")

	// a contest, created in its own group: entries until day 2, votes until day 4
	d1, d2 := start.Add(48*time.Hour), start.Add(96*time.Hour)
	rs := h.Say(Admin.On(core.Telegram, "-3003", "-3003"), `/contest new "Slogan" brief="A fox" prize="100 EUR" type=slogan entries_close=2d voting_close=4d tz=Europe/Rome`)
	if len(rs) != 1 || !core.ValidCode(fmt.Sprint(rs[0].Args["code"])) {
		t.Fatalf("contest: %v", Keys(rs))
	}
	// an entry, so that the contest goes on to its vote
	h.Expect(h.Say(Bob, fmt.Sprintf("/enter %s \"Foxes do it better\"", rs[0].Args["code"])), "contest.entered")

	replica := bots.NewScheduler(core.NewService(h.Store, h.Clock, Settings()), nil, 0)
	s := bots.NewScheduler(h.Service, nil, 0)
	for h.Clock.Now().Before(start.Add(5 * 24 * time.Hour)) {
		var wg sync.WaitGroup
		for _, sc := range []*bots.Scheduler{s, replica} {
			wg.Go(func() {
				if _, err := sc.Tick(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		h.Clock.Advance(30 * time.Minute)
	}

	reminders := queued(t, h.Store, "remind.closes")
	entries := queued(t, h.Store, "remind.entries_close")
	results := queued(t, h.Store, "announce.closed")
	// Board: 2 channels; the contest: 1 channel for each deadline; Quick's result too
	// (the contest announces its result in words of its own)
	if len(reminders) != 3 || len(entries) != 1 || len(results) != 3 {
		t.Fatalf("reminders %d, entry reminders %d, results %d", len(reminders), len(entries), len(results))
	}
	for _, r := range reminders[:2] {
		if !r.CreatedAt.Equal(start.Add(48*time.Hour)) || r.Announcement.Once == "" {
			t.Fatalf("the board's reminder: %+v", r)
		}
	}
	if !entries[0].CreatedAt.Equal(d1.Add(-24*time.Hour)) || !reminders[2].CreatedAt.Equal(d2.Add(-24*time.Hour)) {
		t.Fatalf("contest reminders at %v and %v", entries[0].CreatedAt, reminders[2].CreatedAt)
	}
	// the 5-hour campaign closed, unreminded
	for _, r := range append(reminders, entries...) {
		if r.Announcement.Args["title"] == "Quick" {
			t.Fatal("a campaign shorter than a day was reminded")
		}
	}
	for _, p := range queued(t, h.Store, core.ProgressKey(core.KindIdeas)) {
		if p.Announcement.Args["title"] == "Board" && p.CreatedAt.After(start.Add(72*time.Hour)) {
			t.Fatalf("progress posted after the close: %v", p.CreatedAt)
		}
	}

	// the reminder reads well when it goes out
	h.Clock.Set(start.Add(48 * time.Hour))
	card, err := h.Router.Card(ctx, reminders[0].Announcement, "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card.Text, "in about 24 hours") || !strings.Contains(card.Text, "2026-03-05 10:00 CET") || card.Buttons[0][0].URL == "" {
		t.Fatalf("reminder: %q %+v", card.Text, card.Buttons)
	}
	fr, _ := h.Router.Card(ctx, entries[0].Announcement, "fr")
	if !strings.Contains(fr.Text, "participations") {
		t.Fatalf("entry reminder in French: %q", fr.Text)
	}
}

// actorIDs returns the space and member ids of who.
func actorIDs(t *testing.T, h *Harness, w Who) (space, member int64) {
	t.Helper()
	a := actor(t, h, w)
	return a.Space.ID, a.Member.ID
}

// TestSchedulerReplicas: three schedulers on their own connections tick at once
// for two days: each progress post, reminder and result is queued once.
func TestSchedulerReplicas(t *testing.T) {
	storagetest.Replicas(t, 3, func(t *testing.T, dbs []*storage.DB) {
		h := On(t, dbs[0])
		ctx := context.Background()
		for range 3 {
			h.Expect(h.Say(Admin, `/campaign new ideas "Board" closes=36h tz=Europe/Rome`), "campaign.created")
		}
		var scheds []*bots.Scheduler
		for _, db := range dbs {
			scheds = append(scheds, bots.NewScheduler(core.NewService(db, h.Clock, Settings()), nil, 0))
		}
		end := h.Clock.Now().Add(48 * time.Hour)
		for h.Clock.Now().Before(end) {
			var wg sync.WaitGroup
			for _, s := range scheds {
				wg.Go(func() {
					if _, err := s.Tick(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			h.Clock.Advance(time.Hour)
		}
		// opened Monday 10:00 in Rome, closed Tuesday 22:00: posts Monday and
		// Tuesday at 18:00, a reminder Monday 22:00, the result Tuesday 22:00
		for key, want := range map[string]int{core.ProgressKey(core.KindIdeas): 6, "remind.closes": 3, "announce.closed": 3} {
			if got := len(queued(t, dbs[1], key)); got != want {
				t.Errorf("%s queued %d times, want %d", key, got, want)
			}
		}
	})
}

// TestCleanupRunsOnCadence: the tick prunes at once, then not again until
// core.CleanupEvery has passed, and of two replicas ticking together one prunes.
func TestCleanupRunsOnCadence(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	old := func(key string) {
		t.Helper()
		err := h.Store.Exec(ctx, "INSERT INTO processed_updates (key, created_at) VALUES (?, ?)", key, h.Clock.Now().Add(-72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
	}
	left := func() int64 {
		t.Helper()
		n, err := h.Store.QueryInt(ctx, "SELECT COUNT(*) FROM processed_updates")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	s := bots.NewScheduler(h.Service, nil, 0)
	tick := func(s *bots.Scheduler) core.CleanupResult {
		t.Helper()
		res, err := s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res.Cleanup
	}
	old("telegram:1")
	if c := tick(s); !c.Ran || c.Updates != 1 || left() != 0 {
		t.Fatalf("first tick: %+v, %d left", c, left())
	}
	old("telegram:2")
	for range 4 {
		h.Clock.Advance(bots.DefaultTick * 4) // a minute
		if c := tick(s); c.Ran || left() != 1 {
			t.Fatalf("tick at %v ran the cleanup again: %+v, %d left", h.Clock.Now(), c, left())
		}
	}
	h.Clock.Advance(core.CleanupEvery - 4*time.Minute)
	if c := tick(s); !c.Ran || c.Updates != 1 || left() != 0 {
		t.Fatalf("tick after %v: %+v, %d left", core.CleanupEvery, c, left())
	}

	replica := bots.NewScheduler(core.NewService(h.Store, h.Clock, Settings()), nil, 0)
	h.Clock.Advance(core.CleanupEvery)
	old("telegram:3")
	var ran, pruned int
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, sc := range []*bots.Scheduler{s, replica} {
		wg.Go(func() {
			res, err := sc.Tick(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
			}
			if res.Cleanup.Ran {
				ran++
			}
			pruned += res.Cleanup.Updates
		})
	}
	wg.Wait()
	if ran != 1 || pruned != 1 || left() != 0 {
		t.Fatalf("two replicas: %d ran, %d pruned, %d left", ran, pruned, left())
	}
}

// TestParseCron: update schedules are cron specs (five fields, descriptors, a
// CRON_TZ prefix that wins over the campaign's zone); anything else is refused.
func TestParseCron(t *testing.T) {
	svc := core.NewService(nil, core.SystemClock{}, core.Settings{Schedules: bots.ParseCron})
	at := utc("2026-03-02T09:10:00Z")
	for _, c := range []struct {
		spec, tz string
		want     time.Time
	}{
		{"*/15 * * * *", "", utc("2026-03-02T09:15:00Z")},
		{"0 18 * * 1-5", "Europe/Rome", utc("2026-03-02T17:00:00Z")},
		{"@weekly", "", utc("2026-03-08T00:00:00Z")},
		{"CRON_TZ=Asia/Tokyo 0 9 * * *", "Europe/Rome", utc("2026-03-03T00:00:00Z")},
	} {
		got, err := svc.NextRun(c.spec, c.tz, at)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("NextRun(%q, %q) = %v, %v; want %v", c.spec, c.tz, got, err, c.want)
		}
	}
	for _, spec := range []string{"every day", "0 18 * *", "61 * * * *", ""} {
		if _, err := svc.NextRun(spec, "", at); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("NextRun(%q) = %v, want invalid", spec, err)
		}
	}
}

// TestDefaultScheduleWithoutParser: a service built without a parser reads
// DefaultSchedule as cron does, every day of a year with its two clock changes.
func TestDefaultScheduleWithoutParser(t *testing.T) {
	cron := core.NewService(nil, core.SystemClock{}, core.Settings{Schedules: bots.ParseCron})
	bare := core.NewService(nil, core.SystemClock{}, core.Settings{})
	for at := utc("2026-01-01T00:00:00Z"); at.Before(utc("2027-01-01T00:00:00Z")); at = at.Add(7 * time.Hour) {
		for _, tz := range []string{"Europe/Rome", "America/New_York", "Asia/Kolkata", ""} {
			want, err := cron.NextRun(core.DefaultSchedule, tz, at)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := bare.NextRun(core.DefaultSchedule, tz, at); err != nil || !got.Equal(want) {
				t.Fatalf("after %v in %q: %v, %v; cron says %v", at, tz, got, err, want)
			}
		}
	}
}

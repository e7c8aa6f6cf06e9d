package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture makes a space and a member to own campaigns.
func fixture(t *testing.T, db *storage.DB) (*core.Space, *core.Member) {
	t.Helper()
	ctx := context.Background()
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: "-100123", Title: "Fans", Locale: "fr"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "42", Name: "Ada"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return sp, m
}

func newIdeas(sp *core.Space, m *core.Member, closes *time.Time) *core.Campaign {
	return &core.Campaign{Kind: core.KindIdeas, Title: "Next flavour", SpaceID: sp.ID, State: core.StateOpen,
		OpensAt: t0, ClosesAt: closes, DeadlineAt: closes, TimeZone: "Europe/Rome", Schedule: core.DefaultSchedule,
		CreatedBy: m.ID, CreatedAt: t0, UpdatedAt: t0}
}

func TestCampaignLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		closes := t0.Add(48 * time.Hour)
		c := newIdeas(sp, m, &closes)
		link := &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100123", CreatedAt: t0}
		if err := db.CreateCampaign(ctx, c, link); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || !core.ValidCode(c.Code) {
			t.Fatalf("created campaign has id %d code %q", c.ID, c.Code)
		}
		got, err := db.CampaignByCode(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != c.Title || got.State != core.StateOpen || got.ClosesAt == nil || !got.ClosesAt.Equal(closes) || got.TimeZone != "Europe/Rome" {
			t.Fatalf("read back %+v", got)
		}
		links, err := db.ChannelLinks(ctx, c.ID)
		if err != nil || len(links) != 1 || links[0].ChannelID != "-100123" {
			t.Fatalf("links = %+v, %v", links, err)
		}
		// linking the same channel again keeps one link
		if _, err := db.LinkChannel(ctx, core.ChannelLink{CampaignID: c.ID, Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100123", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if links, _ := db.ChannelLinks(ctx, c.ID); len(links) != 1 {
			t.Fatalf("relinking made %d links", len(links))
		}

		if _, err := db.CampaignByCode(ctx, "zzzzz"); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}
		list, err := db.Campaigns(ctx, core.CampaignFilter{SpaceID: sp.ID, States: []core.State{core.StateOpen}})
		if err != nil || len(list) != 1 {
			t.Fatalf("list = %v, %v", list, err)
		}

		// nothing is due before the deadline, the campaign is due after it
		if due, _ := db.DueCampaigns(ctx, closes.Add(-time.Second), 10); len(due) != 0 {
			t.Fatalf("due early: %v", due)
		}
		if due, _ := db.DueCampaigns(ctx, closes, 10); len(due) != 1 {
			t.Fatalf("not due at deadline: %v", due)
		}

		// illegal transitions are refused, a stale one conflicts, a legal one lands
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateVoting, At: t0}); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("ideas open->voting: %v", err)
		}
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateClosed, At: closes,
			Announcements: []core.Announcement{core.CampaignAnnouncement(c, "announce.closed", "title", c.Title)}}); err != nil {
			t.Fatal(err)
		}
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateClosed, At: closes}); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("second close: %v", err)
		}
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateClosed, To: core.StateOpen, At: closes}); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("reopen: %v", err)
		}
		got, _ = db.Campaign(ctx, c.ID)
		if got.State != core.StateClosed || got.DeadlineAt != nil {
			t.Fatalf("after close: %+v", got)
		}
		// the moment it ended is kept, apart from its planned deadline
		if got.EndedAt == nil || !got.EndedAt.Equal(closes) {
			t.Fatalf("ended at %v, want %v", got.EndedAt, closes)
		}
		if due, _ := db.DueCampaigns(ctx, closes.Add(time.Hour), 10); len(due) != 0 {
			t.Fatalf("closed campaign still due: %v", due)
		}
		out, err := db.Outbox(ctx, core.OutboxPending, 10)
		if err != nil || len(out) != 1 || out[0].Announcement.Key != "announce.closed" || out[0].ChannelID != "-100123" || out[0].Locale != "fr" {
			t.Fatalf("outbox = %+v, %v", out, err)
		}
	})
}

// twoCampaignsCoded makes two ideas campaigns while the code generator gives codes,
// one after the other, and returns them.
func twoCampaignsCoded(t *testing.T, db *storage.DB, sp *core.Space, m *core.Member, codes []string) (*core.Campaign, *core.Campaign) {
	t.Helper()
	var mu sync.Mutex
	db.SetCodeGenerator(func() string {
		mu.Lock()
		defer mu.Unlock()
		c := codes[0]
		codes = codes[1:]
		return c
	})
	first, second := newIdeas(sp, m, nil), newIdeas(sp, m, nil)
	for _, c := range []*core.Campaign{first, second} {
		if err := db.CreateCampaign(context.Background(), c, nil); err != nil {
			t.Fatal(err)
		}
	}
	return first, second
}

func TestCodeCollisionRetries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		sp, m := fixture(t, db)
		codes := []string{"aaaaa", "aaaaa", "aaaaa", "bbbbb"}
		first, second := twoCampaignsCoded(t, db, sp, m, codes)
		if first.Code != "aaaaa" || second.Code != "bbbbb" {
			t.Fatalf("codes %q %q", first.Code, second.Code)
		}
	})
}

func TestConcurrentCreationsGetDistinctCodes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		// a pool of 200 codes makes collisions certain among 50 creations
		pool := make([]string, 200)
		for i := range pool {
			pool[i] = fmt.Sprintf("c%04d", i)
		}
		db.SetCodeGenerator(func() string { return pool[rand.IntN(len(pool))] })
		const creators = 50
		var wg sync.WaitGroup
		errs := make(chan error, creators)
		made := make(chan string, creators)
		for range creators {
			wg.Go(func() {
				c := newIdeas(sp, m, nil)
				if err := db.CreateCampaign(ctx, c, nil); err != nil {
					errs <- err
					return
				}
				made <- c.Code
			})
		}
		wg.Wait()
		close(errs)
		close(made)
		for err := range errs {
			t.Error(err)
		}
		seen := map[string]bool{}
		for code := range made {
			if seen[code] {
				t.Errorf("code %s given twice", code)
			}
			seen[code] = true
		}
		list, _ := db.Campaigns(ctx, core.CampaignFilter{Limit: 500})
		if len(seen) != creators || len(list) != creators {
			t.Fatalf("%d codes, %d campaigns stored; want %d", len(seen), len(list), creators)
		}
	})
}

func TestDuplicateUpdateChangesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		sp, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(context.Background(), c, nil); err != nil {
			t.Fatal(err)
		}
		first := core.WithUpdate(context.Background(), core.Telegram, "1001")
		if err := db.SetSchedule(first, c.ID, "0 9 * * *"); err != nil {
			t.Fatal(err)
		}
		// a second transaction of the same request is not a repeat
		if err := db.SetSchedule(first, c.ID, "0 10 * * *"); err != nil {
			t.Fatalf("same request, second write: %v", err)
		}
		again := core.WithUpdate(context.Background(), core.Telegram, "1001")
		if err := db.SetSchedule(again, c.ID, "0 11 * * *"); core.ErrorCode(err) != core.EDUPLICATE {
			t.Fatalf("redelivered update: %v", err)
		}
		got, _ := db.Campaign(context.Background(), c.ID)
		if got.Schedule != "0 10 * * *" {
			t.Fatalf("schedule = %q, the repeat changed it", got.Schedule)
		}
		// the same id on another platform is another update
		other := core.WithUpdate(context.Background(), core.Discord, "1001")
		if err := db.SetSchedule(other, c.ID, "0 12 * * *"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOnceAnnouncementsQueueOncePerChannel(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100123", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LinkChannel(ctx, core.ChannelLink{CampaignID: c.ID, Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100999", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		a := core.CampaignAnnouncement(c, "announce.milestone", "percent", 50)
		a.Once = "milestone:50"
		for range 3 {
			if err := db.Enqueue(ctx, t0, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Enqueue(ctx, t0, core.MemberNotice(c, m.ID, "notice.hello")); err != nil {
			t.Fatal(err)
		}
		out, _ := db.Outbox(ctx, core.OutboxPending, 100)
		if len(out) != 3 {
			t.Fatalf("outbox has %d rows, want 2 channel rows and 1 notice: %+v", len(out), out)
		}
		if out[0].MemberID != m.ID || out[0].Platform != core.Telegram || out[0].ChannelID != "" {
			t.Fatalf("notice row = %+v", out[0])
		}
		if out[1].Announcement.Args["percent"] != float64(50) {
			t.Fatalf("args = %#v", out[1].Announcement.Args)
		}
	})
}

func TestMemberAndSpaceUpserts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ref := core.MemberRef{Platform: core.Discord, ExternalID: "80351110224678912", Name: "Nelly"}
		var wg sync.WaitGroup
		ids := make([]int64, 20)
		for i := range ids {
			wg.Go(func() {
				m, err := db.UpsertMember(ctx, ref, t0)
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = m.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] || id == 0 {
				t.Fatalf("concurrent first sight made several members: %v", ids)
			}
		}
		ref.Name = "Nelly B"
		m, err := db.UpsertMember(ctx, ref, t0)
		if err != nil || m.Name != "Nelly B" || m.ID != ids[0] {
			t.Fatalf("rename: %+v %v", m, err)
		}
		if err := db.SetMemberLocale(ctx, m.ID, "it"); err != nil {
			t.Fatal(err)
		}
		if m, _ := db.Member(ctx, m.ID); m.Locale != "it" {
			t.Fatalf("locale = %q", m.Locale)
		}
		sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Discord, ExternalID: "41771983423143937", Title: "Guild"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RetireSpace(ctx, core.Discord, "41771983423143937"); err != nil {
			t.Fatal(err)
		}
		back, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Discord, ExternalID: "41771983423143937", Title: "Guild"}, t0)
		if err != nil || back.ID != sp.ID || back.Retired {
			t.Fatalf("re-added space: %+v %v", back, err)
		}
		// an update that does not name the space keeps its known title
		if nameless, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Discord, ExternalID: "41771983423143937"}, t0); err != nil || nameless.Title != "Guild" {
			t.Fatalf("nameless update: %+v %v", nameless, err)
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		before, err := db.Applied(ctx)
		if err != nil || len(before) == 0 {
			t.Fatalf("applied = %v, %v", before, err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		after, _ := db.Applied(ctx)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Fatalf("applied changed: %v -> %v", before, after)
		}
	})
}

// TestMigrateTwoProcesses starts two processes that migrate a fresh database at the
// same moment; both must succeed and every migration must be applied once.
func TestMigrateTwoProcesses(t *testing.T) {
	dsns := map[string]func(testing.TB) string{"sqlite": storagetest.SQLiteDSN}
	if storagetest.PostgresDSN() != "" {
		dsns["postgres"] = storagetest.PostgresSchemaDSN
	}
	for name, mk := range dsns {
		t.Run(name, func(t *testing.T) {
			dsn := mk(t)
			var wg sync.WaitGroup
			outs := make([][]byte, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() {
					cmd := exec.Command(os.Args[0], "-test.run=^$")
					cmd.Env = append(os.Environ(), "CROWDBOT_TEST_MIGRATE_CHILD="+dsn)
					outs[i], errs[i] = cmd.CombinedOutput()
				})
			}
			wg.Wait()
			for i := range 2 {
				if errs[i] != nil {
					t.Fatalf("process %d: %v\n%s", i, errs[i], outs[i])
				}
			}
			db, err := storage.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			applied, err := db.Applied(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, id := range applied {
				if seen[id] {
					t.Fatalf("migration %s applied twice", id)
				}
				seen[id] = true
			}
			if len(applied) == 0 {
				t.Fatal("nothing applied")
			}
		})
	}
}

// TestLinkKeys: a campaign has one link key at a time, a new one replacing the last.
func TestLinkKeys(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		if hash, _, err := db.LinkKey(ctx, c.ID); err != nil || hash != "" {
			t.Fatalf("no key yet: %q, %v", hash, err)
		}
		for i, hash := range []string{"first", "second"} {
			until := t0.Add(time.Duration(i+1) * time.Hour)
			if err := db.SetLinkKey(ctx, c.ID, hash, until); err != nil {
				t.Fatal(err)
			}
			got, gotUntil, err := db.LinkKey(ctx, c.ID)
			if err != nil || got != hash || !gotUntil.Equal(until) {
				t.Fatalf("key %d: %q until %v, %v", i, got, gotUntil, err)
			}
		}
	})
}

// TestTryoutAdminClaim: many first members at once, on several connections; exactly
// one name wins and every claim agrees on it.
func TestTryoutAdminClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		const n = 16
		won := make([]string, n)
		errs := storagetest.Crowd(n, n, func(i int) error {
			var err error
			won[i], err = db.ClaimTryoutAdmin(context.Background(), "web:web", fmt.Sprint("name", i), t0)
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range won {
			if won[i] != won[0] || won[0] == "" {
				t.Fatalf("claims disagree: %v", won)
			}
		}
		if got, err := db.ClaimTryoutAdmin(context.Background(), "web:web", "late", t0); err != nil || got != won[0] {
			t.Fatalf("a later claim: %q %v", got, err)
		}
		if got, _ := db.ClaimTryoutAdmin(context.Background(), "web:other", "late", t0); got != "late" {
			t.Fatalf("another space has its own: %q", got)
		}
	})
}

// TestCrowdOfNewMembers: many people the bot has never seen at once (on Postgres they
// share batched statements): each gets one member of their own, and renames land.
func TestCrowdOfNewMembers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		const n = 200
		ids := make([]int64, n)
		upsert := func(name string) []error {
			return storagetest.Crowd(n, 32, func(i int) error {
				m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: fmt.Sprint("crowd-", i), Name: fmt.Sprint(name, i)}, t0)
				if err == nil && (ids[i] != 0 && ids[i] != m.ID || m.Name != fmt.Sprint(name, i)) {
					err = fmt.Errorf("member %d: %+v, was id %d", i, m, ids[i])
				}
				if err == nil {
					ids[i] = m.ID
				}
				return err
			})
		}
		if errs := upsert("first "); len(errs) > 0 {
			t.Fatal(errs[0])
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			seen[id] = true
		}
		count, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM members WHERE external_id LIKE 'crowd-%'")
		if err != nil || len(seen) != n || count != n {
			t.Fatalf("%d distinct ids, %d rows, %v", len(seen), count, err)
		}
		if errs := upsert("renamed "); len(errs) > 0 {
			t.Fatal(errs[0])
		}
		m, err := db.FindMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "crowd-7"})
		if err != nil || m == nil || m.Name != "renamed 7" || m.ID != ids[7] {
			t.Fatalf("after renames: %+v %v", m, err)
		}
	})
}

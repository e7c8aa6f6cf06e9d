package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

const day = 24 * time.Hour

// deliver claims the oldest pending row of the campaign's channel at now and marks
// it sent, or parks it.
func deliver(t *testing.T, db *storage.DB, now time.Time, park bool) core.OutboxItem {
	t.Helper()
	ctx := context.Background()
	items, err := db.ClaimOutbox(ctx, core.Telegram, now, 0, time.Minute, "tok", 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim at %v: %v %+v", now, err, items)
	}
	it := items[0]
	if park {
		err = db.ParkOutbox(ctx, it.ID, "tok", "gone")
	} else {
		_, err = db.MarkSent(ctx, it.ID, "tok", "m1", now)
	}
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// outboxIDs returns the ids of the outbox rows in a state ("" for all).
func outboxIDs(t *testing.T, db *storage.DB, state core.OutboxState) []int64 {
	t.Helper()
	items, err := db.Outbox(context.Background(), state, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestPruneOutbox: rows sent or parked before the cut-off go; pending rows, rows sent
// since, and a live poll's card stay; an announcement queued again with the once key
// of a pruned row is not queued again.
func TestPruneOutbox(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100123", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		milestone := core.CampaignAnnouncement(c, "announce.milestone", "percent", 50)
		milestone.Once = "milestone:50"
		enqueue := func(at time.Time, a core.Announcement) {
			t.Helper()
			if err := db.Enqueue(ctx, at, a); err != nil {
				t.Fatal(err)
			}
		}
		enqueue(t0, milestone)
		oldSent := deliver(t, db, t0, false)
		enqueue(t0, core.CampaignAnnouncement(c, "announce.parked"))
		parked := deliver(t, db, t0, true)
		enqueue(t0, core.CampaignAnnouncement(c, "poll.card"))
		card := deliver(t, db, t0, false)
		if ok, err := db.ClaimPollCard(ctx, card.ID, 1, core.StateOpen); err != nil || !ok {
			t.Fatal(ok, err)
		}
		at := t0.Add(6 * day)
		enqueue(at, core.CampaignAnnouncement(c, "announce.recent"))
		recent := deliver(t, db, at, false)
		enqueue(t0, core.CampaignAnnouncement(c, "announce.pending"))
		pending := outboxIDs(t, db, core.OutboxPending)

		now := t0.Add(8 * day)
		n, err := db.PruneOutbox(ctx, now.Add(-7*day), now.Add(-7*day), 100)
		if err != nil || n != 2 {
			t.Fatalf("pruned %d rows (%v), want the old sent and the parked one", n, err)
		}
		want := []int64{card.ID, recent.ID, pending[0]}
		if got := outboxIDs(t, db, ""); !slices.Equal(got, want) {
			t.Fatalf("left %v, want %v (gone: %d sent, %d parked)", got, want, oldSent.ID, parked.ID)
		}

		// the milestone's key is spent for good; another milestone is not
		enqueue(now, milestone)
		if n := outboxCount(t, db, "announce.milestone"); n != 0 {
			t.Fatalf("the pruned milestone was queued again: %d rows", n)
		}
		other := milestone
		other.Once = "milestone:75"
		enqueue(now, other)
		enqueue(now, other)
		if n := outboxCount(t, db, "announce.milestone"); n != 1 {
			t.Fatalf("a new milestone queued %d rows, want 1", n)
		}

		// the card goes once the campaign has been closed for longer than the cards'
		// cut-off, its poll card record with it
		if err := db.Exec(ctx, "UPDATE campaigns SET state = 'closed', updated_at = ? WHERE id = ?", t0.Add(day/2), c.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneOutbox(ctx, now.Add(-7*day), t0, 100); err != nil || n != 0 {
			t.Fatalf("pruned %d rows (%v), want none: the card's campaign changed after its cut-off", n, err)
		}
		if n, err := db.PruneOutbox(ctx, now.Add(-7*day), now.Add(-7*day), 100); err != nil || n != 1 {
			t.Fatalf("pruned %d rows (%v), want the closed poll's card", n, err)
		}
		if left, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM poll_cards"); err != nil || left != 0 {
			t.Fatalf("poll cards left: %d %v", left, err)
		}
	})
}

// TestPruneOutboxInBatches: each call deletes at most limit rows.
func TestPruneOutboxInBatches(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100123", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		for i := range 7 {
			if err := db.Enqueue(ctx, t0, core.CampaignAnnouncement(c, "announce.n", "n", i)); err != nil {
				t.Fatal(err)
			}
			deliver(t, db, t0, false)
		}
		var got []int
		for range 4 {
			n, err := db.PruneOutbox(ctx, t0.Add(day), t0.Add(day), 3)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		if !slices.Equal(got, []int{3, 3, 1, 0}) {
			t.Fatalf("batches deleted %v, want [3 3 1 0]", got)
		}
	})
}

// TestPruneUpdates: updates recorded before the cut-off are forgotten, in batches; a
// recent one is still recognised when delivered again.
func TestPruneUpdates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"1", "2", "3", "4"} {
			if err := db.SetSchedule(core.WithUpdate(ctx, core.Telegram, id), c.ID, "0 9 * * *"); err != nil {
				t.Fatal(err)
			}
		}
		// updates are stamped by the wall clock; three of them are made old
		now := time.Now().UTC()
		if err := db.Exec(ctx, "UPDATE processed_updates SET created_at = ? WHERE key <> 'telegram:4'", now.Add(-72*time.Hour)); err != nil {
			t.Fatal(err)
		}
		before := now.Add(-48 * time.Hour)
		if n, err := db.PruneUpdates(ctx, before, 2); err != nil || n != 2 {
			t.Fatalf("first batch pruned %d (%v), want 2", n, err)
		}
		if n, err := db.PruneUpdates(ctx, before, 2); err != nil || n != 1 {
			t.Fatalf("second batch pruned %d (%v), want 1", n, err)
		}
		if left, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM processed_updates"); err != nil || left != 1 {
			t.Fatalf("%d updates left (%v), want the recent one", left, err)
		}
		err := db.SetSchedule(core.WithUpdate(ctx, core.Telegram, "4"), c.ID, "0 10 * * *")
		if core.ErrorCode(err) != core.EDUPLICATE {
			t.Fatalf("recent update delivered again: %v, want a duplicate", err)
		}
		// one forgotten past the window is taken as new
		if err := db.SetSchedule(core.WithUpdate(ctx, core.Telegram, "1"), c.ID, "0 11 * * *"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPruneIdleMembers: an old web visitor who did nothing goes (and a visit after
// that makes a new member); anyone who did anything, chose a language, is recent, is
// a try-out name or is on another platform stays.
func TestPruneIdleMembers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := t0.Add(60 * day)
		member := func(platform core.Platform, id string, at time.Time) *core.Member {
			t.Helper()
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: platform, ExternalID: id, Name: id}, at)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		idle := member(core.Web, "~idle", t0)
		oldPrompt := member(core.Web, "~oldprompt", t0)
		if err := db.SetPrompt(ctx, oldPrompt.ID, core.Web, "chat", "idea", t0.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		stay := map[string]*core.Member{
			"recent":  member(core.Web, "~recent", now.Add(-day)),
			"tryout":  member(core.Web, "bob", t0),
			"discord": member(core.Discord, "1234", t0),
			"locale":  member(core.Web, "~fr", t0),
			"owner":   member(core.Web, "~owner", t0),
			"author":  member(core.Web, "~author", t0),
			"voter":   member(core.Web, "~voter", t0),
			"points":  member(core.Web, "~points", t0),
			"referer": member(core.Web, "~referrer", t0),
			"referee": member(core.Web, "~referee", t0),
			"notice":  member(core.Web, "~notice", t0),
			"prompt":  member(core.Web, "~prompt", t0),
		}
		if err := db.SetMemberLocale(ctx, stay["locale"].ID, "fr"); err != nil {
			t.Fatal(err)
		}
		sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Web, ExternalID: "web"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		c := newIdeas(sp, stay["owner"], nil)
		if err := db.CreateCampaign(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		idea, _, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: stay["author"].ID, Text: "Mint", Status: core.IdeaOpen, CreatedAt: t0}, core.IdeaKey("Mint"), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if voted, _, err := db.ToggleIdeaVote(ctx, idea.ID, stay["voter"], t0, 0); err != nil || !voted {
			t.Fatal(voted, err)
		}
		if err := db.Exec(ctx, "INSERT INTO points (campaign_id, member_id, action, amount, created_at) VALUES (?, ?, 'vote', 1, ?)", c.ID, stay["points"].ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := db.FundAddReferral(ctx, c.ID, stay["referee"].ID, stay["referer"].ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.Enqueue(ctx, t0, core.MemberNotice(c, stay["notice"].ID, "notice.hello")); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPrompt(ctx, stay["prompt"].ID, core.Web, "chat", "idea", now.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}

		before := now.Add(-30 * day)
		if n, err := db.PruneIdleMembers(ctx, before, 1); err != nil || n != 1 {
			t.Fatalf("first batch pruned %d (%v), want 1", n, err)
		}
		if n, err := db.PruneIdleMembers(ctx, before, 10); err != nil || n != 1 {
			t.Fatalf("second batch pruned %d (%v), want 1", n, err)
		}
		if n, err := db.PruneIdleMembers(ctx, before, 10); err != nil || n != 0 {
			t.Fatalf("third batch pruned %d (%v), want none", n, err)
		}
		for _, gone := range []*core.Member{idle, oldPrompt} {
			if _, err := db.Member(ctx, gone.ID); core.ErrorCode(err) != core.ENOTFOUND {
				t.Fatalf("%s is still there: %v", gone.ExternalID, err)
			}
		}
		if left, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM prompts"); err != nil || left != 1 {
			t.Fatalf("%d prompts left (%v), want the recent one", left, err)
		}
		for why, m := range stay {
			if _, err := db.Member(ctx, m.ID); err != nil {
				t.Fatalf("%s member %s was pruned: %v", why, m.ExternalID, err)
			}
		}
		// the visitor coming back is a new member, not the cached row of the old one
		back := member(core.Web, "~idle", now)
		if back.ID == idle.ID || !back.CreatedAt.Equal(now) {
			t.Fatalf("visitor back as %+v, the pruned row was %+v", back, idle)
		}
		if _, err := db.Member(ctx, back.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMemberRefsCoverSchema: every column that refers to a member (by a foreign key,
// or by a name that says so) keeps members from being pruned.
func TestMemberRefsCoverSchema(t *testing.T) {
	db := storagetest.SQLite(t)
	ctx := context.Background()
	refs := storage.MemberRefs()
	tables, err := db.QueryStrings(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil || len(tables) < 20 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	named := []string{"member_id", "author_id", "created_by", "referrer_id", "leased_by", "reviewed_by"}
	checked := 0
	for _, table := range tables {
		fks, err := db.QueryStrings(ctx, `SELECT "from" FROM pragma_foreign_key_list(?) WHERE "table" = 'members'`, table)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := db.QueryStrings(ctx, "SELECT name FROM pragma_table_info(?)", table)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range cols {
			if !slices.Contains(fks, col) && !slices.Contains(named, col) {
				continue
			}
			checked++
			if !slices.Contains(refs, table+"."+col) {
				t.Errorf("%s.%s refers to a member but does not keep one from being pruned", table, col)
			}
		}
	}
	if checked != len(refs) {
		t.Errorf("found %d member columns in the schema, the prune knows %d: %s", checked, len(refs), strings.Join(refs, ", "))
	}
}

// TestClaimChore: of the callers asking at one moment one runs the chore, and it is
// due again every interval.
func TestClaimChore(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		claim := func(at time.Time) bool {
			t.Helper()
			ok, err := db.ClaimChore(ctx, "cleanup", at, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		got := []bool{claim(t0), claim(t0), claim(t0.Add(4 * time.Minute)), claim(t0.Add(5 * time.Minute)), claim(t0.Add(5 * time.Minute))}
		if !slices.Equal(got, []bool{true, false, false, true, false}) {
			t.Fatalf("claims = %v", got)
		}
		if ok, err := db.ClaimChore(ctx, "other", t0, time.Minute); err != nil || !ok {
			t.Fatalf("another chore is claimed on its own: %v %v", ok, err)
		}
	})
}

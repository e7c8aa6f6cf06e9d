package storage_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// contestFixture makes a contest taking entries until t0+24h and voting until
// t0+72h, with n entries by distinct authors; voting opens when vote is true.
func contestFixture(t testing.TB, db *storage.DB, n, perMember int, vote bool) (*core.Campaign, []int64) {
	t.Helper()
	ctx := context.Background()
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Web, ExternalID: "web"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	owner, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "owner"}, t0)
	entriesClose, votingClose := t0.Add(24*time.Hour), t0.Add(72*time.Hour)
	c := &core.Campaign{Kind: core.KindContest, Title: "Logo", SpaceID: sp.ID, State: core.StateOpen, OpensAt: t0,
		ClosesAt: &votingClose, DeadlineAt: &entriesClose, CreatedBy: owner.ID, CreatedAt: t0, UpdatedAt: t0}
	k := &core.Contest{Type: core.ContestDesign, Prize: core.Money{Amount: 30000, Currency: "EUR"}, PerMember: perMember,
		Judging: core.JudgingCommunity, EntriesCloseAt: entriesClose, Round: 1}
	if err := db.CreateContest(ctx, c, k, nil); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		author, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: fmt.Sprintf("author%d", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		e := &core.Entry{CampaignID: c.ID, AuthorID: author.ID, Title: fmt.Sprint("entry ", i), Kind: core.EntryLink,
			Link: "https://example.com", Status: core.EntryActive, CreatedAt: t0}
		if err := db.AddEntry(ctx, e, 5); err != nil {
			t.Fatal(err)
		}
		ids[i] = e.ID
	}
	if vote {
		err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateVoting,
			At: entriesClose, NextDeadline: &votingClose})
		if err != nil {
			t.Fatal(err)
		}
	}
	return c, ids
}

// TestConcurrentEntryVotes has 2,000 members vote at once from 64 goroutines on 50
// entries; a tenth move their vote to the next entry and another tenth to the one
// before (row locks in both orders), and a tenth press the same vote twice. Every
// count must be exact. (On SQLite under -race the crowd is a tenth: see Scale.)
func TestConcurrentEntryVotes(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, entries := contestFixture(t, db, 50, 1, true)
		now := t0.Add(30 * time.Hour)
		members, workers := storagetest.Scale(db, 2000), 64
		want := make([]atomic.Int64, len(entries))
		failures := storagetest.Crowd(members, workers, func(i int) error {
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(7000 + i)}, now)
			if err != nil {
				return err
			}
			at := i % len(entries)
			if v, err := db.CastEntryVote(ctx, entries[at], m.ID, now, 1); err != nil || v.Previous != 0 || v.Round != 1 {
				return fmt.Errorf("member %d vote: %+v %v", i, v, err)
			}
			var problem error
			switch i % 10 {
			case 3:
				if _, err := db.CastEntryVote(ctx, entries[at], m.ID, now, 1); core.AsError(err) == nil || core.AsError(err).Key != "error.entry_already_voted" {
					problem = fmt.Errorf("member %d double vote: %v", i, err)
				}
			case 5, 7:
				to := (at + 1) % len(entries)
				if i%10 == 7 {
					to = (at + len(entries) - 1) % len(entries)
				}
				if v, err := db.CastEntryVote(ctx, entries[to], m.ID, now, 1); err != nil || v.Previous != entries[at] {
					return fmt.Errorf("member %d change: %+v %v", i, v, err)
				}
				at = to
			}
			want[at].Add(1)
			return problem
		})
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		sum := 0
		for i, id := range entries {
			e, err := db.Entry(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if int64(e.Votes) != want[i].Load() {
				t.Errorf("entry %d has %d votes, want %d", i, e.Votes, want[i].Load())
			}
			sum += e.Votes
		}
		if n, votes, _ := db.ContestTotals(ctx, c.ID); n != 50 || votes != members || sum != members {
			t.Errorf("totals: %d entries, %d vote rows, %d counted; want 50, %d, %d", n, votes, sum, members, members)
		}
	})
}

// TestConcurrentEntriesRespectLimit: one member sends many entries at once to a
// contest that takes two each; exactly two land.
func TestConcurrentEntriesRespectLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, _ := contestFixture(t, db, 0, 2, false)
		m, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "eager"}, t0)
		var ok, limited atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				e := &core.Entry{CampaignID: c.ID, AuthorID: m.ID, Title: fmt.Sprint("try ", i), Kind: core.EntryText, Text: "x",
					Status: core.EntryActive, CreatedAt: t0.Add(time.Hour)}
				switch err := db.AddEntry(ctx, e, 5); core.ErrorCode(err) {
				case "":
					ok.Add(1)
				case core.ELIMIT:
					limited.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 2 || limited.Load() != 18 {
			t.Fatalf("%d entries landed, %d refused; want 2 and 18", ok.Load(), limited.Load())
		}
		// late: the entry's own time is past the close, whatever the state says
		late := &core.Entry{CampaignID: c.ID, AuthorID: m.ID, Title: "late", Kind: core.EntryText, Text: "x",
			Status: core.EntryActive, CreatedAt: t0.Add(24 * time.Hour)}
		if err := db.AddEntry(ctx, late, 5); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("late entry: %v", err)
		}
	})
}

// TestEntryVoteRules: the database refuses a vote for one's own entry, a vote past
// the round's deadline, and a vote once the contest is closed.
func TestEntryVoteRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, entries := contestFixture(t, db, 2, 1, true)
		e, _ := db.Entry(ctx, entries[0])
		now := t0.Add(30 * time.Hour)
		if _, err := db.CastEntryVote(ctx, e.ID, e.AuthorID, now, 1); core.ErrorCode(err) != core.EFORBIDDEN {
			t.Fatalf("own vote: %v", err)
		}
		// even a statement that skips the store's checks cannot record it
		err := db.Exec(ctx, "INSERT INTO contest_votes (campaign_id, round, member_id, entry_id, author_id, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)",
			c.ID, e.AuthorID, e.ID, e.AuthorID, now, now)
		if err == nil {
			t.Fatal("the database took a vote for one's own entry")
		}
		voter, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "voter"}, now)
		if _, err := db.CastEntryVote(ctx, e.ID, voter.ID, t0.Add(72*time.Hour), 1); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("vote at the deadline: %v", err)
		}
		if _, err := db.CastEntryVote(ctx, 999999, voter.ID, now, 1); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("vote for no entry: %v", err)
		}
		w, err := db.CloseContest(ctx, core.ContestClose{Transition: core.Transition{CampaignID: c.ID, From: core.StateVoting, To: core.StateClosed, At: now},
			AutoWinner: true, Round: 1, Prize: core.Money{Amount: 100, Currency: "EUR"}, Announce: func(*core.Entry) []core.Announcement { return nil }})
		if err != nil || w != nil {
			t.Fatalf("close with no votes: winner %v, %v", w, err)
		}
		if _, err := db.CastEntryVote(ctx, e.ID, voter.ID, now, 1); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("vote after close: %v", err)
		}
	})
}

// TestEntryVoteMovedToOwnEntry: a vote moved from another's entry to one's own is
// refused by the check constraint too, and leaves the vote and the counts where
// they were.
func TestEntryVoteMovedToOwnEntry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, entries := contestFixture(t, db, 2, 1, true)
		e, _ := db.Entry(ctx, entries[0])
		now := t0.Add(30 * time.Hour)
		if _, err := db.CastEntryVote(ctx, entries[1], e.AuthorID, now, 1); err != nil {
			t.Fatalf("vote for another's entry: %v", err)
		}
		if _, err := db.CastEntryVote(ctx, e.ID, e.AuthorID, now, 1); core.ErrorCode(err) != core.EFORBIDDEN {
			t.Fatalf("vote moved to one's own entry: %v", err)
		}
		if got, _ := db.MemberEntryVote(ctx, c.ID, 1, e.AuthorID); got != entries[1] {
			t.Fatalf("the author's vote is on %d, want %d", got, entries[1])
		}
		if a, _ := db.Entry(ctx, e.ID); a.Votes != 0 {
			t.Fatalf("own entry counts %d votes", a.Votes)
		}
		if b, _ := db.Entry(ctx, entries[1]); b.Votes != 1 {
			t.Fatalf("other entry counts %d votes, want 1", b.Votes)
		}
	})
}

// TestConcurrentPicks: several admins pick different winners at once; one wins, and
// one prize is credited.
func TestConcurrentPicks(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, entries := contestFixture(t, db, 10, 1, true)
		var won atomic.Int32
		var wg sync.WaitGroup
		for _, id := range entries {
			wg.Go(func() {
				_, err := db.AwardEntry(ctx, core.Award{EntryID: id, Reason: core.AwardPrize, Amount: core.Money{Amount: 30000, Currency: "EUR"},
					States: []core.State{core.StateVoting}, At: t0, Announce: func(*core.Entry) []core.Announcement { return nil }})
				switch core.ErrorCode(err) {
				case "":
					won.Add(1)
				case core.ECONFLICT:
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		k, err := db.Contest(ctx, c.ID)
		if err != nil || won.Load() != 1 || k.WinnerEntryID == nil {
			t.Fatalf("%d winners, contest %+v, %v", won.Load(), k, err)
		}
		p, _ := db.ContestPayouts(ctx, c.ID)
		if len(p) != 1 || p[0].EntryID != *k.WinnerEntryID || p[0].Amount.Amount != 30000 {
			t.Fatalf("payouts %+v", p)
		}
		earned, _ := db.Earnings(ctx, p[0].MemberID)
		if len(earned) != 1 || earned[0].Amount.Amount != 30000 || earned[0].Count != 1 {
			t.Fatalf("earnings %+v", earned)
		}
	})
}

// TestEntriesList lists a contest's active entries in order of submission, up to a
// limit, with how many there are; a disqualified entry is left out.
func TestEntriesList(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ids := contestFixture(t, db, 4, 1, false)
		if err := db.DisqualifyEntry(ctx, ids[1], "copied", core.MemberNotice(c, 1, "notice.entry_disqualified"), 5, t0); err != nil {
			t.Fatal(err)
		}
		list, total, err := db.Entries(ctx, c.ID, core.EntryFilter{}, 2)
		if err != nil || total != 3 || len(list) != 2 || list[0].ID != ids[0] || list[1].ID != ids[2] || list[0].AuthorName == "" && list[0].AuthorID == 0 {
			t.Fatalf("entries = %+v, %d, %v", list, total, err)
		}
	})
}

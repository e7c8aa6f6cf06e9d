package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// ideasFixture makes an open ideas campaign with n ideas by distinct authors.
func ideasFixture(t testing.TB, db *storage.DB, n int) (*core.Campaign, []int64) {
	t.Helper()
	ctx := context.Background()
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Web, ExternalID: "web"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	owner, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "owner"}, t0)
	c := &core.Campaign{Kind: core.KindIdeas, Title: "Board", SpaceID: sp.ID, State: core.StateOpen, OpensAt: t0,
		CreatedBy: owner.ID, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateCampaign(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		author, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: fmt.Sprintf("author%d", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprintf("idea %d", i)
		idea, created, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: author.ID, Text: text, Status: core.IdeaOpen, CreatedAt: t0}, core.IdeaKey(text), 5, nil)
		if err != nil || !created {
			t.Fatal(created, err)
		}
		ids[i] = idea.ID
	}
	return c, ids
}

// TestConcurrentIdeaVotes has 10,000 members vote at once from 64 goroutines on 100
// ideas; a tenth of them also vote for a second idea and take it back. Every count
// must be exact. (On SQLite under -race the crowd is a tenth: see Scale.)
func TestConcurrentIdeaVotes(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ideas := ideasFixture(t, db, 100)
		members := storagetest.Scale(db, 10000)
		failures := storagetest.Crowd(members, 64, func(i int) error {
			// each member is seen for the first time, then votes
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(5000 + i)}, t0)
			if err != nil {
				return err
			}
			if voted, _, err := db.ToggleIdeaVote(ctx, ideas[i%len(ideas)], m, t0, 1); err != nil || !voted {
				return fmt.Errorf("member %d vote: %v %v", i, voted, err)
			}
			if i%10 == 0 {
				other := ideas[(i+1)%len(ideas)]
				if voted, _, err := db.ToggleIdeaVote(ctx, other, m, t0, 1); err != nil || !voted {
					return fmt.Errorf("member %d second vote: %v %v", i, voted, err)
				}
				if voted, _, err := db.ToggleIdeaVote(ctx, other, m, t0, 1); err != nil || voted {
					return fmt.Errorf("member %d withdraw: %v %v", i, voted, err)
				}
			}
			return nil
		})
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		page, err := db.Ideas(ctx, c.ID, core.IdeaQuery{Sort: core.IdeasTop, Page: 1, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Ideas) != 100 {
			t.Fatalf("%d ideas listed", len(page.Ideas))
		}
		for _, idea := range page.Ideas {
			if idea.Votes != members/len(ideas) {
				t.Errorf("idea %d has %d votes, want %d", idea.ID, idea.Votes, members/len(ideas))
			}
		}
		if n, v, _ := db.IdeaTotals(ctx, c.ID); n != 100 || v != members {
			t.Errorf("totals %d ideas %d votes", n, v)
		}
	})
}

// TestConcurrentTwinIdeas submits the same text from many members at once: one idea
// is stored and everyone else is pointed to it.
func TestConcurrentTwinIdeas(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, _ := ideasFixture(t, db, 0)
		var wg sync.WaitGroup
		results := make([]int64, 20)
		createdCount := make([]bool, 20)
		for i := range results {
			wg.Go(func() {
				m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: fmt.Sprint("twin", i)}, t0)
				if err != nil {
					t.Error(err)
					return
				}
				idea, created, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: m.ID, Text: "Same", Status: core.IdeaOpen, CreatedAt: t0}, core.IdeaKey("same"), 5, nil)
				if err != nil {
					t.Error(err)
					return
				}
				results[i], createdCount[i] = idea.ID, created
			})
		}
		wg.Wait()
		made := 0
		for i := range results {
			if results[i] != results[0] {
				t.Fatalf("twins got different ideas: %v", results)
			}
			if createdCount[i] {
				made++
			}
		}
		if made != 1 {
			t.Fatalf("%d submissions report creating the idea", made)
		}
	})
}

func TestVoteOnClosedCampaignRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ideas := ideasFixture(t, db, 1)
		voter, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "voter"}, t0)
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateClosed, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ToggleIdeaVote(ctx, ideas[0], voter, t0, 1); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("vote on closed campaign: %v", err)
		}
	})
}

// TestIdeaVoteRuleOnBothPaths: a vote for one's own idea, for a hidden idea or on a
// closed board is refused the same way whichever path it takes: the general path
// says why, and on Postgres a batch of first votes lands none of them (and the
// general path they fall back to says why). Nothing of a refused vote is written.
func TestIdeaVoteRuleOnBothPaths(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ideas := ideasFixture(t, db, 2)
		open, hidden := ideas[0], ideas[1]
		if err := db.HideIdea(ctx, hidden, true); err != nil {
			t.Fatal(err)
		}
		idea, _ := db.Idea(ctx, open)
		author, _ := db.FindMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "author0"})
		voter, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "voter"}, t0)
		if author == nil || author.ID != idea.AuthorID {
			t.Fatalf("author %+v of idea %+v", author, idea)
		}
		refused := func(name string, ideaID int64, m *core.Member, want core.Code) {
			t.Helper()
			if db.Dialect() == storage.Postgres {
				res, err := db.FirstVotes(ctx, []storage.FirstVote{{IdeaID: ideaID, MemberID: m.ID, At: t0, Points: 1}})
				if err != nil || res[0].Landed {
					t.Errorf("%s: a batch took it: %+v %v", name, res, err)
				}
			}
			if _, _, err := db.ToggleIdeaVote(ctx, ideaID, m, t0, 1); core.ErrorCode(err) != want {
				t.Errorf("%s: %v, want %s", name, err, want)
			}
			if n, _ := db.QueryInt(ctx, "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", ideaID); n != 0 {
				t.Errorf("%s: %d votes written", name, n)
			}
		}
		refused("own idea", open, author, core.EFORBIDDEN)
		refused("hidden idea", hidden, voter, core.ENOTFOUND)
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateClosed, At: t0}); err != nil {
			t.Fatal(err)
		}
		refused("closed board", open, voter, core.ECLOSED)
		if got, _ := db.Idea(ctx, open); got.Votes != 0 {
			t.Errorf("the idea counts %d votes", got.Votes)
		}
	})
}

func TestAllIdeasExportRows(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ideasFixture(t, db, 2) // another campaign's ideas come first
		c, ideas := ideasFixture(t, db, 3)
		if err := db.HideIdea(ctx, ideas[1], true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TagIdea(ctx, ideas[0], "summer"); err != nil {
			t.Fatal(err)
		}
		rows, err := db.AllIdeas(ctx, c.ID, 1, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want all 3 ideas, hidden ones included", len(rows))
		}
		// ideas are numbered within their campaign
		if rows[0][0] != "1" || rows[2][0] != "3" || rows[0][1] != "web:author0" || rows[0][2] != "idea 0" || rows[0][4] != "summer" || rows[1][6] != "true" {
			t.Fatalf("rows = %q", rows)
		}
	})
}

// TestAllIdeas checks the rows of the ideas export: every column filled in.
func TestAllIdeas(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		c, ids := ideasFixture(t, db, 3)
		rows, err := db.AllIdeas(context.Background(), c.ID, 1, 2)
		if err != nil || len(rows) != 2 {
			t.Fatalf("page 1: %v %v", rows, err)
		}
		if want := fmt.Sprint(ids[0]); rows[0][0] != want || rows[0][1] != "web:author0" || rows[0][2] != "idea 0" || rows[0][3] != "open" || rows[0][5] != "0" || rows[0][8] != t0.UTC().Format("2006-01-02T15:04:05Z07:00") {
			t.Fatalf("row %q", rows[0])
		}
		rows, err = db.AllIdeas(context.Background(), c.ID, 2, 2)
		if err != nil || len(rows) != 1 || rows[0][2] != "idea 2" {
			t.Fatalf("page 2: %q %v", rows, err)
		}
	})
}

// TestFirstVotesBatch runs one batch of the Postgres first-vote statement with votes
// that must land and votes that must change nothing, and checks each answer and
// every row the batch writes.
func TestFirstVotesBatch(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	c, ideas := ideasFixture(t, db, 3)
	a, b, hidden := ideas[0], ideas[1], ideas[2]
	if err := db.HideIdea(ctx, hidden, true); err != nil {
		t.Fatal(err)
	}
	idea, _ := db.Idea(ctx, a)
	authorA := idea.AuthorID
	var m [5]int64
	people := crowd(t, db, len(m))
	for i, mem := range people {
		m[i] = mem.ID
	}
	// m[0] came through m[4]'s link; m[1] voted for a already; an update was seen
	if ok, err := db.AddReferral(ctx, core.Referral{CampaignID: c.ID, MemberID: m[0], ReferrerID: m[4], Via: "t", CreatedAt: t0}, 7); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, _, err := db.ToggleIdeaVote(ctx, a, people[1], t0, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "INSERT INTO processed_updates (key, created_at) VALUES ('telegram:seen', ?)", t0); err != nil {
		t.Fatal(err)
	}

	batch := []storage.FirstVote{
		{IdeaID: a, MemberID: m[0], Key: "telegram:1", At: t0, Points: 2}, // lands
		{IdeaID: a, MemberID: m[1], Key: "telegram:2", At: t0, Points: 2}, // voted before
		{IdeaID: a, MemberID: authorA, At: t0, Points: 2},                 // own idea
		{IdeaID: hidden, MemberID: m[2], At: t0, Points: 2},               // hidden
		{IdeaID: 1 << 40, MemberID: m[2], At: t0, Points: 2},              // no such idea
		{IdeaID: a, MemberID: m[2], At: t0, Points: 2},                    // lands
		{IdeaID: b, MemberID: m[0], Key: "telegram:3", At: t0, Points: 0}, // lands, no points
	}
	res, err := db.FirstVotes(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	landed := []bool{true, false, false, false, false, true, true}
	votes := []int{3, 0, 0, 0, 0, 3, 1}
	for i, r := range res {
		if r.Landed != landed[i] || r.Votes != votes[i] {
			t.Errorf("vote %d: landed %v with %d votes, want %v with %d", i, r.Landed, r.Votes, landed[i], votes[i])
		}
	}
	for id, want := range map[int64]int{a: 3, b: 1, hidden: 0} {
		if got, _ := db.Idea(ctx, id); got.Votes != want {
			t.Errorf("idea %d has %d votes, want %d", id, got.Votes, want)
		}
	}
	// the updates of the votes that landed are recorded, the others are not (the
	// last one lands now: m[1]'s vote for b)
	for id, want := range map[string]core.Code{"1": core.EDUPLICATE, "3": core.EDUPLICATE, "2": ""} {
		ctx := core.WithUpdate(ctx, core.Telegram, id)
		if _, _, err := db.ToggleIdeaVote(ctx, b, people[1], t0, 1); core.ErrorCode(err) != want {
			t.Errorf("update %s again: %v, want %q", id, err, want)
		}
	}
	// a batch with an update seen before fails whole and writes nothing; on their
	// own, through the general path, each vote gets its answer
	if _, err := db.FirstVotes(ctx, []storage.FirstVote{
		{IdeaID: b, MemberID: m[2], At: t0, Points: 2},
		{IdeaID: b, MemberID: m[3], Key: "telegram:seen", At: t0, Points: 2},
	}); err == nil {
		t.Error("a batch with an update seen before landed")
	}
	if got, _ := db.Idea(ctx, b); got.Votes != 2 {
		t.Errorf("idea b has %d votes after a failed batch, want 2", got.Votes)
	}
	if _, _, err := db.ToggleIdeaVote(core.WithUpdate(ctx, core.Telegram, "seen"), b, people[3], t0, 2); core.ErrorCode(err) != core.EDUPLICATE {
		t.Errorf("vote with an update seen before: %v", err)
	}
	if voted, votes, err := db.ToggleIdeaVote(ctx, b, people[2], t0, 2); !voted || votes != 3 || err != nil {
		t.Errorf("vote after a failed batch: %v %d %v", voted, votes, err)
	}

	// the author of a: 5 for the idea, 1 for m[1]'s vote, 2 for each of the two new ones
	if s, _ := db.MemberStanding(ctx, c.ID, authorA); s.Points != 5+1+2+2 {
		t.Errorf("author has %d points", s.Points)
	}
	// m[0] voted twice in the batch: the referral is credited once
	if s, _ := db.MemberStanding(ctx, c.ID, m[4]); s.Points != 7 || s.Referrals != 1 {
		t.Errorf("referrer has %d points and %d referrals, want 7 and 1", s.Points, s.Referrals)
	}

	// voters by reference ride in the batch: a new one is made, a known one found
	// (and renamed), both with their vote, and a refused vote still finds its voter
	res, err = db.FirstVotes(ctx, []storage.FirstVote{
		{IdeaID: a, Ref: core.MemberRef{Platform: core.Discord, ExternalID: "new", Name: "Nia"}, At: t0, Points: 1},
		{IdeaID: a, Ref: core.MemberRef{Platform: people[3].Platform, ExternalID: people[3].ExternalID, Name: "Renamed"}, At: t0, Points: 1},
		{IdeaID: hidden, Ref: core.MemberRef{Platform: core.Discord, ExternalID: "other", Name: "Oz"}, At: t0, Points: 1},
		{IdeaID: b, MemberID: m[4], At: t0, Points: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	made, _ := db.FindMember(ctx, core.MemberRef{Platform: core.Discord, ExternalID: "new"})
	other, _ := db.FindMember(ctx, core.MemberRef{Platform: core.Discord, ExternalID: "other"})
	if made == nil || other == nil {
		t.Fatalf("members by reference not made: %v %v", made, other)
	}
	for i, want := range []struct {
		landed bool
		votes  int
		member int64
		name   string
	}{{true, 5, made.ID, "Nia"}, {true, 5, m[3], "Renamed"}, {false, 0, other.ID, "Oz"}, {true, 4, 0, ""}} {
		if r := res[i]; r.Landed != want.landed || r.Votes != want.votes || r.Member.ID != want.member || r.Member.Name != want.name {
			t.Errorf("vote by reference %d: %+v, want %+v", i, r, want)
		}
	}
	checkStandings(t, db)
}

// TestVoteAnswerLost: a batch that committed but whose answer was lost fails the
// vote without taking it back, with or without a platform update id; the platform's
// retry of the same update changes nothing.
func TestVoteAnswerLost(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	_, ideas := ideasFixture(t, db, 1)
	voters := crowd(t, db, 2)
	restore := db.LoseVoteAnswers()
	// a button press on a platform, then a web request, which has no update id
	presses := []context.Context{core.WithUpdate(ctx, core.Telegram, "lost"), ctx}
	for i, press := range presses {
		if _, _, err := db.ToggleIdeaVote(press, ideas[0], voters[i], t0, 1); core.ErrorCode(err) != core.EUNAVAILABLE {
			// not "it did not go through": it did
			t.Fatalf("vote %d with its answer lost: %v, want unavailable", i, err)
		}
		if got, _ := db.Idea(ctx, ideas[0]); got.Votes != i+1 {
			t.Fatalf("vote %d: idea has %d votes after a lost answer, want %d (the vote kept)", i, got.Votes, i+1)
		}
	}
	restore()
	if _, _, err := db.ToggleIdeaVote(core.WithUpdate(ctx, core.Telegram, "lost"), ideas[0], voters[0], t0, 1); core.ErrorCode(err) != core.EDUPLICATE {
		t.Errorf("the same update again: %v, want it recognised", err)
	}
	if got, _ := db.Idea(ctx, ideas[0]); got.Votes != 2 {
		t.Errorf("idea has %d votes after the retry, want 2", got.Votes)
	}
}

// TestVotesByReference: a voter not looked up yet (ID 0) is made, renamed or found
// with their vote, filled in, and cached; the votes and members of a crowd of new
// people pressing at once come out exactly once each, on both databases.
func TestVotesByReference(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, ideas := ideasFixture(t, db, 3)
		if err := db.HideIdea(ctx, ideas[2], true); err != nil {
			t.Fatal(err)
		}
		known, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "known", Name: "Ann"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetMemberLocale(ctx, known.ID, "fr"); err != nil {
			t.Fatal(err)
		}
		// a new member: made with the vote
		fresh := &core.Member{Platform: core.Telegram, ExternalID: "fresh", Name: "Bea"}
		if voted, votes, err := db.ToggleIdeaVote(ctx, ideas[0], fresh, t0, 1); !voted || votes != 1 || err != nil {
			t.Fatalf("new member's vote: %v %d %v", voted, votes, err)
		}
		if fresh.ID == 0 || fresh.Name != "Bea" {
			t.Fatalf("new member not filled in: %+v", fresh)
		}
		if got, _ := db.FindMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "fresh"}); got == nil || got.ID != fresh.ID {
			t.Fatalf("new member's row: %+v, want id %d", got, fresh.ID)
		}
		// a known member under a new name: renamed, with their language
		ann := &core.Member{Platform: core.Telegram, ExternalID: "known", Name: "Anne"}
		if voted, _, err := db.ToggleIdeaVote(ctx, ideas[0], ann, t0, 1); !voted || err != nil {
			t.Fatalf("known member's vote: %v %v", voted, err)
		}
		if ann.ID != known.ID || ann.Name != "Anne" || ann.Locale != "fr" {
			t.Fatalf("known member filled in as %+v, want id %d, Anne, fr", ann, known.ID)
		}
		// a second press by reference takes the vote back
		again := &core.Member{Platform: core.Telegram, ExternalID: "fresh", Name: "Bea"}
		if voted, votes, err := db.ToggleIdeaVote(ctx, ideas[0], again, t0, 1); voted || votes != 1 || err != nil || again.ID != fresh.ID {
			t.Fatalf("second press: %v %d %v, member %+v", voted, votes, err, again)
		}
		// a vote that is refused still knows its member, made once
		hid := &core.Member{Platform: core.Telegram, ExternalID: "hid", Name: "Cy"}
		if _, _, err := db.ToggleIdeaVote(ctx, ideas[2], hid, t0, 1); core.ErrorCode(err) != core.ENOTFOUND || hid.ID == 0 {
			t.Fatalf("vote on a hidden idea: %v, member %+v", err, hid)
		}
		n, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM members WHERE external_id IN ('fresh', 'known', 'hid')")
		if err != nil || n != 3 {
			t.Fatalf("%d member rows, want 3: %v", n, err)
		}

		// a crowd of new people, each pressing one idea, some of them two ideas and
		// some the same button twice at once
		people := storagetest.Scale(db, 2000)
		pressed := make([]atomic.Int32, people)
		failures := storagetest.Crowd(people, 64, func(i int) error {
			me := func() *core.Member {
				return &core.Member{Platform: core.Discord, ExternalID: fmt.Sprint(800000 + i), Name: fmt.Sprint("p", i)}
			}
			press := func(idea int64) error {
				m := me()
				voted, _, err := db.ToggleIdeaVote(ctx, idea, m, t0, 1)
				if err != nil {
					return fmt.Errorf("person %d on %d: %w", i, idea, err)
				}
				if m.ID == 0 {
					return fmt.Errorf("person %d not filled in", i)
				}
				if voted && idea == ideas[1] {
					pressed[i].Add(1)
				} else if idea == ideas[1] {
					pressed[i].Add(-1)
				}
				return nil
			}
			errs := make(chan error, 3)
			go func() { errs <- press(ideas[1]) }()
			switch i % 10 {
			case 0:
				go func() { errs <- press(ideas[0]) }()
			case 1:
				go func() { errs <- press(ideas[1]) }()
			default:
				errs <- nil
			}
			return errors.Join(<-errs, <-errs)
		})
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		var want int32
		for i := range pressed {
			want += pressed[i].Load()
		}
		got, _ := db.Idea(ctx, ideas[1])
		rows, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", ideas[1])
		if err != nil || got.Votes != int(rows) || rows != int64(want) {
			t.Errorf("idea has count %d, %d vote rows, %d votes acknowledged: %v", got.Votes, rows, want, err)
		}
		members, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM members WHERE platform = 'discord'")
		if err != nil || members != int64(people) {
			t.Errorf("%d members made for %d people: %v", members, people, err)
		}
		checkStandings(t, db)
	})
}

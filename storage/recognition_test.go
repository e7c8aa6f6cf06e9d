package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// recognitionFixture makes an ideas campaign in a Discord guild whose recognition
// gives a role, and n members with accepted ideas: member i has n-i of them.
func recognitionFixture(t *testing.T, db *storage.DB, n int) (*core.Campaign, []*core.Member) {
	t.Helper()
	ctx := context.Background()
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Discord, ExternalID: "900", Title: "Guild"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Discord, ExternalID: "1", Name: "Ada"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRecognitionSetting(ctx, core.RecognitionSetting{SpaceID: sp.ID, RoleID: "777", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	c := newIdeas(sp, owner, nil)
	if err := db.CreateCampaign(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	var members []*core.Member
	for i := range n {
		m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Discord, ExternalID: fmt.Sprint(100 + i), Name: fmt.Sprintf("M%d", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
		for j := range n - i {
			text := fmt.Sprintf("idea %d of %d", j, i)
			idea, _, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: m.ID, Text: text, Status: core.IdeaOpen, CreatedAt: t0}, core.IdeaKey(text), 5, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SetIdeaStatus(ctx, idea.ID, core.IdeaPlanned, core.MemberNotice(c, m.ID, "idea.status_changed"), t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	return c, members
}

// TestRecognizeOnceUnderConcurrency: many replicas recognizing the same campaign at
// once record each member once; exactly one of them sees each member as new; the
// grants are claimed by one dispatcher at a time and given once.
func TestRecognizeOnceUnderConcurrency(t *testing.T) {
	storagetest.Replicas(t, 4, func(t *testing.T, dbs []*storage.DB) {
		ctx := context.Background()
		c, members := recognitionFixture(t, dbs[0], 4)
		svc := core.NewService(dbs[0], core.NewFakeClock(t0), core.DefaultSettings())
		top, err := svc.TopContributors(ctx, c, 3)
		if err != nil || len(top) != 3 || top[0].MemberID != members[0].ID || top[0].Score != 4 || top[2].Score != 2 {
			t.Fatalf("top contributors: %+v %v", top, err)
		}
		recs := make([]core.Recognition, len(top))
		for i, tc := range top {
			recs[i] = core.Recognition{MemberID: tc.MemberID, Rank: i + 1, Score: tc.Score, Measure: core.MeasureAcceptedIdeas,
				SpaceID: c.SpaceID, Action: core.RecognizeRole, Value: "777", State: core.GrantPending}
		}
		added := make(chan int, 64)
		errs := storagetest.Crowd(storagetest.Scale(dbs[0], 40), 8, func(i int) error {
			got, err := dbs[i%len(dbs)].Recognize(ctx, c, recs, t0)
			added <- len(got)
			return err
		})
		close(added)
		if len(errs) > 0 {
			t.Fatalf("recognize: %v", errs)
		}
		total := 0
		for n := range added {
			total += n
		}
		if total != 3 {
			t.Fatalf("%d recognitions reported new, want 3", total)
		}
		all, err := dbs[0].Recognitions(ctx, c.ID)
		if err != nil || len(all) != 3 || all[0].Name != "M0" || all[0].State != core.GrantPending {
			t.Fatalf("recognitions: %+v %v", all, err)
		}
		// dispatchers claim at once: each grant is held by one of them
		claimed := make(chan core.RecognitionWork, 64)
		errs = storagetest.Crowd(8, 8, func(i int) error {
			ws, err := dbs[i%len(dbs)].ClaimRecognitionWork(ctx, core.Discord, t0, time.Minute, fmt.Sprint("t", i), 10)
			for _, w := range ws {
				claimed <- w
			}
			return err
		})
		close(claimed)
		if len(errs) > 0 {
			t.Fatalf("claim: %v", errs)
		}
		seen := map[int64]bool{}
		for w := range claimed {
			if seen[w.ID] || w.Take || w.SpaceExternalID != "900" || w.Value != "777" {
				t.Fatalf("claimed %+v twice or wrong", w)
			}
			seen[w.ID] = true
			if ok, err := dbs[0].FinishRecognitionWork(ctx, w, "", false, t0, nil, t0); !ok || err != nil {
				t.Fatalf("finish: %v %v", ok, err)
			}
		}
		if len(seen) != 3 {
			t.Fatalf("claimed %d grants, want 3", len(seen))
		}
		if again, _ := dbs[0].ClaimRecognitionWork(ctx, core.Discord, t0.Add(time.Hour), time.Minute, "late", 10); len(again) != 0 {
			t.Fatalf("given grants claimed again: %+v", again)
		}
	})
}

// TestRecognitionRotates: a later campaign of the same space and kind takes back
// the earlier one's grants, but keeps the one it gives the same member again (with
// nothing to give); a
// refused grant fails with its reason and a new recognition gives it another try.
func TestRecognitionRotates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, members := recognitionFixture(t, db, 2)
		grant := func(c *core.Campaign, m *core.Member) core.Recognition {
			return core.Recognition{MemberID: m.ID, Rank: 1, Measure: core.MeasureAcceptedIdeas, SpaceID: c.SpaceID,
				Action: core.RecognizeRole, Value: "777", State: core.GrantPending}
		}
		if _, err := db.Recognize(ctx, c, []core.Recognition{grant(c, members[0]), grant(c, members[1])}, t0); err != nil {
			t.Fatal(err)
		}
		ws, err := db.ClaimRecognitionWork(ctx, core.Discord, t0, time.Minute, "a", 10)
		if err != nil || len(ws) != 2 {
			t.Fatalf("claim: %+v %v", ws, err)
		}
		// the first is given, the second refused for good
		if ok, err := db.FinishRecognitionWork(ctx, ws[0], "", false, t0, nil, t0); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if ok, err := db.FinishRecognitionWork(ctx, ws[1], "error.recognition_forbidden", true, t0, nil, t0); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if ok, _ := db.FinishRecognitionWork(ctx, ws[1], "", false, t0, nil, t0); ok {
			t.Fatal("finished twice with one claim")
		}
		all, _ := db.Recognitions(ctx, c.ID)
		if all[1].State != core.GrantFailed || all[1].LastError != "error.recognition_forbidden" {
			t.Fatalf("refused grant: %+v", all[1])
		}
		// a repeated recognition adds nobody and retries the refused grant
		if added, err := db.Recognize(ctx, c, []core.Recognition{grant(c, members[0])}, t0); err != nil || len(added) != 0 {
			t.Fatalf("again: %+v %v", added, err)
		}
		if all, _ = db.Recognitions(ctx, c.ID); all[1].State != core.GrantPending {
			t.Fatalf("refused grant not retried: %+v", all[1])
		}

		// the next campaign of the guild recognizes member 0 again, not member 1
		next := newIdeas(&core.Space{ID: c.SpaceID}, &core.Member{ID: c.CreatedBy}, nil)
		if err := db.CreateCampaign(ctx, next, nil); err != nil {
			t.Fatal(err)
		}
		// member 1's grant is being given again: finish it first
		ws, _ = db.ClaimRecognitionWork(ctx, core.Discord, t0, time.Minute, "b", 10)
		if len(ws) != 1 || ws[0].MemberID != members[1].ID {
			t.Fatalf("retry claim: %+v", ws)
		}
		if ok, err := db.FinishRecognitionWork(ctx, ws[0], "", false, t0, nil, t0); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if _, err := db.Recognize(ctx, next, []core.Recognition{grant(next, members[0])}, t0); err != nil {
			t.Fatal(err)
		}
		old, _ := db.Recognitions(ctx, c.ID)
		if old[0].Revoke != core.RevokeKept || old[1].Revoke != core.RevokePending {
			t.Fatalf("rotated: %+v", old)
		}
		ws, _ = db.ClaimRecognitionWork(ctx, core.Discord, t0, time.Minute, "c", 10)
		// member 0 holds the role already: there is only member 1's to take back
		if len(ws) != 1 || !ws[0].Take || ws[0].MemberID != members[1].ID {
			t.Fatalf("after rotation, want member 1's taking only: %+v", ws)
		}
		if now, _ := db.Recognitions(ctx, next.ID); len(now) != 1 || now[0].State != core.GrantGiven {
			t.Fatalf("the next campaign's grant to a member who holds it: %+v", now)
		}
		if mine, _ := db.MemberRecognitions(ctx, members[0].ID); len(mine) != 1 || mine[0].CampaignID != next.ID {
			t.Fatalf("member 0's standing recognitions: %+v", mine)
		}
	})
}

// TestRecognitionLatestStands: an older campaign recognizing after a newer one
// rotates the newer one out, and its own grants the newer one took back are given
// again; a repeat that recognizes nobody new rotates nothing.
func TestRecognitionLatestStands(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		older, members := recognitionFixture(t, db, 3)
		grant := func(c *core.Campaign, m *core.Member) core.Recognition {
			return core.Recognition{MemberID: m.ID, Rank: 1, Measure: core.MeasureAcceptedIdeas, SpaceID: c.SpaceID,
				Action: core.RecognizeRole, Value: "777", State: core.GrantPending}
		}
		// work carries out every claimed piece of work and returns what it was
		work := func(token string) map[int64]bool {
			t.Helper()
			ws, err := db.ClaimRecognitionWork(ctx, core.Discord, t0, time.Minute, token, 10)
			if err != nil {
				t.Fatal(err)
			}
			took := map[int64]bool{}
			for _, w := range ws {
				if ok, err := db.FinishRecognitionWork(ctx, w, "", false, t0, nil, t0); !ok || err != nil {
					t.Fatal(ok, err)
				}
				took[w.MemberID] = w.Take
			}
			return took
		}
		if _, err := db.Recognize(ctx, older, []core.Recognition{grant(older, members[0]), grant(older, members[1])}, t0); err != nil {
			t.Fatal(err)
		}
		work("a")
		newer := newIdeas(&core.Space{ID: older.SpaceID}, &core.Member{ID: older.CreatedBy}, nil)
		if err := db.CreateCampaign(ctx, newer, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Recognize(ctx, newer, []core.Recognition{grant(newer, members[0])}, t0); err != nil {
			t.Fatal(err)
		}
		if got := work("b"); len(got) != 1 || !got[members[1].ID] {
			t.Fatalf("the newer campaign takes member 1's role only: %v", got)
		}

		// the older campaign recognizes member 2 as well: it stands again
		if _, err := db.Recognize(ctx, older, []core.Recognition{grant(older, members[2])}, t0); err != nil {
			t.Fatal(err)
		}
		got := work("c")
		if len(got) != 2 || got[members[1].ID] || got[members[2].ID] {
			t.Fatalf("want member 1's role given again and member 2's given: %v", got)
		}
		if mine, _ := db.MemberRecognitions(ctx, members[0].ID); len(mine) != 1 || mine[0].CampaignID != older.ID {
			t.Fatalf("member 0 holds the role through the campaign that stands: %+v", mine)
		}
		if rs, _ := db.Recognitions(ctx, newer.ID); rs[0].Revoke != core.RevokeKept {
			t.Fatalf("the newer campaign's grant to member 0: %+v", rs[0])
		}
		// a repeat of the newer one recognizes nobody new and takes nothing back
		if added, err := db.Recognize(ctx, newer, []core.Recognition{grant(newer, members[0])}, t0); err != nil || len(added) != 0 {
			t.Fatalf("repeat: %+v %v", added, err)
		}
		if got := work("d"); len(got) != 0 {
			t.Fatalf("a repeat rotated: %v", got)
		}
	})
}

// TestProfileStats: a member's standings with their rank, and the counts badges
// come from.
func TestProfileStats(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, members := recognitionFixture(t, db, 3)
		st, err := db.ProfileStats(ctx, members[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Standings) != 1 || st.Standings[0].Rank != 2 || st.Standings[0].Points != 10 || st.Standings[0].Code != c.Code {
			t.Fatalf("standings: %+v", st.Standings)
		}
		if st.Points != 10 || st.AcceptedIdeas != 2 || st.ContestWins != 0 || st.AcceptedAnswers != 0 {
			t.Fatalf("counts: %+v", st)
		}
	})
}

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

// commentNotices returns the counts of the queued notices of new comments.
func commentNotices(t *testing.T, db *storage.DB) []any {
	t.Helper()
	items, err := db.Outbox(context.Background(), "", core.MaxOutboxList)
	if err != nil {
		t.Fatal(err)
	}
	var counts []any
	for i := len(items) - 1; i >= 0; i-- { // oldest first
		if items[i].Announcement.Key == "notice.idea_comments" {
			counts = append(counts, items[i].Announcement.Args["count"])
		}
	}
	return counts
}

func comment(db *storage.DB, ideaID, author int64, text string, at time.Time) (*core.Comment, error) {
	idea, err := db.Idea(context.Background(), ideaID)
	if err != nil {
		return nil, err
	}
	c := &core.Comment{IdeaID: ideaID, AuthorID: author, Text: text, CreatedAt: at}
	notice := core.Announcement{CampaignID: idea.CampaignID, MemberID: idea.AuthorID, Key: "notice.idea_comments", Args: map[string]any{"id": idea.Number}}
	return db.AddComment(context.Background(), c, notice, core.CommentNoticeGap)
}

// TestComments numbers comments within their idea, lists the visible ones with
// their authors' names, hides one once, and refuses comments on hidden ideas and
// closed boards.
func TestComments(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ideas := ideasFixture(t, db, 2)
		ana, _ := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "ana", Name: "Ana"}, t0)
		for i := range 3 {
			got, err := comment(db, ideas[0], ana.ID, fmt.Sprintf("comment %d", i), t0)
			if err != nil || got.Number != int64(i+1) {
				t.Fatalf("comment %d: %+v, %v", i, got, err)
			}
		}
		// numbers count within each idea
		if got, err := comment(db, ideas[1], ana.ID, "elsewhere", t0); err != nil || got.Number != 1 {
			t.Fatalf("first comment on another idea: %+v, %v", got, err)
		}
		page, err := db.Comments(ctx, ideas[0], 1, 2)
		if err != nil || page.Total != 3 || page.Pages != 2 || len(page.Comments) != 2 || page.Comments[0].Text != "comment 0" || page.Comments[0].AuthorName != "Ana" {
			t.Fatalf("page: %+v, %v", page, err)
		}
		second, err := db.CommentByNumber(ctx, ideas[0], 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.HideComment(ctx, second.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := db.HideComment(ctx, second.ID, true); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("second hide: %v", err)
		}
		idea, _ := db.Idea(ctx, ideas[0])
		if page, _ = db.Comments(ctx, ideas[0], 1, 10); page.Total != 2 || idea.Comments != 2 || page.Comments[1].Number != 3 {
			t.Fatalf("after hide: %d comments, idea counts %d, %+v", page.Total, idea.Comments, page.Comments)
		}
		latest, err := db.LatestComments(ctx, ideas, 1)
		if err != nil || len(latest[ideas[0]]) != 1 || latest[ideas[0]][0].Number != 3 || latest[ideas[1]][0].Text != "elsewhere" {
			t.Fatalf("latest: %+v, %v", latest, err)
		}
		if err := db.HideComment(ctx, second.ID, false); err != nil {
			t.Fatal(err)
		}
		if idea, _ = db.Idea(ctx, ideas[0]); idea.Comments != 3 {
			t.Fatalf("after unhide the idea counts %d", idea.Comments)
		}
		if _, err := db.CommentByNumber(ctx, ideas[0], 9); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("missing comment: %v", err)
		}

		if err := db.HideIdea(ctx, ideas[1], true); err != nil {
			t.Fatal(err)
		}
		if _, err := comment(db, ideas[1], ana.ID, "on a hidden idea", t0); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("comment on a hidden idea: %v", err)
		}
		err = db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateClosed, At: t0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := comment(db, ideas[0], ana.ID, "too late", t0); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("comment on a closed board: %v", err)
		}
		if page, _ = db.Comments(ctx, ideas[0], 1, 10); page.Total != 3 {
			t.Fatalf("refused comments were stored: %d", page.Total)
		}
	})
}

// TestConcurrentComments has many members comment on one idea at the same moment:
// every comment gets its own number, the idea counts them all, and its author hears
// of them once; a comment within the hour adds no notice, the first one after it
// tells of all the comments since.
func TestConcurrentComments(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		_, ideas := ideasFixture(t, db, 1)
		idea, _ := db.Idea(ctx, ideas[0])
		n := storagetest.Scale(db, 200)
		members := make([]int64, n)
		for i := range members {
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: fmt.Sprint("c", i)}, t0)
			if err != nil {
				t.Fatal(err)
			}
			members[i] = m.ID
		}
		numbers := make([]int64, n)
		failures := storagetest.Crowd(n, 32, func(i int) error {
			c, err := comment(db, ideas[0], members[i], fmt.Sprint("comment ", i), t0)
			if err != nil {
				return err
			}
			numbers[i] = c.Number
			return nil
		})
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		seen := map[int64]bool{}
		for _, num := range numbers {
			if num < 1 || num > int64(n) || seen[num] {
				t.Fatalf("comment number %d given twice or out of 1..%d", num, n)
			}
			seen[num] = true
		}
		got, _ := db.Idea(ctx, ideas[0])
		if got.Comments != n {
			t.Fatalf("the idea counts %d comments, want %d", got.Comments, n)
		}
		if counts := commentNotices(t, db); len(counts) != 1 || counts[0] != float64(1) {
			t.Fatalf("notices after %d concurrent comments: %v, want one of 1", n, counts)
		}
		// the author's own comment is no news to them, and comes before the hour
		if _, err := comment(db, ideas[0], idea.AuthorID, "thanks all", t0.Add(59*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := comment(db, ideas[0], members[0], "one more", t0.Add(59*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if counts := commentNotices(t, db); len(counts) != 1 {
			t.Fatalf("a comment within the hour was noticed: %v", counts)
		}
		if _, err := comment(db, ideas[0], members[1], "after the hour", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if counts := commentNotices(t, db); len(counts) != 2 || counts[1] != float64(n+1) {
			t.Fatalf("notices after the hour: %v, want a second of %d", counts, n+1)
		}
	})
}

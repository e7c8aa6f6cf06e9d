package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestConcurrentIdeaNumbers submits ideas to two campaigns at once from many
// goroutines, every third one a twin of an idea already asked for: each campaign's
// ideas are numbered 1..n with no gap and no repeat, and the twins take no number.
func TestConcurrentIdeaNumbers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a, _ := ideasFixture(t, db, 0)
		b, _ := ideasFixture(t, db, 0)
		n := storagetest.Scale(db, 120)
		m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "numbers"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[int64][]int64{}
		for i := range n {
			wg.Go(func() {
				c := a
				if i%2 == 1 {
					c = b
				}
				text := fmt.Sprint("idea ", i)
				if i%3 == 2 {
					text = fmt.Sprint("idea ", i-2) // the same campaign's twin
				}
				idea, created, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: m.ID, Text: text, Status: core.IdeaOpen, CreatedAt: t0}, core.IdeaKey(text), 5, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if created {
					mu.Lock()
					got[c.ID] = append(got[c.ID], idea.Number)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, c := range []*core.Campaign{a, b} {
			nums := got[c.ID]
			slices.Sort(nums)
			for i, num := range nums {
				if num != int64(i+1) {
					t.Fatalf("campaign %d numbers %v: want 1..%d", c.ID, nums, len(nums))
				}
			}
			last := nums[len(nums)-1]
			idea, err := db.IdeaByNumber(ctx, c.ID, last)
			if err != nil || idea.CampaignID != c.ID || idea.Number != last {
				t.Fatalf("idea #%d: %+v, %v", last, idea, err)
			}
		}
		if _, err := db.IdeaByNumber(ctx, a.ID, 100000); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("a number not given: %v", err)
		}
	})
}

// TestConcurrentEntryNumbers enters one contest from many goroutines at once, some
// of them refused for the per-member limit: the entries that land are numbered 1..n.
func TestConcurrentEntryNumbers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ids := contestFixture(t, db, 2, 1, false)
		first, err := db.Entry(ctx, ids[0])
		if err != nil || first.Number != 1 {
			t.Fatalf("first entry: %+v, %v", first, err)
		}
		n := storagetest.Scale(db, 80)
		var wg sync.WaitGroup
		var mu sync.Mutex
		nums := []int64{1, 2}
		for i := range n {
			wg.Go(func() {
				// two tries per member: the second is refused by the limit
				m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: fmt.Sprint("entrant", i/2)}, t0)
				if err != nil {
					t.Error(err)
					return
				}
				e := &core.Entry{CampaignID: c.ID, AuthorID: m.ID, Title: fmt.Sprint("e", i), Kind: core.EntryLink,
					Link: "https://example.com", Status: core.EntryActive, CreatedAt: t0}
				switch err := db.AddEntry(ctx, e, 5); core.ErrorCode(err) {
				case "":
					mu.Lock()
					nums = append(nums, e.Number)
					mu.Unlock()
				case core.ELIMIT:
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		slices.Sort(nums)
		for i, num := range nums {
			if num != int64(i+1) {
				t.Fatalf("entry numbers %v: want 1..%d", nums, len(nums))
			}
		}
		if len(nums) != 2+(n+1)/2 {
			t.Fatalf("%d entries landed, want %d", len(nums), 2+(n+1)/2)
		}
		e, err := db.EntryByNumber(ctx, c.ID, nums[len(nums)-1])
		if err != nil || e.CampaignID != c.ID {
			t.Fatalf("last entry: %+v, %v", e, err)
		}
	})
}

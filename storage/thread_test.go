package storage_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestConcurrentThreadClaims has many presses claim the thread of one idea in one
// channel at once: one claim wins, the thread it records is the one found by its id
// (in its channel, or in any channel), and a second opening keeps the first thread.
// Another channel has a claim of its own; a refused claim is dropped with one notice
// and claimed again; a stale claim is taken over once.
func TestConcurrentThreadClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c, ideas := ideasFixture(t, db, 2)
		key := core.IdeaThread{IdeaID: ideas[0], Platform: core.Discord, ChannelID: "5001", ClaimedAt: t0}
		n := storagetest.Scale(db, 100)
		var won atomic.Int32
		failures := storagetest.Crowd(n, 32, func(i int) error {
			got, mine, err := db.ClaimThread(ctx, key, t0.Add(-core.ThreadClaimTTL))
			if err != nil {
				return err
			}
			if mine {
				won.Add(1)
			}
			if got.IdeaID != ideas[0] || got.Opened() {
				return fmt.Errorf("claim %d: %+v", i, got)
			}
			return nil
		})
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		if won.Load() != 1 {
			t.Fatalf("%d presses at once won %d claims, want 1", n, won.Load())
		}
		opened := key
		opened.ThreadID = "7001"
		if got, err := db.OpenThread(ctx, opened); err != nil || got.ThreadID != "7001" {
			t.Fatalf("open: %+v, %v", got, err)
		}
		again := key
		again.ThreadID = "7002"
		if got, err := db.OpenThread(ctx, again); err != nil || got.ThreadID != "7001" {
			t.Fatalf("a second opening: %+v, %v; the first thread stays", got, err)
		}
		if got, mine, err := db.ClaimThread(ctx, key, t0.Add(time.Hour)); err != nil || mine || got.ThreadID != "7001" {
			t.Fatalf("claim of an open thread: %+v, %t, %v", got, mine, err)
		}
		for _, ch := range []string{"5001", ""} {
			if id, err := db.IdeaOfThread(ctx, core.Discord, ch, "7001"); err != nil || id != ideas[0] {
				t.Fatalf("idea of thread in %q: %d, %v", ch, id, err)
			}
		}
		for _, miss := range [][3]string{{"discord", "5001", "7002"}, {"discord", "5002", "7001"}, {"telegram", "", "7001"}} {
			if id, err := db.IdeaOfThread(ctx, core.Platform(miss[0]), miss[1], miss[2]); err != nil || id != 0 {
				t.Fatalf("idea of thread %v: %d, %v", miss, id, err)
			}
		}

		// another channel has a claim of its own; refused, it goes with one notice
		other := key
		other.ChannelID = "5002"
		if _, mine, err := db.ClaimThread(ctx, other, t0.Add(-core.ThreadClaimTTL)); err != nil || !mine {
			t.Fatalf("claim in another channel: %t, %v", mine, err)
		}
		notice := core.MemberNotice(&core.Campaign{ID: c.ID}, c.CreatedBy, "notice.thread_refused", "code", c.Code)
		notice.Once = "thread:refused"
		for range 2 {
			if err := db.DropThreadClaim(ctx, other, &notice, t0); err != nil {
				t.Fatal(err)
			}
		}
		items, _ := db.Outbox(ctx, "", core.MaxOutboxList)
		refused := 0
		for _, it := range items {
			if it.Announcement.Key == "notice.thread_refused" {
				refused++
			}
		}
		if refused != 1 {
			t.Fatalf("%d notices of the refusal, want 1", refused)
		}
		if _, mine, err := db.ClaimThread(ctx, other, t0.Add(-core.ThreadClaimTTL)); err != nil || !mine {
			t.Fatalf("claim after a refusal: %t, %v", mine, err)
		}
		// a claim left opening past its time is taken over once
		late := other
		late.ClaimedAt = t0.Add(2 * core.ThreadClaimTTL)
		var took atomic.Int32
		failures = storagetest.Crowd(n, 32, func(int) error {
			_, mine, err := db.ClaimThread(ctx, late, late.ClaimedAt.Add(-core.ThreadClaimTTL))
			if mine {
				took.Add(1)
			}
			return err
		})
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		if took.Load() != 1 {
			t.Fatalf("a stale claim was taken over %d times, want 1", took.Load())
		}
		// a thread id belongs to one idea of its channel
		taken := core.IdeaThread{IdeaID: ideas[1], Platform: core.Discord, ChannelID: "5001", ClaimedAt: t0}
		if _, _, err := db.ClaimThread(ctx, taken, t0); err != nil {
			t.Fatal(err)
		}
		taken.ThreadID = "7001"
		if _, err := db.OpenThread(ctx, taken); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("a second idea in the same thread: %v", err)
		}
	})
}

package storage_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// linked makes an open ideas campaign linked to n Telegram channels.
func linked(t *testing.T, db *storage.DB, n int) *core.Campaign {
	t.Helper()
	ctx := context.Background()
	sp, m := fixture(t, db)
	c := newIdeas(sp, m, nil)
	if err := db.CreateCampaign(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		l := core.ChannelLink{CampaignID: c.ID, Platform: core.Telegram, SpaceID: sp.ID, ChannelID: fmt.Sprintf("-100%d", i), CreatedAt: t0}
		if _, err := db.LinkChannel(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func announce(c *core.Campaign, i int) core.Announcement {
	return core.CampaignAnnouncement(c, "announce.closed", "title", fmt.Sprintf("#%d", i), "code", c.Code)
}

// TestClaimOutboxHeadsInOrder: a claim takes only each channel's oldest pending row;
// the next row waits until the first is sent and the pacing gap has passed; a lease
// that runs out frees the row; only the claim's holder can mark it.
func TestClaimOutboxHeadsInOrder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := linked(t, db, 2)
		if err := db.Enqueue(ctx, t0, announce(c, 1), announce(c, 2)); err != nil {
			t.Fatal(err)
		}
		gap, lease := 3*time.Second, time.Minute
		got, err := db.ClaimOutbox(ctx, core.Telegram, t0, gap, lease, "a", 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("first claim: %d rows, %v", len(got), err)
		}
		for _, it := range got {
			if it.Announcement.Args["title"] != "#1" || it.SpaceExternalID != "-100123" || it.Claim != "a" {
				t.Fatalf("claimed %+v", it)
			}
		}
		if more, _ := db.ClaimOutbox(ctx, core.Telegram, t0, gap, lease, "b", 10); len(more) != 0 {
			t.Fatalf("a second claim took %d rows behind claimed ones", len(more))
		}
		if none, _ := db.ClaimOutbox(ctx, core.Discord, t0, gap, lease, "b", 10); len(none) != 0 {
			t.Fatal("claimed rows of another platform")
		}
		// a wrong token changes nothing
		if ok, err := db.MarkSent(ctx, got[0].ID, "b", "m1", t0); ok || err != nil {
			t.Fatalf("marked with a foreign token: %v %v", ok, err)
		}
		if ok, err := db.MarkSent(ctx, got[0].ID, "a", "m1", t0); !ok || err != nil {
			t.Fatalf("mark: %v %v", ok, err)
		}
		// channel 0's next row waits for the gap; channel 1 still waits for its first
		if more, _ := db.ClaimOutbox(ctx, core.Telegram, t0.Add(gap-time.Millisecond), gap, lease, "c", 10); len(more) != 0 {
			t.Fatalf("claimed %d rows inside the gap", len(more))
		}
		next, _ := db.ClaimOutbox(ctx, core.Telegram, t0.Add(gap), gap, lease, "c", 10)
		if len(next) != 1 || next[0].ChannelID != got[0].ChannelID || next[0].Announcement.Args["title"] != "#2" {
			t.Fatalf("after the gap: %+v", next)
		}
		// channel 1's first row was never marked: its lease runs out and it comes back
		again, _ := db.ClaimOutbox(ctx, core.Telegram, t0.Add(lease), gap, lease, "d", 10)
		if len(again) != 1 || again[0].ID != got[1].ID {
			t.Fatalf("after the lease: %+v", again)
		}
		if ok, _ := db.MarkSent(ctx, got[1].ID, "a", "late", t0.Add(lease)); ok {
			t.Fatal("the first holder marked a row after losing its lease")
		}
		// a retry holds the channel until it is due; a park frees it
		if err := db.RetryOutbox(ctx, again[0].ID, "d", t0.Add(2*lease), "boom", true); err != nil {
			t.Fatal(err)
		}
		if more, _ := db.ClaimOutbox(ctx, core.Telegram, t0.Add(lease+gap), gap, lease, "e", 10); len(more) != 1 || more[0].ID != next[0].ID {
			t.Fatalf("only channel 0's lease-expired row may come back: %+v", more)
		}
		retried, _ := db.ClaimOutbox(ctx, core.Telegram, t0.Add(2*lease+gap), gap, lease, "f", 10)
		var r core.OutboxItem
		for _, it := range retried {
			if it.ID == again[0].ID {
				r = it
			}
		}
		if r.Attempts != 1 || r.LastError != "boom" {
			t.Fatalf("retried row: %+v", r)
		}
		if err := db.ParkOutbox(ctx, r.ID, "f", "gone"); err != nil {
			t.Fatal(err)
		}
		parked, _ := db.Outbox(ctx, core.OutboxParked, 10)
		if len(parked) != 1 || parked[0].LastError != "gone" || parked[0].Attempts != 2 {
			t.Fatalf("parked: %+v", parked)
		}
		last, _ := db.ClaimOutbox(ctx, core.Telegram, t0.Add(3*lease+gap), gap, lease, "g", 10)
		if len(last) != 2 {
			t.Fatalf("after the park, channel 1's second row and channel 0's leased one: %d", len(last))
		}
	})
}

// TestClaimOutboxPrivateNotice: a notice to a member carries the member's platform
// id and queues behind that member's earlier notices, not behind channels.
func TestClaimOutboxPrivateNotice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := linked(t, db, 1)
		m := c.CreatedBy
		if err := db.Enqueue(ctx, t0, announce(c, 1), core.MemberNotice(c, m, "announce.closed", "title", "a"),
			core.MemberNotice(c, m, "announce.closed", "title", "b")); err != nil {
			t.Fatal(err)
		}
		got, err := db.ClaimOutbox(ctx, core.Telegram, t0, time.Second, time.Minute, "a", 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("claim: %d, %v", len(got), err)
		}
		notice := got[1]
		if notice.ChannelID != "" || notice.MemberExternalID != "42" || notice.Announcement.Args["title"] != "a" {
			t.Fatalf("notice: %+v", notice)
		}
	})
}

// TestClaimOutboxConcurrently: claimers on their own connections, all at once, take
// every row exactly once, and never two rows of one channel at a time.
func TestClaimOutboxConcurrently(t *testing.T) {
	storagetest.Replicas(t, 4, func(t *testing.T, dbs []*storage.DB) {
		ctx := context.Background()
		const channels = 10
		c := linked(t, dbs[0], channels)
		rows := storagetest.Scale(dbs[0], 400) / channels
		anns := make([]core.Announcement, rows)
		for i := range anns {
			anns[i] = announce(c, i)
		}
		if err := dbs[0].Enqueue(ctx, t0, anns...); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		busy := map[string]bool{}
		seen := map[int64]int{}
		var failure error
		fail := func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if failure == nil {
				failure = err
			}
		}
		failed := func() bool {
			mu.Lock()
			defer mu.Unlock()
			return failure != nil
		}
		var sent atomic.Int64
		var wg sync.WaitGroup
		for i, db := range dbs {
			wg.Go(func() {
				for n := 0; sent.Load() < int64(rows*channels) && !failed(); n++ {
					got, err := db.ClaimOutbox(ctx, core.Telegram, t0, 0, time.Hour, fmt.Sprintf("w%d-%d", i, n), 5)
					if err != nil {
						fail(err)
						return
					}
					mu.Lock()
					for _, it := range got {
						if busy[it.ChannelID] && failure == nil {
							failure = fmt.Errorf("two rows of channel %s claimed at once (row %d)", it.ChannelID, it.ID)
						}
						busy[it.ChannelID] = true
						seen[it.ID]++
					}
					mu.Unlock()
					for _, it := range got {
						// free the channel in the books before the database does
						mu.Lock()
						busy[it.ChannelID] = false
						mu.Unlock()
						if ok, err := db.MarkSent(ctx, it.ID, it.Claim, "m", t0); !ok || err != nil {
							fail(fmt.Errorf("mark %d: %v %v", it.ID, ok, err))
							return
						}
						sent.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if failure != nil {
			t.Fatal(failure)
		}
		if len(seen) != rows*channels {
			t.Fatalf("%d rows claimed, want %d", len(seen), rows*channels)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("row %d claimed %d times", id, n)
			}
		}
	})
}

// TestClaimUpdateOnce: of several replicas claiming the same due progress post at
// once, one queues it.
func TestClaimUpdateOnce(t *testing.T) {
	storagetest.Replicas(t, 4, func(t *testing.T, dbs []*storage.DB) {
		ctx := context.Background()
		c := linked(t, dbs[0], 1)
		due, err := dbs[0].DueUpdates(ctx, t0, 10)
		if err != nil || len(due) != 1 || due[0].At != nil {
			t.Fatalf("a new campaign is due unscheduled: %+v %v", due, err)
		}
		first := t0.Add(time.Hour)
		if ok, err := dbs[0].ClaimUpdate(ctx, c.ID, first, nil, t0); !ok || err != nil {
			t.Fatalf("schedule: %v %v", ok, err)
		}
		if due, _ := dbs[0].DueUpdates(ctx, t0, 10); len(due) != 0 {
			t.Fatalf("scheduled campaign still due: %+v", due)
		}
		now := first.Add(time.Minute)
		due, _ = dbs[0].DueUpdates(ctx, now, 10)
		if len(due) != 1 || due[0].At == nil || !due[0].At.Equal(first) {
			t.Fatalf("due: %+v", due)
		}
		post := core.CampaignAnnouncement(c, core.ProgressKey(c.Kind), "title", c.Title)
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 3 {
			for _, db := range dbs {
				wg.Go(func() {
					ok, err := db.ClaimUpdate(ctx, c.ID, now.Add(24*time.Hour), &post, now)
					if err != nil {
						t.Error(err)
					}
					if ok {
						won.Add(1)
					}
				})
			}
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d claims won", won.Load())
		}
		items, _ := dbs[0].Outbox(ctx, core.OutboxPending, 10)
		if len(items) != 1 || items[0].Announcement.Key != core.ProgressKey(c.Kind) {
			t.Fatalf("outbox: %+v", items)
		}
	})
}

// TestReminderOncePerDeadline: a reminder is due once per deadline; a new deadline
// is due again.
func TestReminderOncePerDeadline(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		closes := t0.Add(30 * time.Hour)
		c := newIdeas(sp, m, &closes)
		if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100123", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueReminders(ctx, t0, t0.Add(24*time.Hour), 10); len(due) != 0 {
			t.Fatalf("due 30h before: %+v", due)
		}
		now := t0.Add(7 * time.Hour)
		due, err := db.DueReminders(ctx, now, now.Add(24*time.Hour), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due: %+v %v", due, err)
		}
		ann := core.CampaignAnnouncement(c, "remind.closes", "title", c.Title)
		for i, want := range []bool{true, false} {
			if ok, err := db.QueueReminder(ctx, c.ID, *due[0].DeadlineAt, ann, now); ok != want || err != nil {
				t.Fatalf("queue %d: %v %v", i, ok, err)
			}
		}
		if due, _ := db.DueReminders(ctx, now, now.Add(24*time.Hour), 10); len(due) != 0 {
			t.Fatalf("still due after the reminder: %+v", due)
		}
		items, _ := db.Outbox(ctx, "", 10)
		if len(items) != 1 {
			t.Fatalf("%d reminders queued", len(items))
		}
	})
}

// TestReferralsAndLeaderboard: the first referrer counts, is credited once when the
// member takes part, and shows on the leaderboard; a member who already took part
// brings no one.
func TestReferralsAndLeaderboard(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := linked(t, db, 0)
		member := func(id string) *core.Member {
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: id, Name: "m" + id}, t0)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		ada, bob, carol, dan := c.CreatedBy, member("2"), member("3"), member("4")
		ref := func(who, by int64) bool {
			ok, err := db.AddReferral(ctx, core.Referral{CampaignID: c.ID, MemberID: who, ReferrerID: by, Via: "telegram", CreatedAt: t0}, 10)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !ref(bob.ID, ada) || ref(bob.ID, carol.ID) {
			t.Fatal("the first referrer must count, and only it")
		}
		// Carol took part before following Ada's link
		if _, _, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: carol.ID, Text: "x", Status: core.IdeaOpen, CreatedAt: t0}, "k1", 5, nil); err != nil {
			t.Fatal(err)
		}
		if ref(carol.ID, ada) {
			t.Fatal("a member who took part already was referred")
		}
		if !ref(dan.ID, bob.ID) {
			t.Fatal("dan")
		}
		// Bob takes part twice: Ada is credited once
		for i := range 2 {
			if _, _, err := db.AddIdea(ctx, &core.Idea{CampaignID: c.ID, AuthorID: bob.ID, Text: fmt.Sprint("y", i), Status: core.IdeaOpen, CreatedAt: t0}, fmt.Sprint("k2", i), 5, nil); err != nil {
				t.Fatal(err)
			}
		}
		top, err := db.TopPoints(ctx, c.ID, 10)
		// a tie goes to the earlier member
		if err != nil || len(top) != 3 || top[0].MemberID != ada || top[0].Points != 10 || top[1].MemberID != bob.ID || top[1].Points != 10 ||
			top[2].MemberID != carol.ID || top[2].Points != 5 {
			t.Fatalf("points: %+v %v", top, err)
		}
		refs, err := db.TopReferrers(ctx, c.ID, 10)
		if err != nil || len(refs) != 1 || refs[0].MemberID != ada || refs[0].Referrals != 1 || refs[0].Name != "Ada" {
			t.Fatalf("referrers: %+v %v", refs, err)
		}
		me, err := db.MemberStanding(ctx, c.ID, ada)
		if err != nil || me.Points != 10 || me.Referrals != 1 {
			t.Fatalf("standing: %+v %v", me, err)
		}
		none, err := db.MemberStanding(ctx, c.ID, dan.ID)
		if err != nil || none.Points != 0 || none.Referrals != 0 {
			t.Fatalf("standing of someone without points: %+v %v", none, err)
		}
	})
}

// TestTakeNoticesOnce: replicas taking a member's waiting notices at once hand each
// over exactly once, oldest first, and leave the channels' rows and other
// platforms alone.
func TestTakeNoticesOnce(t *testing.T) {
	storagetest.Replicas(t, 4, func(t *testing.T, dbs []*storage.DB) {
		ctx := context.Background()
		c := linked(t, dbs[0], 1)
		m := c.CreatedBy
		const notices = 30
		anns := []core.Announcement{announce(c, 0)}
		for i := range notices {
			anns = append(anns, core.MemberNotice(c, m, "announce.closed", "title", fmt.Sprint(i)))
		}
		if err := dbs[0].Enqueue(ctx, t0, anns...); err != nil {
			t.Fatal(err)
		}
		if got, err := dbs[0].TakeNotices(ctx, core.Discord, m, t0, 5); err != nil || len(got) != 0 {
			t.Fatalf("another platform's notices: %d %v", len(got), err)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, len(dbs))
		for _, db := range dbs {
			wg.Go(func() {
				for {
					got, err := db.TakeNotices(ctx, core.Telegram, m, t0, 5)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for i, it := range got {
						seen[it.ID]++
						if it.ChannelID != "" || it.State != core.OutboxSent || i > 0 && it.ID < got[i-1].ID {
							errs <- fmt.Errorf("taken %+v", it)
						}
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != notices {
			t.Fatalf("%d notices taken, want %d", len(seen), notices)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("notice %d taken %d times", id, n)
			}
		}
		pending, err := dbs[0].Outbox(ctx, core.OutboxPending, 100)
		if err != nil || len(pending) != 1 || pending[0].ChannelID == "" {
			t.Fatalf("left pending: %v %v", pending, err)
		}
	})
}

// TestNoticesOfACrowd: a crowd of members writing at the same moment, whose probes
// for waiting notices are read together (Postgres), each gets their own notices,
// once, and the members nothing waits for get none.
func TestNoticesOfACrowd(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := linked(t, db, 1)
		const crowd = 48
		ids := make([]int64, crowd)
		on := func(i int) core.Platform { return []core.Platform{core.Telegram, core.Discord}[i/2%2] }
		want := map[int64]int{} // notices waiting for each member
		var anns []core.Announcement
		for i := range ids {
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: on(i), ExternalID: fmt.Sprint("crowd", i), Name: "Crowd"}, t0)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = m.ID
			if i%3 == 0 {
				want[m.ID] = 1 + i%2
				for n := range want[m.ID] {
					anns = append(anns, core.MemberNotice(c, m.ID, "announce.closed", "title", fmt.Sprint(i, "/", n)))
				}
			}
		}
		if err := db.Enqueue(ctx, t0, anns...); err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == storage.Postgres {
			// one batch of probes, as members writing at once make: each its own
			// answer, on its own platform (members 0 and 1 are on Telegram, 2 and
			// 3 on Discord, and notices wait for 0 and 3)
			tg, dc := core.Telegram, core.Discord
			found, err := db.ProbeNotices(ctx, []core.Platform{tg, tg, dc, tg, dc, tg, dc},
				[]int64{ids[1], ids[0], ids[3], ids[3], ids[0], ids[0], ids[2]})
			if err != nil || !slices.Equal(found, []bool{false, true, true, false, false, true, false}) {
				t.Fatalf("probes = %v %v", found, err)
			}
		}
		var mu sync.Mutex
		got := map[int64]int{}
		// every member writes at once
		errs := storagetest.Crowd(crowd, crowd, func(i int) error {
			m := ids[i]
			items, err := db.TakeNotices(ctx, on(i), m, t0, 5)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, it := range items {
				if it.MemberID != m {
					return fmt.Errorf("member %d was given %+v", m, it)
				}
				got[m]++
			}
			return nil
		})
		if len(errs) > 0 {
			t.Fatal(errs[0])
		}
		if !maps.Equal(got, want) {
			t.Fatalf("notices taken %v, want %v", got, want)
		}
	})
}

// checkStandings checks every kept standing against the rows it sums: the member's
// points rows and their credited referrals in the campaign.
func checkStandings(t testing.TB, db *storage.DB) {
	t.Helper()
	const sums = `(SELECT campaign_id, member_id, SUM(points) AS points, SUM(referrals) AS referrals FROM (
		SELECT campaign_id, member_id, amount AS points, 0 AS referrals FROM points
		UNION ALL SELECT campaign_id, referrer_id, 0, 1 FROM referrals WHERE credited_at IS NOT NULL
	) g GROUP BY campaign_id, member_id) k`
	ctx := context.Background()
	missing, err := db.QueryInt(ctx, `SELECT COUNT(*) FROM `+sums+` LEFT JOIN standings s
		ON s.campaign_id = k.campaign_id AND s.member_id = k.member_id
		WHERE (s.member_id IS NULL AND (k.points <> 0 OR k.referrals <> 0)) OR s.points <> k.points OR s.referrals <> k.referrals`)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := db.QueryInt(ctx, `SELECT COUNT(*) FROM standings s LEFT JOIN `+sums+`
		ON s.campaign_id = k.campaign_id AND s.member_id = k.member_id
		WHERE k.member_id IS NULL AND (s.points <> 0 OR s.referrals <> 0)`)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 0 || extra != 0 {
		t.Errorf("standings: %d differ from their points and referrals, %d stand for nothing", missing, extra)
	}
}

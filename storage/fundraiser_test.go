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

// fundFixture makes an open all-or-nothing fundraiser for goal EUR cents, closing a
// week after t0, linked to one channel.
func fundFixture(t testing.TB, db *storage.DB, goal int64) *core.Campaign {
	t.Helper()
	return openFundraiser(t, db, &core.Fundraiser{Goal: core.Money{Amount: goal, Currency: "EUR"}, Mode: core.FundAllOrNothing}, true)
}

// openFundraiser makes an open fundraiser f in a Telegram group, closing a week after
// t0, linked to the group's channel when linked is set.
func openFundraiser(t testing.TB, db *storage.DB, f *core.Fundraiser, linked bool) *core.Campaign {
	t.Helper()
	ctx := context.Background()
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: "-100777", Title: "Fans"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "owner"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	closes := t0.Add(7 * 24 * time.Hour)
	c := &core.Campaign{Kind: core.KindFundraiser, Title: "Album", SpaceID: sp.ID, State: core.StateOpen, OpensAt: t0,
		ClosesAt: &closes, DeadlineAt: &closes, CreatedBy: owner.ID, CreatedAt: t0, UpdatedAt: t0}
	var link *core.ChannelLink
	if linked {
		link = &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: "-100777", CreatedAt: t0}
	}
	if err := db.CreateFundraiser(ctx, c, f, link); err != nil {
		t.Fatal(err)
	}
	return c
}

func addTier(t testing.TB, db *storage.DB, c *core.Campaign, title string, min int64, limit int) *core.Tier {
	t.Helper()
	tier := &core.Tier{CampaignID: c.ID, Title: title, Min: eur(min), Limit: limit, CreatedAt: t0}
	if err := db.AddTier(context.Background(), tier); err != nil {
		t.Fatal(err)
	}
	return tier
}

func eur(cents int64) core.Money { return core.Money{Amount: cents, Currency: "EUR"} }

// crowdMember returns member i of the crowd, making it the first time.
func crowdMember(db *storage.DB, i int) (*core.Member, error) {
	return db.UpsertMember(context.Background(), core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(70000 + i)}, t0)
}

// crowd makes members 0 to n-1 of the crowd up front, so that a load test's crowd
// acts at once.
func crowd(t *testing.T, db *storage.DB, n int) []*core.Member {
	t.Helper()
	out, err := db.FundCrowd(context.Background(), 70000, n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// run runs f(i) for i in [0, n) on workers goroutines and returns the errors.
func run(n, workers int, f func(i int) error) []error {
	jobs := make(chan int)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				errs[i] = f(i)
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return errs
}

// checkFundTotals checks the fundraiser's counters against its pledge rows and every
// tier's count against its active pledges and limit.
func checkFundTotals(t *testing.T, db *storage.DB, c *core.Campaign) *core.Fundraiser {
	t.Helper()
	ctx := context.Background()
	f, err := db.Fundraiser(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.Backers(ctx, c.ID, 1, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	perTier := map[int64]int{}
	for _, b := range list {
		sum += b.Amount.Amount
		perTier[b.TierID]++
	}
	if f.Raised.Amount != sum || f.Backers != len(list) {
		t.Errorf("fundraiser says %v from %d backers; the pledges hold %d from %d", f.Raised, f.Backers, sum, len(list))
	}
	tiers, err := db.Tiers(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tier := range tiers {
		if tier.Taken != perTier[tier.ID] {
			t.Errorf("tier %q counts %d, %d active pledges are on it", tier.Title, tier.Taken, perTier[tier.ID])
		}
		if tier.Limit > 0 && tier.Taken > tier.Limit {
			t.Errorf("tier %q holds %d pledges, limit %d", tier.Title, tier.Taken, tier.Limit)
		}
	}
	return f
}

// TestConcurrentTierPledges has 3,000 members pledge at once for a tier limited to
// 100: exactly 100 get it, every other one is told it is sold out, and the totals
// are exact. (On SQLite under -race the crowd is 300, still three times the limit.)
func TestConcurrentTierPledges(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := fundFixture(t, db, 1_000_000)
		tier := addTier(t, db, c, "Signed vinyl", 5000, 100)
		members := storagetest.Scale(db, 3000)
		people := crowd(t, db, members)
		start := time.Now()
		errs := run(members, 64, func(i int) error {
			m := people[i]
			_, err := db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, MemberID: m.ID, Amount: eur(5000),
				TierID: tier.ID, Points: 10, At: t0.Add(time.Hour)})
			return err
		})
		t.Logf("%d pledges in %v", members, time.Since(start).Round(time.Millisecond))
		ok, soldOut := 0, 0
		for i, err := range errs {
			switch e := core.AsError(err); {
			case err == nil:
				ok++
			case e != nil && e.Code == core.ELIMIT && e.Key == "error.tier_sold_out" && e.Args["tier"] == "Signed vinyl":
				soldOut++
			default:
				t.Errorf("member %d: %v", i, err)
			}
		}
		if ok != 100 || soldOut != members-100 {
			t.Fatalf("%d pledges got the tier and %d were sold out; want 100 and %d", ok, soldOut, members-100)
		}
		f := checkFundTotals(t, db, c)
		if f.Raised != eur(100*5000) || f.Backers != 100 || f.Peak != f.Raised {
			t.Fatalf("totals %+v", f)
		}
		// the fundraiser reached 25% and 50%, each announced once
		if got := outboxCount(t, db, "announce.fund_milestone"); got != 2 {
			t.Errorf("%d milestone announcements, want 2", got)
		}
		// the sold-out crowd may still back without a tier
		m, _ := crowdMember(db, members)
		if _, err := db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, MemberID: m.ID, Amount: eur(100), At: t0}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestConcurrentTierMoves has members take places in two small tiers, move to the
// other one, raise, and cancel, all at once: no tier ever holds more than its limit,
// every count matches the pledges, and each active backer holds their points once.
func TestConcurrentTierMoves(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := fundFixture(t, db, 1_000_000)
		tiers := []*core.Tier{addTier(t, db, c, "Poster", 1000, 20), addTier(t, db, c, "Shirt", 2000, 20)}
		members := storagetest.Scale(db, 400)
		people := crowd(t, db, members)
		var cancelled atomic.Int64
		errs := run(members, 32, func(i int) error {
			m := people[i]
			pledge := func(amount int64, tier *core.Tier) error {
				_, err := db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, MemberID: m.ID, Amount: eur(amount),
					TierID: tier.ID, Points: 10, At: t0})
				if core.ErrorCode(err) == core.ELIMIT {
					return nil
				}
				return err
			}
			if err := pledge(2500, tiers[i%2]); err != nil {
				return err
			}
			if err := pledge(3000, tiers[(i+1)%2]); err != nil {
				return err
			}
			if i%3 == 0 {
				_, err := db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, MemberID: m.ID, Cancel: true, Points: 10, At: t0})
				if core.ErrorCode(err) == core.ENOTFOUND {
					return nil // neither tier had room for them
				}
				if err == nil {
					cancelled.Add(1)
				}
				return err
			}
			return nil
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("member %d: %v", i, err)
			}
		}
		f := checkFundTotals(t, db, c)
		tl, _ := db.Tiers(ctx, c.ID)
		if tl[0].Taken+tl[1].Taken > 40 || f.Backers != tl[0].Taken+tl[1].Taken {
			t.Errorf("tiers hold %d and %d for %d backers", tl[0].Taken, tl[1].Taken, f.Backers)
		}
		points, err := db.FundPledgePoints(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if points != int64(10*f.Backers) {
			t.Errorf("%d pledge points for %d backers", points, f.Backers)
		}
		t.Logf("%d members, %d cancelled, %d backers left", members, cancelled.Load(), f.Backers)
	})
}

// TestSettlementRacesPledges settles a fundraiser while pledges pour in: each pledge
// either lands before the settlement, and then its backer is told the outcome, or is
// refused as closed; none is lost between the two.
func TestSettlementRacesPledges(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := fundFixture(t, db, 10_000)
		members := storagetest.Scale(db, 400)
		people := crowd(t, db, members)
		// the settlement starts once a quarter of the crowd has pledged
		var landedSoFar atomic.Int64
		quarter := make(chan struct{})
		var state core.State
		var settleErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			<-quarter
			state, settleErr = db.SettleFundraiser(ctx, c.ID, core.StateOpen, t0.Add(time.Hour))
		})
		errs := run(members, 32, func(i int) error {
			// half of them as a crowd pledges (no tier named), half naming none
			_, err := db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, MemberID: people[i].ID, Amount: eur(100), KeepTier: i%2 == 0, Points: 10, At: t0.Add(time.Hour)})
			if err == nil && landedSoFar.Add(1) == int64(members/4) {
				close(quarter)
			}
			return err
		})
		wg.Wait()
		if settleErr != nil {
			t.Fatalf("settle: %v", settleErr)
		}
		landed, refused := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				landed++
			case core.ErrorCode(err) == core.ECLOSED:
				refused++
			default:
				t.Errorf("member %d: %v", i, err)
			}
		}
		f := checkFundTotals(t, db, c)
		if f.Backers != landed || landed < members/4 {
			t.Fatalf("%d pledges landed, the fundraiser counts %d", landed, f.Backers)
		}
		want := core.StateFailed
		if f.Funded() {
			want = core.StateFunded
		}
		if state != want {
			t.Fatalf("settled %s with %v of %v", state, f.Raised, f.Goal)
		}
		if notices := outboxCount(t, db, "notice.fund_"+string(want)); notices != landed {
			t.Fatalf("%d backers, %d notices", landed, notices)
		}
		if _, err := db.SettleFundraiser(ctx, c.ID, core.StateOpen, t0.Add(time.Hour)); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("second settlement: %v", err)
		}
		t.Logf("%d landed, %d refused, %s", landed, refused, state)
		checkStandings(t, db)
	})
}

func outboxCount(t *testing.T, db *storage.DB, key string) int {
	t.Helper()
	items, err := db.Outbox(context.Background(), "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range items {
		if it.Announcement.Key == key {
			n++
		}
	}
	return n
}

// TestPledgeRules covers what the database checks itself: closed campaigns, the close
// time, tier minimums on a kept tier, cancelling nothing, tier titles, stretch goals
// already reached, and the ledger.
func TestPledgeRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := fundFixture(t, db, 10_000)
		tier := addTier(t, db, c, "Poster", 2000, 0)
		if tier.Number != 1 || addTier(t, db, c, "Shirt", 3000, 5).Number != 2 {
			t.Fatalf("tier numbers")
		}
		if err := db.AddTier(ctx, &core.Tier{CampaignID: c.ID, Title: "POSTER", Min: eur(1), CreatedAt: t0}); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("same title: %v", err)
		}
		m, _ := crowdMember(db, 1)
		change := func(ch core.PledgeChange) (*core.PledgeOutcome, error) {
			ch.CampaignID, ch.MemberID, ch.Points = c.ID, m.ID, 10
			if ch.At.IsZero() {
				ch.At = t0
			}
			return db.ChangePledge(ctx, ch)
		}
		if _, err := change(core.PledgeChange{Cancel: true}); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("cancel without a pledge: %v", err)
		}
		out, err := change(core.PledgeChange{Amount: eur(2500), TierID: tier.ID})
		if err != nil || out.Tier == nil || out.Tier.Taken != 1 || out.Fundraiser.Raised != eur(2500) || out.Previous != nil {
			t.Fatalf("first pledge: %+v, %v", out, err)
		}
		// lowering below the kept tier's minimum is refused, with no tier it is fine
		if _, err := change(core.PledgeChange{Amount: eur(1000), KeepTier: true}); core.AsError(err) == nil || core.AsError(err).Key != "error.pledge_below_tier" {
			t.Fatalf("below tier: %v", err)
		}
		out, err = change(core.PledgeChange{Amount: eur(1000)})
		if err != nil || out.Tier != nil || out.Previous == nil || out.Previous.Amount != eur(2500) || out.Fundraiser.Backers != 1 {
			t.Fatalf("lower without tier: %+v, %v", out, err)
		}
		checkFundTotals(t, db, c)
		// a stretch goal added past the peak is announced at once
		g := &core.StretchGoal{CampaignID: c.ID, Target: eur(2000), Description: "Bonus track", CreatedAt: t0}
		if err := db.AddStretchGoal(ctx, g); err != nil {
			t.Fatal(err)
		}
		if err := db.AddStretchGoal(ctx, &core.StretchGoal{CampaignID: c.ID, Target: eur(2000), Description: "Twin", CreatedAt: t0}); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("same target: %v", err)
		}
		if n := outboxCount(t, db, "announce.fund_stretch"); n != 1 {
			t.Fatalf("%d stretch announcements", n)
		}
		// expenses add up; pledging after the close time is refused even before settlement
		if f, err := db.AddExpense(ctx, &core.Expense{CampaignID: c.ID, Amount: eur(300), What: "Mastering", CreatedBy: m.ID, CreatedAt: t0}); err != nil || f.Spent != eur(300) {
			t.Fatalf("expense: %+v, %v", f, err)
		}
		if _, err := change(core.PledgeChange{Amount: eur(5000), At: *c.ClosesAt}); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("pledge at the close: %v", err)
		}
		if _, err := db.SettleFundraiser(ctx, c.ID, core.StateOpen, *c.ClosesAt); err != nil {
			t.Fatal(err)
		}
		if _, err := change(core.PledgeChange{Cancel: true}); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("cancel after settlement: %v", err)
		}
		if _, err := db.AddExpense(ctx, &core.Expense{CampaignID: c.ID, Amount: eur(300), What: "x", CreatedBy: m.ID, CreatedAt: t0}); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("expense on a failed fundraiser: %v", err)
		}
	})
}

// TestPledgePointsAndReferrer credits a backer's points once however often the pledge
// changes, takes them back on a cancel, credits whoever referred the backer once, and
// lists that referrer with the backer.
func TestPledgePointsAndReferrer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := fundFixture(t, db, 10_000)
		people := crowd(t, db, 2)
		backer, referrer := people[0], people[1]
		if err := db.FundAddReferral(ctx, c.ID, backer.ID, referrer.ID, 7); err != nil {
			t.Fatal(err)
		}
		points := func(m *core.Member, action string) int64 {
			t.Helper()
			n, err := db.FundPoints(ctx, c.ID, m.ID, action)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		steps := []struct {
			ch            core.PledgeChange
			pledge, refer int64
		}{
			{core.PledgeChange{Amount: eur(500), KeepTier: true}, 10, 7}, // a first pledge, as a crowd makes them
			{core.PledgeChange{Amount: eur(900)}, 10, 7},
			{core.PledgeChange{Amount: eur(100)}, 10, 7},
			{core.PledgeChange{Cancel: true}, 0, 7},
			{core.PledgeChange{Amount: eur(200)}, 10, 7},
		}
		for i, s := range steps {
			s.ch.CampaignID, s.ch.MemberID, s.ch.Points, s.ch.At = c.ID, backer.ID, 10, t0
			if _, err := db.ChangePledge(ctx, s.ch); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if got, ref := points(backer, core.PointsPledge), points(referrer, core.PointsReferral); got != s.pledge || ref != s.refer {
				t.Fatalf("step %d: backer holds %d pledge points, referrer %d referral points; want %d and %d", i, got, ref, s.pledge, s.refer)
			}
		}
		list, err := db.Backers(ctx, c.ID, 1, 10)
		if err != nil || len(list) != 1 || list[0].Referrer != "telegram:70001" || list[0].Member != "telegram:70000" || list[0].Amount != eur(200) {
			t.Fatalf("backers %+v, %v", list, err)
		}
		checkStandings(t, db)
	})
}

// TestCrowdPledges: a crowd of first pledges at once (on Postgres they share
// batches): the totals match the pledges, every backer holds their points, each
// milestone and stretch goal the peak passes is announced once, and each outcome is a
// landed pledge with totals that include it. A second pledge by the same members
// then raises theirs.
func TestCrowdPledges(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		members := storagetest.Scale(db, 300)
		c := fundFixture(t, db, int64(members)*100/3) // reached a third of the way
		for _, target := range []int64{int64(members) * 50, int64(members) * 90, int64(members) * 200} {
			if err := db.AddStretchGoal(ctx, &core.StretchGoal{CampaignID: c.ID, Target: eur(target), Description: fmt.Sprint("at ", target), CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		people := crowd(t, db, members)
		for round, amount := range []int64{100, 150} {
			errs := run(members, 32, func(i int) error {
				out, err := db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, MemberID: people[i].ID, Amount: eur(amount), KeepTier: true, Points: 10, At: t0.Add(time.Hour)})
				switch {
				case err != nil:
					return err
				case !out.Pledge.Active || out.Pledge.MemberID != people[i].ID || out.Pledge.Amount != eur(amount) || out.Fundraiser.Raised.Amount < amount:
					return fmt.Errorf("member %d: outcome %+v", i, out)
				case (round == 1) != (out.Previous != nil):
					return fmt.Errorf("member %d, round %d: previous pledge %+v", i, round, out.Previous)
				}
				return nil
			})
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d, member %d: %v", round, i, err)
				}
			}
			f := checkFundTotals(t, db, c)
			if f.Backers != members || f.Raised != eur(int64(members)*amount) || f.Peak != f.Raised {
				t.Fatalf("round %d: %d backers, raised %v, peak %v", round, f.Backers, f.Raised, f.Peak)
			}
		}
		for i, m := range people {
			if n, err := db.FundPoints(ctx, c.ID, m.ID, core.PointsPledge); n != 10 || err != nil {
				t.Fatalf("member %d holds %d pledge points (%v), want 10", i, n, err)
			}
		}
		for key, want := range map[string]int{"announce.fund_milestone": 3, "announce.fund_goal_reached": 1, "announce.fund_stretch": 2} {
			if got := outboxCount(t, db, key); got != want {
				t.Errorf("%d %s announced, want %d", got, key, want)
			}
		}
		checkStandings(t, db)
	})
}

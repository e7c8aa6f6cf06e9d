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

// starsFixture makes an open all-or-nothing fundraiser taking Stars, goal stars.
func starsFixture(t testing.TB, db *storage.DB, goal int64) *core.Campaign {
	t.Helper()
	return openFundraiser(t, db, &core.Fundraiser{Goal: xtr(goal), Mode: core.FundAllOrNothing, Payment: core.PayStars}, false)
}

func xtr(n int64) core.Money { return core.Money{Amount: n, Currency: "XTR"} }

func payStars(db *storage.DB, c *core.Campaign, m *core.Member, amount, tier int64, charge string) (*core.StarPaymentOutcome, error) {
	return db.RecordStarPayment(context.Background(), core.StarPaymentChange{CampaignID: c.ID, MemberID: m.ID, Amount: amount,
		TierID: tier, ChargeID: charge, ProviderChargeID: "p-" + charge, Points: 10, At: t0.Add(time.Hour)})
}

// TestStarPaymentRecordedOnce pays twice, raises with a tier, and delivers a payment
// again: the pledge holds the two payments, paid, once each, with the tier's place,
// the totals and the points.
func TestStarPaymentRecordedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := starsFixture(t, db, 1000)
		tier := &core.Tier{CampaignID: c.ID, Title: "Sticker", Min: xtr(150), Limit: 1, CreatedAt: t0}
		if err := db.AddTier(ctx, tier); err != nil {
			t.Fatal(err)
		}
		m, _ := crowdMember(db, 1)
		out, err := payStars(db, c, m, 100, tier.ID, "c1") // below the tier's minimum
		if err != nil || out.Duplicate || !out.TierMissed || out.Tier != nil || out.Pledge.Paid != xtr(100) {
			t.Fatalf("first payment: %+v, %v", out, err)
		}
		out, err = payStars(db, c, m, 100, tier.ID, "c2")
		if err != nil || out.TierMissed || out.Tier == nil || out.Pledge.Amount != xtr(200) || out.Pledge.Paid != xtr(200) || out.Previous == nil {
			t.Fatalf("second payment: %+v, %v", out, err)
		}
		again, err := payStars(db, c, m, 100, tier.ID, "c2")
		if err != nil || !again.Duplicate {
			t.Fatalf("the same payment again: %+v, %v", again, err)
		}
		f := checkFundTotals(t, db, c)
		if f.Raised != xtr(200) || f.Paid != xtr(200) || f.Backers != 1 || f.Payment != core.PayStars {
			t.Fatalf("totals %+v", f)
		}
		list, err := db.Backers(ctx, c.ID, 1, 10)
		if err != nil || len(list) != 1 || list[0].Paid != xtr(200) || list[0].Promised() != xtr(0) || list[0].Tier != "Sticker" {
			t.Fatalf("backers %+v, %v", list, err)
		}
		// the tier is full: another member's payment counts without it
		other, _ := crowdMember(db, 2)
		out, err = payStars(db, c, other, 300, tier.ID, "c3")
		if err != nil || !out.TierMissed || out.Tier != nil {
			t.Fatalf("payment for a full tier: %+v, %v", out, err)
		}
		checkFundTotals(t, db, c)
		points, err := db.FundPledgePoints(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if points != 20 {
			t.Errorf("two backers hold %d points, want 10 each, once", points)
		}
	})
}

// TestStarPaymentConcurrentDeliveries delivers one payment many times at once: one
// paid pledge, counted once.
func TestStarPaymentConcurrentDeliveries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		c := starsFixture(t, db, 1000)
		m, _ := crowdMember(db, 1)
		const n = 16
		dup := make([]bool, n)
		errs := run(n, n, func(i int) error {
			out, err := payStars(db, c, m, 250, core.TierKeep, "same-charge")
			if err == nil {
				dup[i] = out.Duplicate
			}
			return err
		})
		recorded := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("delivery %d: %v", i, err)
			}
			if !dup[i] {
				recorded++
			}
		}
		if recorded != 1 {
			t.Fatalf("%d deliveries recorded the payment, want 1", recorded)
		}
		f := checkFundTotals(t, db, c)
		if f.Raised != xtr(250) || f.Paid != xtr(250) || f.Backers != 1 {
			t.Fatalf("totals %+v", f)
		}
		// distinct payments of one member and of others at once: each counts once
		other, _ := crowdMember(db, 2)
		errs = run(2*n, n, func(i int) error {
			who := m
			if i%2 == 1 {
				who = other
			}
			_, err := payStars(db, c, who, 10, core.TierKeep, fmt.Sprint("charge-", i/2*2+i%2, "-", i/2))
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("payment %d: %v", i, err)
			}
		}
		f = checkFundTotals(t, db, c)
		if f.Raised != xtr(250+2*n*10) || f.Paid != f.Raised || f.Backers != 2 {
			t.Fatalf("totals %+v", f)
		}
	})
}

// TestStarRefunds fails a fundraiser with two payments and one coming after the
// close: all three are due, a failed try waits and is claimed again, and a done one
// is counted for the admins and the backers list.
func TestStarRefunds(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := starsFixture(t, db, 1000)
		a, _ := crowdMember(db, 1)
		b, _ := crowdMember(db, 2)
		for i, m := range []*core.Member{a, b} {
			if _, err := payStars(db, c, m, 100, core.TierKeep, fmt.Sprint("r", i)); err != nil {
				t.Fatal(err)
			}
		}
		if none, err := db.ClaimStarRefunds(ctx, t0.Add(2*time.Hour), time.Minute, 10); err != nil || len(none) != 0 {
			t.Fatalf("refunds of a running fundraiser: %+v, %v", none, err)
		}
		state, err := db.SettleFundraiser(ctx, c.ID, core.StateOpen, t0.Add(2*time.Hour))
		if err != nil || state != core.StateFailed {
			t.Fatalf("settle: %v, %v", state, err)
		}
		late, err := payStars(db, c, b, 50, core.TierKeep, "late")
		if err != nil || !late.Refund {
			t.Fatalf("a payment after the close: %+v, %v", late, err)
		}
		now := t0.Add(3 * time.Hour)
		due, err := db.ClaimStarRefunds(ctx, now, 10*time.Minute, 10)
		if err != nil || len(due) != 3 {
			t.Fatalf("due refunds: %+v, %v", due, err)
		}
		if again, _ := db.ClaimStarRefunds(ctx, now, 10*time.Minute, 10); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		if due[0].UserID != "70001" && due[0].UserID != "70002" {
			t.Errorf("refund to user %q", due[0].UserID)
		}
		for i, r := range due {
			reason := ""
			if i == 0 {
				reason = "Bad Request: CHARGE_NOT_FOUND"
			}
			if err := db.FinishStarRefund(ctx, r.ID, now, reason, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := db.StarRefundSummary(ctx, c.ID)
		if err != nil || sum.Done != 2 || sum.Due != 1 || sum.Failing != 1 || sum.LastError != "Bad Request: CHARGE_NOT_FOUND" {
			t.Fatalf("summary %+v, %v", sum, err)
		}
		retry, err := db.ClaimStarRefunds(ctx, now.Add(2*time.Minute), 10*time.Minute, 10)
		if err != nil || len(retry) != 1 || retry[0].ID != due[0].ID || retry[0].Attempts != 1 {
			t.Fatalf("retry: %+v, %v", retry, err)
		}
		list, err := db.Backers(ctx, c.ID, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		var refunded int64
		for _, bk := range list {
			refunded += bk.Refunded.Amount
		}
		// the two payments made in time were paid back; the late one, first due, failed
		if due[0].ChargeID != "late" || refunded != 200 {
			t.Errorf("first due %q; backers show %d refunded", due[0].ChargeID, refunded)
		}
	})
}

// TestStarRefundsOnCancel cancels a Stars fundraiser: its payments are due back.
func TestStarRefundsOnCancel(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := starsFixture(t, db, 1000)
		m, _ := crowdMember(db, 1)
		if _, err := payStars(db, c, m, 100, core.TierKeep, "x1"); err != nil {
			t.Fatal(err)
		}
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateCancelled, At: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		due, err := db.ClaimStarRefunds(ctx, t0.Add(3*time.Hour), time.Minute, 10)
		if err != nil || len(due) != 1 || due[0].ChargeID != "x1" || due[0].Amount != xtr(100) {
			t.Fatalf("due %+v, %v", due, err)
		}
	})
}

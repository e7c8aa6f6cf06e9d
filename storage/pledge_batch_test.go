package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestFirstPledgesByReference runs a crowd of first pledges by members the store has
// never seen, given by reference (Service.IdentifyLater), some of them twice at once:
// each member is made once and filled in, said to be new to the request that made
// them and to no other, each holds one pledge, and the totals are their sum.
func TestFirstPledgesByReference(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreateFundraiser(ctx, admin, core.NewFundraiser{Title: "Roof", Goal: "1000000 EUR", Locale: "en",
			ClosesAt: new(t0.Add(30 * 24 * time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		members := storagetest.Scale(db, 200)
		var mu sync.Mutex
		ids, fresh := map[string]int64{}, map[string]int{}
		failures := storagetest.Crowd(2*members, 32, func(i int) error {
			who := fmt.Sprint(60000 + i%members) // every member pledges twice
			a := core.Actor{Member: core.Member{Platform: core.Telegram, ExternalID: who, Name: "fan " + who},
				Space: admin.Space, Channel: admin.Channel}
			_, out, err := svc.Pledge(ctx, &a, core.PledgeInput{Code: c.Code, Amount: "5", Locale: "en"})
			if err != nil {
				return err
			}
			if a.Member.ID == 0 || a.Member.ExternalID != who || out.Pledge.MemberID != a.Member.ID || out.Pledge.Amount.Amount != 500 {
				return fmt.Errorf("pledge %d: member %+v, pledge %+v", i, a.Member, out.Pledge)
			}
			mu.Lock()
			defer mu.Unlock()
			if id, ok := ids[who]; ok && id != a.Member.ID {
				return fmt.Errorf("member %s made twice: %d and %d", who, id, a.Member.ID)
			}
			ids[who] = a.Member.ID
			if a.Member.New {
				fresh[who]++
			}
			return nil
		})
		reportFailures(t, failures)
		for who, id := range ids {
			// only the batch of first pledges, which Postgres runs, says who it made
			if n := fresh[who]; n > 1 || (n == 0 && db.Dialect() == storage.Postgres) {
				t.Errorf("member %s (%d) said new to %d requests", who, id, n)
			}
		}
		made, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM members WHERE external_id LIKE '6%' AND platform = 'telegram'")
		if err != nil || made != int64(members) {
			t.Fatalf("%d members made of %d (%v)", made, members, err)
		}
		pledges, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM pledges WHERE campaign_id = ? AND active", c.ID)
		if err != nil || pledges != int64(members) {
			t.Fatalf("%d pledges of %d members (%v)", pledges, members, err)
		}
		f, err := db.Fundraiser(ctx, c.ID)
		if err != nil || f.Raised.Amount != int64(members)*500 || f.Backers != members {
			t.Fatalf("totals %+v after %d pledges of 5 EUR (%v)", f, members, err)
		}
		// a member the store knows, given by reference under a new name to a store
		// that has not seen them (a restart), is found and renamed, not new
		known := core.Member{Platform: core.Telegram, ExternalID: "60000", Name: "renamed fan"}
		db.ForgetMembers()
		_, err = db.ChangePledge(ctx, core.PledgeChange{CampaignID: c.ID, Member: &known, Amount: core.Money{Amount: 700, Currency: "EUR"},
			KeepTier: true, At: t0.Add(time.Hour)})
		if err != nil || known.ID != ids["60000"] || known.New {
			t.Fatalf("known member by reference: %+v (%v), want id %d and not new", known, err, ids["60000"])
		}
	})
}

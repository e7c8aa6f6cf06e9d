package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestConcurrentExpenseCorrections corrects one line of a ledger from many
// goroutines at once: one correction lands, the rest are refused, the spending moves
// once, the struck line stays, and every line keeps a number of its own.
func TestConcurrentExpenseCorrections(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := fundFixture(t, db, 100000)
		_, admin := fixture(t, db)
		for _, amount := range []int64{2000, 1500} {
			if _, err := db.AddExpense(ctx, &core.Expense{CampaignID: c.ID, Amount: eur(amount), What: "Studio", CreatedBy: admin.ID, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		n := storagetest.Scale(db, 40)
		var landed, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var repl *core.Expense
				if i%2 == 0 {
					repl = &core.Expense{CampaignID: c.ID, Amount: eur(2500), CreatedBy: admin.ID, CreatedAt: t0}
				}
				_, _, err := db.CorrectExpense(ctx, c.ID, 1, admin.ID, repl, t0)
				switch core.ErrorCode(err) {
				case "":
					landed.Add(1)
				case core.ECONFLICT:
					refused.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if landed.Load() != 1 || refused.Load() != int64(n-1) {
			t.Fatalf("%d corrections landed, %d refused", landed.Load(), refused.Load())
		}
		f, err := db.Fundraiser(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.Expenses(ctx, c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var spent int64
		seen := map[int64]bool{}
		for _, e := range list {
			if seen[e.Number] {
				t.Fatalf("number %d twice: %+v", e.Number, list)
			}
			seen[e.Number] = true
			if e.StruckAt == nil {
				spent += e.Amount.Amount
			}
		}
		if f.Spent.Amount != spent {
			t.Fatalf("spent %d, the live lines sum to %d", f.Spent.Amount, spent)
		}
		first := list[len(list)-1]
		if first.Number != 1 || first.StruckAt == nil {
			t.Fatalf("line #1 after the correction: %+v", first)
		}
		if len(list) == 3 && (list[0].Corrects != 1 || first.CorrectedBy != 3 || spent != 4000) {
			t.Fatalf("a replacement: %+v", list)
		}
		if len(list) == 2 && (first.CorrectedBy != 0 || spent != 1500) {
			t.Fatalf("a removal: %+v", list)
		}
		if _, _, err := db.CorrectExpense(ctx, c.ID, 9, admin.ID, nil, t0); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("a line that is not there: %v", err)
		}
	})
}

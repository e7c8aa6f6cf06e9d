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

// BenchmarkTaskNext measures /task next (core.Service.NextTask: the reads, the
// accuracy check and the claiming transaction) on jobs of 100,000 items with
// per_item=3 of which none, half and 95% already have their 3 answers. The three jobs
// live in the same database. It runs on Postgres when CROWDBOT_TEST_POSTGRES is set,
// else on SQLite.
//
// The filled=N% sub-benchmarks time each job on its own. The interleaved one asks
// each job in turn within every round, so that whatever else the machine is doing
// weighs on the three alike, and reports the time of each (ns/next-N%) and the ratios
// of the filled jobs to the empty one: the figure that shows whether next slows down
// as items fill up (1.0 means it does not).
//
// Each round a member of a pool of 1,000 takes an item, and the fake clock then moves
// past the lease, so every round finds the jobs in the same state: the cost measured
// is that of finding the next item, not of a queue of leases piling up.
func BenchmarkTaskNext(b *testing.B) {
	var db *storage.DB
	if storagetest.PostgresDSN() != "" {
		db = storagetest.Postgres(b)
	} else {
		db = storagetest.SQLite(b)
	}
	ctx := context.Background()
	const items = 100_000
	job := core.TaskJob{Answer: core.TaskChoice, Choices: []string{"yes", "no"}, PerItem: 3, Lease: 10 * time.Minute}
	svc, clock, admin, _ := taskFixture(b, db, job, 0)
	crowd := taskMembers(b, db, 1003)
	fillers, pool := crowd[:3], crowd[3:]
	levels := []int{0, 50, 95}
	codes := make([]string, len(levels))
	for i, percent := range levels {
		codes[i] = taskJobOf(b, svc, admin, job, items)
		c, err := svc.Campaign(ctx, codes[i])
		if err != nil {
			b.Fatal(err)
		}
		if err := fillAnswers(ctx, db, c.ID, fillers, 0, items*percent/100); err != nil {
			b.Fatal(err)
		}
	}
	if err := settleDB(ctx, db); err != nil {
		b.Fatal(err)
	}
	round := 0
	next := func(b *testing.B, level int) {
		card, err := svc.NextTask(ctx, pool[round%len(pool)], codes[level])
		if err != nil {
			b.Fatal(err)
		}
		if card.Item.Row <= items*levels[level]/100 {
			b.Fatalf("handed item %d, which is full", card.Item.Row)
		}
	}
	for i, percent := range levels {
		b.Run(fmt.Sprintf("filled=%d%%", percent), func(b *testing.B) {
			for b.Loop() {
				clock.Advance(job.Lease + time.Second)
				next(b, i)
				round++
			}
		})
	}
	b.Run("interleaved", func(b *testing.B) {
		spent := make([]time.Duration, len(levels))
		n := 0
		for b.Loop() {
			clock.Advance(job.Lease + time.Second)
			for i := range levels {
				start := time.Now()
				next(b, i)
				spent[i] += time.Since(start)
			}
			round++
			n++
		}
		for i, percent := range levels {
			b.ReportMetric(float64(spent[i].Nanoseconds())/float64(n), fmt.Sprintf("ns/next-%d%%", percent))
			if i > 0 {
				b.ReportMetric(float64(spent[i])/float64(spent[0]), fmt.Sprintf("ratio-%d%%/0%%", percent))
			}
		}
	})
}

// taskJobOf starts another job of n items through the service.
func taskJobOf(t testing.TB, svc *core.Service, admin core.Actor, job core.TaskJob, n int) string {
	t.Helper()
	items := make([]core.TaskItemInput, n)
	for i := range items {
		items[i] = core.TaskItemInput{Row: i + 1, Text: fmt.Sprintf("record %d", i+1)}
	}
	c, _, err := svc.CreateTaskJob(context.Background(), admin, core.NewTaskJob{Campaign: core.NewCampaign{Title: "Bench"}, Job: job, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return c.Code
}

// fillAnswers gives the items numbered (from, to] of a job their 3 answers, straight
// in SQL: the answer rows the claim looks through, and the counts its index orders by.
func fillAnswers(ctx context.Context, db *storage.DB, campaignID int64, fillers []core.Actor, from, to int) error {
	if to <= from {
		return nil
	}
	err := db.Exec(ctx, `INSERT INTO task_answers (campaign_id, item_id, member_id, value, status, created_at)
		SELECT i.campaign_id, i.id, m.id, 'yes', 'accepted', ? FROM task_items i CROSS JOIN members m
		WHERE i.campaign_id = ? AND i.row_no > ? AND i.row_no <= ? AND m.id IN (?, ?, ?)`,
		t0, campaignID, from, to, fillers[0].Member.ID, fillers[1].Member.ID, fillers[2].Member.ID)
	if err != nil {
		return err
	}
	return db.Exec(ctx, `UPDATE task_items SET answers = 3, settled = ?, agreed = 'yes'
		WHERE campaign_id = ? AND row_no > ? AND row_no <= ?`, true, campaignID, from, to)
}

// settleDB brings the database to the state of a job that filled up over hours:
// statistics gathered and, on Postgres, the index entries of the bulk UPDATE's old
// row versions vacuumed as autovacuum would have. VACUUM runs twice, a second apart,
// because it cannot remove versions a transaction open on the server (another test
// run) might still see.
func settleDB(ctx context.Context, db *storage.DB) error {
	if db.Dialect() == storage.SQLite {
		return db.Exec(ctx, "ANALYZE")
	}
	for range 2 {
		if err := db.Exec(ctx, "VACUUM ANALYZE task_items, task_answers"); err != nil {
			return err
		}
		time.Sleep(time.Second)
	}
	return nil
}

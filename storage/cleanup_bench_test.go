package storage_test

import (
	"context"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
)

// fillUpdates replaces the processed updates with n of them, recorded evenly over the
// span before end, in one statement.
func fillUpdates(b *testing.B, db *storage.DB, n int, end time.Time, span time.Duration) {
	b.Helper()
	ctx := context.Background()
	if err := db.Exec(ctx, "DELETE FROM processed_updates"); err != nil {
		b.Fatal(err)
	}
	start := end.Add(-span).UTC()
	step := span.Seconds() / float64(n)
	var err error
	if db.Dialect() == storage.Postgres {
		err = db.Exec(ctx, `INSERT INTO processed_updates (key, created_at)
			SELECT 'bench:' || g, ?::timestamptz + g * ?::float8 * interval '1 second' FROM generate_series(0, ? - 1) AS g`,
			start, step, n)
	} else {
		// the text the driver writes for a time in whole seconds
		err = db.Exec(ctx, `WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < ? - 1)
			INSERT INTO processed_updates (key, created_at)
			SELECT 'bench:' || n, strftime('%Y-%m-%d %H:%M:%S', ? + CAST(n * ? AS INTEGER), 'unixepoch') || '+00:00' FROM g`,
			n, start.Unix(), step)
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(ctx, "ANALYZE processed_updates"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCleanupKeepsTablesBounded fills processed_updates with a million updates
// spread evenly over ten days and times one scheduled cleanup (core.Service.Cleanup,
// batches of core.CleanupBatch rows) with the default 48 h retention: four fifths
// go, the last two days stay. It reports the rows left, the share left, the batches
// (each its own transaction) and their mean time, and the cleanup's time against the
// time of the one statement that inserted the rows.
func BenchmarkCleanupKeepsTablesBounded(b *testing.B) {
	const (
		rows = 1_000_000
		span = 10 * 24 * time.Hour
	)
	db := benchDB(b)
	ctx := context.Background()
	clock := core.NewFakeClock(t0)
	svc := core.NewService(db, clock, core.DefaultSettings())
	var fill, clean time.Duration
	var left int64
	batches := 0
	for b.Loop() {
		b.StopTimer()
		clock.Advance(core.CleanupEvery)
		began := time.Now()
		fillUpdates(b, db, rows, clock.Now(), span)
		fill += time.Since(began)
		b.StartTimer()

		began = time.Now()
		res, err := svc.Cleanup(ctx)
		clean += time.Since(began)
		if err != nil || !res.Ran {
			b.Fatal(res, err)
		}

		b.StopTimer()
		left, err = db.QueryInt(ctx, "SELECT COUNT(*) FROM processed_updates")
		if err != nil {
			b.Fatal(err)
		}
		kept := core.DefaultRetention().ProcessedUpdates
		want := int64(rows * kept.Hours() / span.Hours())
		if left < want-1 || left > want+1 || int64(res.Updates)+left != rows {
			b.Fatalf("%d rows left after deleting %d, want %d", left, res.Updates, want)
		}
		batches += (res.Updates + core.CleanupBatch - 1) / core.CleanupBatch
		b.StartTimer()
	}
	b.ReportMetric(float64(batches)/float64(b.N), "batches")
	b.ReportMetric(float64(clean.Milliseconds())/float64(batches), "ms/batch")
	b.ReportMetric(float64(left), "rows-left")
	b.ReportMetric(float64(left)/rows, "share-left")
	b.ReportMetric(float64(clean)/float64(fill), "cleanup/insert")
}

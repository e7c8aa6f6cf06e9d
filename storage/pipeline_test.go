package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"crowdbot/storage/storagetest"
)

// TestPipeline: a pipelined transaction commits what it sent only when its commit
// went with it; one whose statement fails, or that ends without its commit, leaves
// nothing, says so, and leaves no connection of the pool inside a transaction, so
// that the next ones, more than the pool holds, commit as they should.
func TestPipeline(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	insert := func(key string) string {
		return fmt.Sprintf("INSERT INTO processed_updates (key, created_at) VALUES ('%s', now())", key)
	}
	stored := func(key string) bool {
		t.Helper()
		n, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM processed_updates WHERE key = ?", key)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	for i := range 25 { // the pool holds 20
		failed := fmt.Sprint("failed-", i)
		err := db.RunPipeline(ctx, [][]string{{insert(failed)}, {"SELECT 1/0", insert(failed + "-after")}}, true)
		if err == nil || !strings.Contains(err.Error(), "division by zero") {
			t.Fatalf("a failing statement: %v", err)
		}
		open := fmt.Sprint("open-", i)
		if err := db.RunPipeline(ctx, [][]string{{insert(open)}}, false); err == nil || !strings.Contains(err.Error(), "left open") {
			t.Fatalf("no commit: %v", err)
		}
		done := fmt.Sprint("done-", i)
		if err := db.RunPipeline(ctx, [][]string{{insert(done)}, {insert(done + "-2")}}, true); err != nil {
			t.Fatalf("a pipeline that commits: %v", err)
		}
		if stored(failed) || stored(failed+"-after") || stored(open) || !stored(done) || !stored(done+"-2") {
			t.Fatalf("round %d: failed %v, open %v, done %v", i, stored(failed), stored(open), stored(done))
		}
	}
	n, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'")
	if err != nil || n != 0 {
		t.Fatalf("%d connections idle in a transaction (%v)", n, err)
	}
}

package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestSweepDatabases: the sweep drops the test databases older than its age, and
// keeps younger ones and databases of other names.
func TestSweepDatabases(t *testing.T) {
	if PostgresDSN() == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	old := fmt.Sprintf("%scopy_%d_0badc0de", testDatabasePrefix, time.Now().Add(-2*time.Hour).Unix())
	young := databaseName("copy")
	other := "crowdbot_sweep_" + fmt.Sprint(time.Now().Add(-2*time.Hour).Unix())
	for _, name := range []string{old, young, other} {
		if err := adminExec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = dropDatabase(name) })
	}
	if err := sweepDatabases(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, old) || !slices.Contains(names, young) || !slices.Contains(names, other) {
		t.Fatalf("after the sweep: old %v, young %v, other %v", slices.Contains(names, old),
			slices.Contains(names, young), slices.Contains(names, other))
	}
}

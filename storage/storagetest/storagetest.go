// Package storagetest opens fresh, migrated databases for tests: an SQLite file in a
// temporary folder always, and, when CROWDBOT_TEST_POSTGRES holds a DSN, a PostgreSQL
// database of the test's own (a copy of a template under Main, else a schema).
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"crowdbot/storage"
)

// PostgresEnv names the environment variable with the test Postgres DSN.
const PostgresEnv = "CROWDBOT_TEST_POSTGRES"

// PostgresDSN returns the test Postgres DSN, or "" when none is configured.
func PostgresDSN() string { return os.Getenv(PostgresEnv) }

// Each runs fn as a subtest on SQLite and, when configured, on Postgres.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	halves(t, func(t *testing.T, dsn func(testing.TB) string) { fn(t, opened(t, dsn(t))) })
}

// halves runs fn as the subtest "sqlite" and, when configured, "postgres", each
// given the function that makes its database's migrated DSN. Under Main the two run
// at once: the SQLite half mostly keeps a core busy and the Postgres half mostly
// waits for the server, so together they take little more than the longer.
func halves(t *testing.T, fn func(t *testing.T, dsn func(testing.TB) string)) {
	t.Helper()
	sqlite := func(t *testing.T) { fn(t, migratedSQLiteDSN) }
	postgres := func(t *testing.T) { fn(t, migratedPostgresDSN) }
	switch {
	case PostgresDSN() == "":
		t.Run("sqlite", sqlite)
	case !pgTemplate.enabled:
		t.Run("sqlite", sqlite)
		t.Run("postgres", postgres)
	default:
		var wg sync.WaitGroup
		wg.Go(func() { t.Run("sqlite", sqlite) })
		wg.Go(func() { t.Run("postgres", postgres) })
		wg.Wait()
	}
}

// SQLite returns a migrated database in a new file under t.TempDir.
func SQLite(t testing.TB) *storage.DB {
	t.Helper()
	return opened(t, migratedSQLiteDSN(t))
}

// migratedSQLiteDSN returns the path of a new file under t.TempDir holding a
// migrated database: a copy of one file this test binary migrated on first use.
// Building SQLite's schema costs most of a second under the race detector (each
// table re-reads the schema), and most tests start from a fresh database; the tests
// of Migrate itself open a path of their own from SQLiteDSN.
func migratedSQLiteDSN(t testing.TB) string {
	t.Helper()
	files, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("migrate the SQLite template: %v", err)
	}
	dsn := SQLiteDSN(t)
	for suffix, b := range files {
		if err := os.WriteFile(dsn+suffix, b, 0o600); err != nil {
			t.Fatalf("copy the SQLite template: %v", err)
		}
	}
	return dsn
}

// sqliteTemplate migrates a database file once per test binary and returns its
// files' contents by suffix: the database and, if the close left one, its WAL.
var sqliteTemplate = sync.OnceValues(func() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "crowdbot-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "crowdbot.db")
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return nil, err
		}
		files[suffix] = b
	}
	return files, nil
})

// SQLiteDSN returns the DSN of a new SQLite file under t.TempDir, not yet created.
func SQLiteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "crowdbot.db")
}

// Postgres returns a migrated database of the test Postgres of its own, dropped when
// the test ends. It fails the test when Postgres is configured but does not answer,
// and skips it when no Postgres is configured.
func Postgres(t testing.TB) *storage.DB {
	t.Helper()
	return opened(t, migratedPostgresDSN(t))
}

// migratedPostgresDSN returns the DSN of a migrated database of the test's own: a
// copy of the template under Main, else a new schema migrated now.
func migratedPostgresDSN(t testing.TB) string {
	t.Helper()
	return migratedPostgres(t, false)
}

// migratedPostgres is migratedPostgresDSN, with the server's durability or without.
func migratedPostgres(t testing.TB, durable bool) string {
	t.Helper()
	if PostgresDSN() == "" {
		t.Skip(PostgresEnv + " is not set: Postgres half skipped")
	}
	if pgTemplate.enabled {
		return copyTemplate(t, durable)
	}
	dsn := postgresSchemaDSN(t, durable)
	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return dsn
}

// PostgresSchemaDSN creates a fresh, empty schema and returns a DSN whose search_path
// is it. Commits do not wait for the WAL flush: tests need no durability.
func PostgresSchemaDSN(t testing.TB) string {
	t.Helper()
	return postgresSchemaDSN(t, false)
}

// PostgresDurable returns a migrated database in a fresh schema with the server's
// own durability settings, for benchmarks that compare with pgbench.
func PostgresDurable(t testing.TB) *storage.DB {
	t.Helper()
	return opened(t, migratedPostgres(t, true))
}

func postgresSchemaDSN(t testing.TB, durable bool) string {
	t.Helper()
	dsn := PostgresDSN()
	if dsn == "" {
		t.Skip(PostgresEnv + " is not set: Postgres half skipped")
	}
	ctx := context.Background()
	admin, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("postgres at %s does not answer: %v", PostgresEnv, err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := storage.Open(context.Background(), dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer a.Close()
		if err := a.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return withDurability(u, durable)
}

// opened opens dsn for the test, closed when it ends.
func opened(t testing.TB, dsn string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Note returns the line a test binary prints to say which databases it covers.
func Note() string {
	if PostgresDSN() == "" {
		return fmt.Sprintf("storage tests: SQLite only (%s is not set; set it to run them on Postgres too)", PostgresEnv)
	}
	return "storage tests: SQLite and Postgres"
}

// Scale returns how many concurrent actors a load test should use on db: n, except on
// SQLite under the race detector, where the instrumented pure-Go SQLite runs about
// ten times slower, so n/10 (at least 1). SQLite funnels every write through one
// connection, so the smaller crowd still races every statement; Postgres, where row
// locks and concurrent transactions are real, always gets the full n.
func Scale(db *storage.DB, n int) int {
	if Race && db.Dialect() == storage.SQLite {
		return max(1, n/10)
	}
	return n
}

// Replicas runs fn on SQLite and, when configured, Postgres, with n handles on one
// fresh, migrated database, each with its own connection pool, as n replicas have.
func Replicas(t *testing.T, n int, fn func(t *testing.T, dbs []*storage.DB)) {
	t.Helper()
	halves(t, func(t *testing.T, dsn func(testing.TB) string) {
		at := dsn(t)
		dbs := make([]*storage.DB, n)
		for i := range dbs {
			dbs[i] = opened(t, at)
		}
		fn(t, dbs)
	})
}

// Crowd runs jobs 0..n-1 on workers goroutines at once and returns the errors the
// jobs reported, in no particular order.
func Crowd(n, workers int, job func(i int) error) []error {
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := job(i); err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return failures
}

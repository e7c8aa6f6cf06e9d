// Package storagetest opens fresh, migrated databases for tests: an SQLite file in a
// temporary folder always, and a PostgreSQL schema of its own when
// CROWDBOT_TEST_POSTGRES holds a DSN.
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
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// SQLite returns a migrated database in a new file under t.TempDir: a copy of one
// file that this test binary migrated on first use. Building SQLite's schema costs
// most of a second under the race detector (each table re-reads the schema), and
// most tests start from a fresh database; the tests of Migrate itself open a path
// of their own from SQLiteDSN.
func SQLite(t testing.TB) *storage.DB {
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
	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
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
// the test ends: a copy of the template under Main, else a new schema. It fails the
// test when Postgres is configured but does not answer, and skips it when no
// Postgres is configured.
func Postgres(t testing.TB) *storage.DB {
	t.Helper()
	return migrated(t, false)
}

func migrated(t testing.TB, durable bool) *storage.DB {
	t.Helper()
	if pgTemplate.enabled {
		if PostgresDSN() == "" {
			t.Skip(PostgresEnv + " is not set: Postgres half skipped")
		}
		db, err := storage.Open(context.Background(), copyTemplate(t, durable))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	return open(t, postgresSchemaDSN(t, durable))
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
	return migrated(t, true)
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
	if !durable {
		// tests need no durability: not waiting for the WAL flush on each commit
		// makes the Postgres half faster and changes no semantics
		q.Set("synchronous_commit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, dsn string) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
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
	run := func(t *testing.T, dsn string) {
		dbs := make([]*storage.DB, n)
		for i := range dbs {
			db, err := storage.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			dbs[i] = db
		}
		if err := dbs[0].Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		fn(t, dbs)
	}
	t.Run("sqlite", func(t *testing.T) { run(t, SQLiteDSN(t)) })
	if PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { run(t, PostgresSchemaDSN(t)) })
	}
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

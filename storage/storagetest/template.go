package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"crowdbot/storage"
)

// Main runs a package's tests and returns their exit code, for its TestMain. Under
// Main, Postgres and PostgresDurable give each test a copy of a database this binary
// migrated once (CREATE DATABASE ... TEMPLATE), where otherwise each test migrates a
// fresh schema: on a busy server migrating takes a second or more, a copy a fifth of
// that. Each copy is dropped when its test ends and the template when m.Run returns;
// any a crashed binary left are dropped by the next binary that makes a template,
// once they are an hour old (their names carry the time they were made).
func Main(m *testing.M) int {
	pgTemplate.enabled = true
	code := m.Run()
	pgTemplate.drops.Wait()
	pgTemplate.mu.Lock()
	defer pgTemplate.mu.Unlock()
	if pgTemplate.name != "" {
		_ = dropDatabase(pgTemplate.name)
	}
	return code
}

var pgTemplate struct {
	enabled bool // set by Main before any test runs

	mu   sync.Mutex
	name string // the template, once made
	err  error  // why it could not be made

	drops sync.WaitGroup // copies being dropped
}

// testDatabasePrefix starts the name of every database these helpers make.
const testDatabasePrefix = "crowdbot_test_"

// databaseName returns a new database name: the prefix, what it is for, the time and
// a random part.
func databaseName(kind string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s%s_%d_%s", testDatabasePrefix, kind, time.Now().Unix(), hex.EncodeToString(b))
}

// databaseDSN returns the test DSN pointed at database name.
func databaseDSN(name string, durable bool) (string, error) {
	u, err := url.Parse(PostgresDSN())
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", PostgresEnv, err)
	}
	u.Path = "/" + name
	return withDurability(u, durable), nil
}

// withDurability returns u as a DSN, with the server's durability or, for tests,
// which need none, commits that do not wait for their WAL flush: faster, and no
// change of semantics.
func withDurability(u *url.URL, durable bool) string {
	if !durable {
		q := u.Query()
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// adminExec runs statements on the test DSN's own database, on one connection of
// the call's own.
func adminExec(statements ...string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, PostgresDSN())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func dropDatabase(name string) error { return adminExec(dropSQL(name)) }

// dropSQL drops database name, closing any sessions still on it.
func dropSQL(name string) string { return "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)" }

// template returns the name of this binary's migrated template database, making it
// on first use.
func template() (string, error) {
	pgTemplate.mu.Lock()
	defer pgTemplate.mu.Unlock()
	if pgTemplate.name == "" && pgTemplate.err == nil {
		pgTemplate.name, pgTemplate.err = makeTemplate()
	}
	return pgTemplate.name, pgTemplate.err
}

func makeTemplate() (string, error) {
	ctx := context.Background()
	if err := sweepDatabases(ctx, time.Hour); err != nil {
		return "", fmt.Errorf("drop old test databases: %w", err)
	}
	name := databaseName("template")
	if err := adminExec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	dsn, err := databaseDSN(name, false)
	if err != nil {
		return "", err
	}
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx)
	// a database with sessions open cannot be copied: the pool closes before any copy
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = dropDatabase(name)
		return "", err
	}
	return name, nil
}

// sweepDatabases drops the test databases made more than age ago.
func sweepDatabases(ctx context.Context, age time.Duration) error {
	conn, err := pgx.Connect(ctx, PostgresDSN())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", testDatabasePrefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range names {
		parts := strings.Split(strings.TrimPrefix(name, testDatabasePrefix), "_")
		if len(parts) != 3 {
			continue
		}
		made, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || time.Since(time.Unix(made, 0)) < age {
			continue
		}
		if _, err := conn.Exec(ctx, dropSQL(name)); err != nil {
			return err
		}
	}
	return nil
}

// copyTemplate returns the DSN of a new copy of the template, dropped when t ends.
func copyTemplate(t testing.TB, durable bool) string {
	t.Helper()
	tpl, err := template()
	if err != nil {
		t.Fatalf("postgres template at %s: %v", PostgresEnv, err)
	}
	name := databaseName("copy")
	if err := adminExec("CREATE DATABASE " + name + " TEMPLATE " + tpl); err != nil {
		t.Fatalf("copy the postgres template: %v", err)
	}
	// dropping a database waits for a checkpoint: the drop goes on while the next
	// tests run, and Main waits for it
	t.Cleanup(func() {
		pgTemplate.drops.Go(func() {
			if err := dropDatabase(name); err != nil {
				fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
			}
		})
	})
	dsn, err := databaseDSN(name, durable)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

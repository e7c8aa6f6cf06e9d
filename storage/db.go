// Package storage keeps crowdbot's state with gorm, on an embedded SQLite file by
// default or on PostgreSQL. It implements core.Store; its row types are private.
//
// Files follow core's aggregates (idea.go, poll.go, ...), each with its migrations
// (migrate_idea.go, ...), listed in order in migrations(). Two more name what the
// kinds share: house (migrate_house.go: the first tables, those of spaces, members,
// campaigns, channel links, the outbox, points, referrals and processed updates) and
// spread (spread.go, migrate_spread.go: progress schedules, reminders, referrals,
// the leaderboard, and the outbox's claims and delivery). A
// card is an announcement drawn in its kind's own shape (a poll with its vote
// buttons) and edited after it is posted; a front is one place people reach the bot
// (Telegram, Discord, the web). Rules that must hold under concurrency are kept here
// by keys, conditional statements and row locks, not by a read before a write;
// docs/DESIGN.md says which.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"crowdbot/core"
)

// DefaultSQLiteFile is the database file used when no DSN is given.
const DefaultSQLiteFile = "crowdbot.db"

// Dialect names the database behind a DB.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is crowdbot's store on SQLite or PostgreSQL.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
	newCode func() string // campaign codes; tests swap it to force collisions
	spaces  *rowCache[spaceRow]
	members *rowCache[memberRow]
	// campaigns, polls and funds serve the presses of a crowd (RecentCampaign,
	// PollSettings, FundraiserTerms), whose writes check the campaign's state
	// themselves
	campaigns *rowCache[campaignRow]
	polls     *rowCache[core.Poll]
	funds     *rowCache[fundraiserRow]
	// votes gathers concurrent first votes into one statement (Postgres only:
	// SQLite has one connection and no round trips to save)
	votes *batcher[firstVote, firstVoteResult]
	// ballots gathers concurrent first ballots of polls (Postgres only, as votes)
	ballots *batcher[firstBallot, firstBallotResult]
	// pledges gathers concurrent first pledges with no tier (Postgres only, as votes)
	pledges *batcher[firstPledge, firstPledgeResult]
	// newMembers gathers the members a crowd brings at the same moment into one
	// insert (Postgres only, as votes)
	newMembers *batcher[memberUpsert, memberUpserted]
	// noticeProbes gathers the reads, made with every web message, for whether a
	// notice waits for its member into one (Postgres only, as votes)
	noticeProbes *batcher[noticeProbe, bool]
	// lazy is a second small pool whose commits do not wait for their WAL flush, for
	// rows nobody is told were stored until a later, durable commit: a new member's
	// row, written just before their first vote (Postgres only; nil on SQLite)
	lazy *gorm.DB
}

var _ core.Store = (*DB)(nil)

// Open connects to the database named by dsn: "" for the SQLite file crowdbot.db in
// the working directory, a path or "sqlite://path" for another SQLite file, and a
// "postgres://" or "postgresql://" URL for PostgreSQL. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		g       *gorm.DB
		err     error
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		if dsn, err = withDeadlines(dsn); err != nil {
			return nil, fmt.Errorf("open %s: the URL does not parse", dialect) // it may hold a password
		}
		g, err = gorm.Open(pgDialector{postgres.Open(dsn).(*postgres.Dialector)}, cfg)
	default:
		dialect = SQLite
		// switching a new file to WAL needs its lock for a moment; a second process
		// starting at the same instant waits its turn instead of failing
		for attempt := 0; ; attempt++ {
			g, err = gorm.Open(sqlite.Open(sqliteDSN(dsn)), cfg)
			if err == nil || attempt == 100 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
				break
			}
			if err := core.Sleep(ctx, 50*time.Millisecond); err != nil {
				return nil, err
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, redactErr(err, dsn))
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	if dialect == SQLite {
		// one connection: SQLite has one writer anyway, and this keeps every write
		// queued in Go instead of spinning on SQLITE_BUSY
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{gorm: g, dialect: dialect, newCode: core.NewCode,
		spaces: newRowCache[spaceRow](time.Minute, 10000), members: newRowCache[memberRow](time.Minute, 100000),
		campaigns: newRowCache[campaignRow](recentTTL, 10000), polls: newRowCache[core.Poll](recentTTL, 10000),
		funds: newRowCache[fundraiserRow](recentTTL, 10000)}
	if dialect == Postgres {
		db.votes = newBatcher(voteFlushes, voteBatch, db.firstVotes)
		db.newMembers = newBatcher(memberFlushes, voteBatch, db.upsertMembers)
		db.ballots = newBatcher(voteFlushes, voteBatch, db.firstBallots)
		db.pledges = newBatcher(voteFlushes, voteBatch, db.firstPledges)
		db.noticeProbes = newBatcher(memberFlushes, voteBatch, db.probeNotices)
		if db.lazy, err = openLazy(dsn, cfg); err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("open %s: %w", dialect, redactErr(err, dsn))
		}
	}
	if err := db.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open %s: %w", dialect, redactErr(err, dsn))
	}
	return db, nil
}

// openLazy opens the pool of commits that do not wait for the WAL flush. Postgres
// writes its log in order, so the durable commit of a vote flushes the member row
// written before it too; a crash before that commit loses a row no one was told of.
func openLazy(dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	g, err := gorm.Open(pgDialector{postgres.Open(u.String()).(*postgres.Dialector)}, cfg)
	if err != nil {
		return nil, err
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(4)
	sqlDB.SetMaxIdleConns(4)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return g, nil
}

// How many batches may run at once, and how many requests one holds.
//
// One batch of first votes, ballots or pledges at a time: a crowd presses the
// buttons of one campaign, and every batch holds that campaign's row (an idea, a
// poll's options, a fundraiser) from its update to its commit, so a second batch in
// flight would only wait for it, and split the crowd into smaller batches, each
// with its statements and its commit. One batch at a time took the burst of
// docs/BENCHMARKS.md from about 7,900 to 10,600 first votes a second (run 12), and
// four at once were worse than two.
//
// Two batches of new members: their rows are all different, so two batches overlap;
// and two of notice probes, which only read.
const (
	voteFlushes   = 1
	memberFlushes = 2
	voteBatch     = 256
)

// sqliteDSN turns a path into a DSN with the pragmas crowdbot relies on: WAL, a busy
// timeout for other processes, foreign keys, and write transactions that take the
// write lock at BEGIN so they never fail half-way on an upgrade.
func sqliteDSN(dsn string) string {
	path := strings.TrimPrefix(dsn, "sqlite://")
	if path == "" {
		path = DefaultSQLiteFile
	}
	if strings.Contains(path, "?") {
		return path // the operator chose their own options
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// redactErr keeps a DSN's password out of error messages, which end up in logs.
func redactErr(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// Dialect tells which database is behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the connections.
func (db *DB) Close() error {
	if db.lazy != nil {
		if sqlDB, err := db.lazy.DB(); err == nil {
			_ = sqlDB.Close()
		}
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.gorm.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// processedUpdate records a platform update whose effect has been committed.
type processedUpdate struct {
	Key       string `gorm:"primaryKey;size:200"`
	CreatedAt time.Time
}

func (processedUpdate) TableName() string { return "processed_updates" }

// tx runs fn in a transaction: the transaction of a use case's effect. When ctx
// carries a platform update that has not been recorded yet, the update is recorded in
// the same transaction, and a second delivery of it fails with core.EDUPLICATE.
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	u := core.UpdateFrom(ctx)
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u != nil && !u.Done() {
			err := tx.Create(&processedUpdate{Key: u.Key, CreatedAt: time.Now().UTC()}).Error
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return core.Errorf(core.EDUPLICATE, "error.duplicate_update")
			}
			if err != nil {
				return fmt.Errorf("record update: %w", err)
			}
		}
		return fn(tx)
	})
	if err == nil && u != nil {
		u.MarkDone()
	}
	return translate(err)
}

// read returns a session for queries outside any transaction.
func (db *DB) read(ctx context.Context) *gorm.DB { return db.gorm.WithContext(ctx) }

// forUpdate locks the selected rows until the transaction ends (Postgres; SQLite's
// immediate transactions already hold the one write lock).
func forUpdate(tx *gorm.DB) *gorm.DB {
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// mapRows turns the rows a query found into core values, each through conv (a row
// type's toCore, most often).
func mapRows[R, T any](rows []R, conv func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out
}

// translate turns gorm's errors into core codes, and a database out of reach or
// out of time into EUNAVAILABLE; core errors pass through.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case core.AsError(err) != nil:
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return core.Errorf(core.ENOTFOUND, "error.not_found")
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return core.Errorf(core.ECONFLICT, "error.conflict")
	}
	// an error that did not come through gorm (a batch's answer lost on the way)
	return asUnavailable(err)
}

// notFound turns a missing row into a core not-found error with a specific key.
func notFound(err error, key string, args ...any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return core.Errorf(core.ENOTFOUND, key, args...)
	}
	return translate(err)
}

// violatesCheck reports whether err is the database refusing a row by the check
// constraint named. Postgres's answer comes translated by gorm, without the name: a
// caller names the one check its statement can break.
func violatesCheck(err error, name string) bool {
	return errors.Is(err, gorm.ErrCheckConstraintViolated) || err != nil && strings.Contains(err.Error(), name)
}

// isDuplicate reports whether err is a unique-key violation.
func isDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// Exec runs a statement outside any transaction; for operators' and tests' chores.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) error {
	return db.read(ctx).Exec(sql, args...).Error
}

// QueryInt runs a query of one number (a count); for operators' and tests' checks.
func (db *DB) QueryInt(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := db.read(ctx).Raw(sql, args...).Scan(&n).Error
	return n, err
}

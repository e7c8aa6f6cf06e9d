package storage

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations lists every schema change in the order it runs. Each migration is a
// frozen snapshot: a later change to a row type gets a migration of its own.
func migrations() []*gormigrate.Migration {
	return slices.Concat(
		houseMigrations(),
		ideaMigrations(),
		pollMigrations(),
		contestMigrations(),
		fundraiserMigrations(),
		taskMigrations(),
		spreadMigrations(),
		cleanupMigrations(),
		adminMigrations(),
		topicMigrations(),
		standingsMigrations(),
		ballotCountMigrations(),
		starsMigrations(),
		discussionMigrations(),
		recognitionMigrations(),
		wizardMigrations(),
		threadMigrations(),
		wizardLinkMigrations(),
	)
}

// migrationLock is the Postgres advisory lock key that serializes migrations.
const migrationLock = 0x63726f7764626f74 // "crowdbot"

// Migrate brings the schema up to date. It is safe to run again and from several
// processes at once: migrations run in one transaction that first takes a lock
// (an advisory lock on Postgres; the write lock on SQLite), so the second process
// waits and then finds nothing left to do.
func (db *DB) Migrate(ctx context.Context) error {
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if db.dialect == Postgres {
			// a migration may rewrite a big table: the statement deadline is for requests
			if err := tx.Exec("SET LOCAL statement_timeout = 0").Error; err != nil {
				return err
			}
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLock).Error; err != nil {
				return fmt.Errorf("take migration lock: %w", err)
			}
		} else {
			// an immediate transaction holds SQLite's write lock already; touching the
			// schema makes that explicit for DSNs that chose deferred transactions
			if err := tx.Exec("CREATE TABLE IF NOT EXISTS migration_lock (id INTEGER PRIMARY KEY)").Error; err != nil {
				return fmt.Errorf("take migration lock: %w", err)
			}
		}
		m := gormigrate.New(tx, &gormigrate.Options{
			TableName:      "migrations",
			IDColumnName:   "id",
			IDColumnSize:   255,
			UseTransaction: false, // we are inside our own
		}, migrations())
		return m.Migrate()
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Applied lists the ids of the migrations the database has run.
func (db *DB) Applied(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.read(ctx).Table("migrations").Order("id").Pluck("id", &ids).Error
	return ids, err
}

// create returns a migration that creates the given tables, and drops them on
// rollback. The models are snapshots private to the migration.
func create(id string, models ...any) *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: id,
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(models...)
		},
		Rollback: func(tx *gorm.DB) error {
			rev := slices.Clone(models)
			slices.Reverse(rev)
			return tx.Migrator().DropTable(rev...)
		},
	}
}

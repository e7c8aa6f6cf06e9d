package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// cleanupMigrations make the tables that only grew prunable: the announcements' once
// keys move to a table of their own (so a sent outbox row may go without its key),
// processed updates get an index by age, and the chores table records when each
// periodic chore is next due.
func cleanupMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type outboxOnce struct {
		Key       string `gorm:"primaryKey;size:300"`
		CreatedAt time.Time
	}
	type chore struct {
		Name   string    `gorm:"primaryKey;size:64"`
		NextAt time.Time `gorm:"not null"`
	}
	return []*gormigrate.Migration{
		{
			ID: "0070_bounded_tables",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Table("outbox_once").Migrator().CreateTable(&outboxOnce{}); err != nil {
					return err
				}
				if err := tx.Migrator().CreateTable(&chore{}); err != nil {
					return err
				}
				for _, sql := range []string{
					// every key queued so far stays spent
					"INSERT INTO outbox_once (key, created_at) SELECT once_key, MIN(created_at) FROM outbox_items WHERE once_key IS NOT NULL GROUP BY once_key",
					"CREATE INDEX ix_processed_updates_age ON processed_updates (created_at)",
				} {
					if err := tx.Exec(sql).Error; err != nil {
						return err
					}
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Exec("DROP INDEX IF EXISTS ix_processed_updates_age").Error; err != nil {
					return err
				}
				return tx.Migrator().DropTable(&chore{}, "outbox_once")
			},
		},
	}
}

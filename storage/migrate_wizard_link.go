package storage

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// wizardLinkMigrations let a guided set-up started in a group be answered in the
// admin's private chat with the bot: token is the unguessable part of the link that
// resumes it there, answer_in the private chat it is answered in once resumed, and
// any_admin marks a set-up the chat started itself (a channel post), which any of
// its administrators may take. A member's private chat answers at most one set-up
// at a time (a unique index; NULLs, set-ups answered where they were started, do
// not collide).
func wizardLinkMigrations() []*gormigrate.Migration {
	exec := func(tx *gorm.DB, sqls ...string) error {
		for _, sql := range sqls {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	}
	return []*gormigrate.Migration{{
		ID: "0150_wizard_links",
		Migrate: func(tx *gorm.DB) error {
			return exec(tx,
				"ALTER TABLE wizards ADD COLUMN token VARCHAR(32) NOT NULL DEFAULT ''",
				"ALTER TABLE wizards ADD COLUMN answer_in VARCHAR(64)",
				"ALTER TABLE wizards ADD COLUMN any_admin BOOLEAN NOT NULL DEFAULT false",
				"CREATE UNIQUE INDEX ux_wizards_answer_in ON wizards (member_id, answer_in)",
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return exec(tx,
				"DROP INDEX ux_wizards_answer_in",
				"ALTER TABLE wizards DROP COLUMN any_admin",
				"ALTER TABLE wizards DROP COLUMN answer_in",
				"ALTER TABLE wizards DROP COLUMN token",
			)
		},
	}}
}

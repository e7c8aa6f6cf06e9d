package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// spreadMigrations create the tables of the spread aggregate: the outbox's claim
// column and delivery indexes, and the record of reminders sent.
func spreadMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first changed; do not edit, add a migration instead
	type outboxItem struct {
		ClaimToken string `gorm:"size:40;not null;default:''"`
	}
	type campaign struct{ ID int64 }
	type campaignReminder struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		DeadlineAt time.Time `gorm:"primaryKey"`
		CreatedAt  time.Time
	}
	return []*gormigrate.Migration{
		{
			ID: "0060_outbox_claims",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Migrator().AddColumn(&outboxItem{}, "ClaimToken"); err != nil {
					return err
				}
				// the dispatcher finds each destination's oldest pending row, and the
				// recent posts for pacing, through these
				for _, sql := range []string{
					"CREATE INDEX ix_outbox_pending ON outbox_items (platform, state, channel_id, member_id, id)",
					"CREATE INDEX ix_outbox_sent ON outbox_items (platform, state, sent_at)",
					"CREATE INDEX ix_outbox_claim ON outbox_items (claim_token)",
				} {
					if err := tx.Exec(sql).Error; err != nil {
						return err
					}
				}
				return tx.Migrator().CreateTable(&campaignReminder{})
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Migrator().DropTable(&campaignReminder{}); err != nil {
					return err
				}
				for _, ix := range []string{"ix_outbox_pending", "ix_outbox_sent", "ix_outbox_claim"} {
					if err := tx.Exec("DROP INDEX IF EXISTS " + ix).Error; err != nil {
						return err
					}
				}
				return tx.Migrator().DropColumn(&outboxItem{}, "ClaimToken")
			},
		},
	}
}

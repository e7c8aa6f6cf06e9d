package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// threadMigrations create the discussion threads of ideas: a Discord thread started
// from an idea's card, a Telegram forum topic, one per idea and channel.
func threadMigrations() []*gormigrate.Migration {
	// snapshot of the schema as first created; do not edit, add a migration instead
	type idea struct{ ID int64 }
	type ideaThread struct {
		ID        int64  `gorm:"primaryKey"`
		IdeaID    int64  `gorm:"not null;uniqueIndex:ux_idea_threads_claim,priority:1"`
		Idea      *idea  `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
		Platform  string `gorm:"size:16;not null;uniqueIndex:ux_idea_threads_claim,priority:2"`
		ChannelID string `gorm:"size:64;not null;uniqueIndex:ux_idea_threads_claim,priority:3"`
		ThreadID  string `gorm:"size:64;not null;default:''"`
		State     string `gorm:"size:16;not null"`
		ClaimedAt time.Time
		OpenedAt  *time.Time
	}
	return []*gormigrate.Migration{
		{
			// the claim's unique key makes one thread per idea and channel; a thread,
			// once known, belongs to one idea (looked up by platform and thread id
			// first: a Discord thread's id is unique on its own)
			ID: "0140_idea_threads",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Migrator().CreateTable(&ideaThread{}); err != nil {
					return err
				}
				return tx.Exec("CREATE UNIQUE INDEX ux_idea_threads_thread ON idea_threads (platform, thread_id, channel_id) WHERE thread_id <> ''").Error
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable(&ideaThread{})
			},
		},
	}
}

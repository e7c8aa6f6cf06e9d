package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// discussionMigrations create the comments on ideas, and the columns of an idea
// that count them and pace the notices to its author.
func discussionMigrations() []*gormigrate.Migration {
	// snapshot of the schema as first created; do not edit, add a migration instead
	type idea struct{ ID int64 }
	type member struct{ ID int64 }
	type ideaComment struct {
		ID         int64   `gorm:"primaryKey"`
		IdeaID     int64   `gorm:"not null;uniqueIndex:ux_idea_comments_number,priority:1;index:ix_idea_comments_list,priority:1"`
		Idea       *idea   `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
		Number     int64   `gorm:"not null;uniqueIndex:ux_idea_comments_number,priority:2"`
		CampaignID int64   `gorm:"not null"`
		AuthorID   int64   `gorm:"not null;index"`
		Author     *member `gorm:"foreignKey:AuthorID"`
		Text       string  `gorm:"type:text;not null"`
		Hidden     bool    `gorm:"not null;default:false;index:ix_idea_comments_list,priority:2"`
		CreatedAt  time.Time
	}
	type ideaPost struct {
		Platform  string `gorm:"primaryKey;size:16"`
		ChannelID string `gorm:"primaryKey;size:64"`
		MessageID string `gorm:"primaryKey;size:64"`
		IdeaID    int64  `gorm:"not null;index"`
		Idea      *idea  `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
		ThreadID  string `gorm:"size:64;not null;default:''"`
		CreatedAt time.Time
	}
	exec := func(tx *gorm.DB, sqls ...string) error {
		for _, sql := range sqls {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	}
	return []*gormigrate.Migration{
		{
			// comments: the visible count shown with the idea; comment_seq: the last
			// comment number given; comments_unnoticed and comments_noticed_at: the
			// comments its author has not been told of, and when they last were
			ID: "0110_idea_comments",
			Migrate: func(tx *gorm.DB) error {
				stamp := "DATETIME"
				if tx.Dialector.Name() == "postgres" {
					stamp = "TIMESTAMPTZ"
				}
				if err := tx.Migrator().CreateTable(&ideaComment{}); err != nil {
					return err
				}
				return exec(tx,
					"ALTER TABLE ideas ADD COLUMN comments INTEGER NOT NULL DEFAULT 0",
					"ALTER TABLE ideas ADD COLUMN comment_seq BIGINT NOT NULL DEFAULT 0",
					"ALTER TABLE ideas ADD COLUMN comments_unnoticed INTEGER NOT NULL DEFAULT 0",
					"ALTER TABLE ideas ADD COLUMN comments_noticed_at "+stamp,
				)
			},
			Rollback: func(tx *gorm.DB) error {
				if err := exec(tx,
					"ALTER TABLE ideas DROP COLUMN comments_noticed_at",
					"ALTER TABLE ideas DROP COLUMN comments_unnoticed",
					"ALTER TABLE ideas DROP COLUMN comment_seq",
					"ALTER TABLE ideas DROP COLUMN comments",
				); err != nil {
					return err
				}
				return tx.Migrator().DropTable(&ideaComment{})
			},
		},
		{
			// the posted cards of ideas, each one's platform message, and the thread
			// started from it: replies to a card and messages in its thread are
			// comments on its idea
			ID: "0111_idea_posts",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Migrator().CreateTable(&ideaPost{}); err != nil {
					return err
				}
				return tx.Exec("CREATE UNIQUE INDEX ux_idea_posts_thread ON idea_posts (platform, thread_id) WHERE thread_id <> ''").Error
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable(&ideaPost{})
			},
		},
	}
}

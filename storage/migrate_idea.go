package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// ideaMigrations create the ideas board's tables.
func ideaMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type idea struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;uniqueIndex:ux_ideas_key,priority:1;index:ix_ideas_list,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		AuthorID   int64     `gorm:"not null;index"`
		Author     *member   `gorm:"foreignKey:AuthorID"`
		Text       string    `gorm:"type:text;not null"`
		TextKey    string    `gorm:"size:64;not null;uniqueIndex:ux_ideas_key,priority:2"`
		Status     string    `gorm:"size:16;not null"`
		Tags       string    `gorm:"size:200;not null;default:','"`
		Hidden     bool      `gorm:"not null;default:false;index:ix_ideas_list,priority:2"`
		MergedInto *int64
		Votes      int `gorm:"not null;default:0;index:ix_ideas_list,priority:3"`
		CreatedAt  time.Time
	}
	type ideaVote struct {
		IdeaID    int64   `gorm:"primaryKey;autoIncrement:false"`
		Idea      *idea   `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
		MemberID  int64   `gorm:"primaryKey;autoIncrement:false;index"`
		Member    *member `gorm:"foreignKey:MemberID"`
		CreatedAt time.Time
	}
	return []*gormigrate.Migration{
		create("0010_ideas", &idea{}, &ideaVote{}),
		{
			// a vote bumps ideas.votes: with votes out of every index (and room left
			// in each page on Postgres) the bump is a heap-only update that touches no
			// index, the cheapest write a crowd can make; boards sort their few
			// thousand ideas in memory
			ID: "0011_ideas_votes_unindexed",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Exec("DROP INDEX IF EXISTS ix_ideas_list").Error; err != nil {
					return err
				}
				if err := tx.Exec("CREATE INDEX ix_ideas_list ON ideas (campaign_id, hidden)").Error; err != nil {
					return err
				}
				if tx.Dialector.Name() == "postgres" {
					return tx.Exec("ALTER TABLE ideas SET (fillfactor = 80)").Error
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				if err := tx.Exec("DROP INDEX IF EXISTS ix_ideas_list").Error; err != nil {
					return err
				}
				return tx.Exec("CREATE INDEX ix_ideas_list ON ideas (campaign_id, hidden, votes)").Error
			},
		},
	}
}

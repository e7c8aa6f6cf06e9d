package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
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
	return []*gormigrate.Migration{create("0010_ideas", &idea{}, &ideaVote{})}
}

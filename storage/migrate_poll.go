package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// pollMigrations create the tables of the poll aggregate.
func pollMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type outboxItem struct{ ID int64 }
	type poll struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Question   string    `gorm:"size:1200;not null"`
		Multi      int       `gorm:"not null;default:1"`
		Anonymous  bool      `gorm:"not null;default:false"`
		Hidden     bool      `gorm:"not null;default:false"`
		Cap        int       `gorm:"not null;default:0"` // members per option; 0 for none
		// moved on by the close; ballots move their options' versions
		Version int64 `gorm:"not null;default:0"`
	}
	type pollOption struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Idx        int       `gorm:"primaryKey;autoIncrement:false"`
		Label      string    `gorm:"size:240;not null"`
		Cap        int       `gorm:"not null;default:0"`
		// the database itself refuses a negative count or one past the cap
		Votes   int   `gorm:"not null;default:0;check:chk_poll_options_votes,votes >= 0 AND (cap = 0 OR votes <= cap)"`
		Version int64 `gorm:"not null;default:0"`
	}
	type pollVoter struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false;index:ix_poll_voters_voted,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"primaryKey;autoIncrement:false;index"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		// the options chosen ("0,3"), or for an anonymous poll a sealed token
		Choices   string `gorm:"size:200;not null;default:''"`
		Voted     bool   `gorm:"not null;default:false;index:ix_poll_voters_voted,priority:2"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type pollCard struct {
		OutboxItemID int64       `gorm:"primaryKey;autoIncrement:false"`
		OutboxItem   *outboxItem `gorm:"foreignKey:OutboxItemID;constraint:OnDelete:CASCADE"`
		Version      int64       `gorm:"not null"`
		State        string      `gorm:"size:16;not null"`
	}
	type pollSecret struct {
		ID  int    `gorm:"primaryKey;autoIncrement:false"`
		Key string `gorm:"size:64;not null"`
	}
	return []*gormigrate.Migration{
		create("0020_polls", &poll{}, &pollOption{}, &pollVoter{}, &pollCard{}, &pollSecret{}),
	}
}

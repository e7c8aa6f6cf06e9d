package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// contestMigrations create the tables of the contest aggregate.
func contestMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type contest struct {
		CampaignID     int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign       *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Type           string    `gorm:"size:16;not null"`
		PrizeAmount    int64     `gorm:"not null;check:ck_contests_prize,prize_amount > 0"`
		PrizeCurrency  string    `gorm:"size:3;not null"`
		PerMember      int       `gorm:"not null;default:1"`
		Blind          bool      `gorm:"not null;default:false"`
		Judging        string    `gorm:"size:16;not null"`
		Finalists      int       `gorm:"not null;default:0"`
		EntriesCloseAt time.Time `gorm:"not null"`
		FinalAt        *time.Time
		Round          int `gorm:"not null;default:1"`
		WinnerEntryID  *int64
	}
	type contestEntry struct {
		ID           int64     `gorm:"primaryKey"`
		CampaignID   int64     `gorm:"not null;index:ix_contest_entries_list,priority:1"`
		Campaign     *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		AuthorID     int64     `gorm:"not null;index"`
		Author       *member   `gorm:"foreignKey:AuthorID"`
		Title        string    `gorm:"size:600;not null"`
		Kind         string    `gorm:"size:16;not null"`
		Text         string    `gorm:"type:text;not null;default:''"`
		Link         string    `gorm:"type:text;not null;default:''"`
		FilePlatform string    `gorm:"size:16;not null;default:''"`
		FileID       string    `gorm:"type:text;not null;default:''"`
		FileURL      string    `gorm:"type:text;not null;default:''"`
		FileName     string    `gorm:"size:800;not null;default:''"`
		ContentType  string    `gorm:"size:64;not null;default:''"`
		FileSize     int64     `gorm:"not null;default:0"`
		Width        int       `gorm:"not null;default:0"`
		Height       int       `gorm:"not null;default:0"`
		Status       string    `gorm:"size:16;not null;index:ix_contest_entries_list,priority:2"`
		Reason       string    `gorm:"type:text;not null;default:''"`
		Finalist     bool      `gorm:"not null;default:false"`
		Votes        int       `gorm:"not null;default:0;check:ck_contest_entries_votes,votes >= 0 AND final_votes >= 0"`
		FinalVotes   int       `gorm:"not null;default:0"`
		CreatedAt    time.Time
	}
	// contestEntrant counts a member's active entries: the per-member limit is a
	// conditional update of this row.
	type contestEntrant struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"primaryKey;autoIncrement:false"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Entries    int       `gorm:"not null;default:0;check:ck_contest_entrants_entries,entries >= 0"`
	}
	// contestVote is a member's one vote in one round; author_id copies the entry's
	// author so that the database itself refuses a vote for one's own entry.
	type contestVote struct {
		CampaignID int64         `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign     `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Round      int           `gorm:"primaryKey;autoIncrement:false"`
		MemberID   int64         `gorm:"primaryKey;autoIncrement:false;check:ck_contest_votes_self,member_id <> author_id"`
		Member     *member       `gorm:"foreignKey:MemberID"`
		EntryID    int64         `gorm:"not null;index"`
		Entry      *contestEntry `gorm:"foreignKey:EntryID;constraint:OnDelete:CASCADE"`
		AuthorID   int64         `gorm:"not null"`
		CreatedAt  time.Time
		UpdatedAt  time.Time
	}
	// contestAward is a payment for an entry: one per entry.
	type contestAward struct {
		ID         int64         `gorm:"primaryKey"`
		CampaignID int64         `gorm:"not null;index"`
		Campaign   *campaign     `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		EntryID    int64         `gorm:"not null;uniqueIndex"`
		Entry      *contestEntry `gorm:"foreignKey:EntryID;constraint:OnDelete:CASCADE"`
		MemberID   int64         `gorm:"not null;index"`
		Member     *member       `gorm:"foreignKey:MemberID"`
		Reason     string        `gorm:"size:32;not null"`
		Amount     int64         `gorm:"not null"`
		Currency   string        `gorm:"size:3;not null"`
		CreatedAt  time.Time
	}
	// a picture sent in the web's try-out (an image entry), which the web serves
	type upload struct {
		ID          string    `gorm:"primaryKey;size:32"`
		ContentType string    `gorm:"size:32;not null"`
		Data        []byte    `gorm:"not null"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	return []*gormigrate.Migration{
		create("0030_contests", &contest{}, &contestEntry{}, &contestEntrant{}, &contestVote{}, &contestAward{}),
		create("0035_uploads", &upload{}),
	}
}

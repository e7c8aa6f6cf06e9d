package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// wizardMigrations make the table of guided set-ups: at most one per member and
// space (a unique index), each with its answers so far and a version that moves on
// with every answer.
func wizardMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type member struct {
		ID int64 `gorm:"primaryKey"`
	}
	type space struct {
		ID int64 `gorm:"primaryKey"`
	}
	type wizard struct {
		ID        int64     `gorm:"primaryKey"`
		MemberID  int64     `gorm:"not null;uniqueIndex:ux_wizards,priority:1"`
		Member    *member   `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
		SpaceID   int64     `gorm:"not null;uniqueIndex:ux_wizards,priority:2"`
		Space     *space    `gorm:"foreignKey:SpaceID;constraint:OnDelete:CASCADE"`
		ChannelID string    `gorm:"size:64;not null"`
		Kind      string    `gorm:"size:16;not null"`
		Step      string    `gorm:"size:32;not null"`
		Answers   string    `gorm:"type:text;not null"`
		Version   int64     `gorm:"not null"`
		ExpiresAt time.Time `gorm:"not null;index"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	return []*gormigrate.Migration{create("0130_wizards", &wizard{})}
}

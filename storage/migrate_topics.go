package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// topicMigrations record the spaces that moved to a new platform id (a Telegram
// group upgraded to a supergroup), so that a move is made once however often the
// platform reports it. Forum topics need no column of their own: a topic is part of
// the channel id of the links and posts that go to it.
func topicMigrations() []*gormigrate.Migration {
	// snapshot of the schema as first created; do not edit, add a migration instead
	type spaceMove struct {
		Platform  string    `gorm:"primaryKey;size:16"`
		FromID    string    `gorm:"primaryKey;size:64"`
		ToID      string    `gorm:"size:64;not null"`
		CreatedAt time.Time `gorm:"not null"`
	}
	return []*gormigrate.Migration{
		create("0095_space_moves", &spaceMove{}),
	}
}

package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type promptRow struct {
	ID        int64
	MemberID  int64
	Platform  string
	ChannelID string
	Action    string
	ExpiresAt time.Time
}

func (promptRow) TableName() string { return "prompts" }

// SetPrompt implements core.PromptStore.
func (db *DB) SetPrompt(ctx context.Context, memberID int64, platform core.Platform, channel, action string, expires time.Time) error {
	row := promptRow{MemberID: memberID, Platform: string(platform), ChannelID: channel, Action: action, ExpiresAt: expires.UTC()}
	return translate(db.read(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "member_id"}, {Name: "platform"}, {Name: "channel_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"action", "expires_at"}),
	}).Create(&row).Error)
}

// TakePrompt implements core.PromptStore.
func (db *DB) TakePrompt(ctx context.Context, memberID int64, platform core.Platform, channel string, now time.Time) (string, error) {
	var row promptRow
	err := db.read(ctx).Transaction(func(tx *gorm.DB) error {
		q := forUpdate(tx).Where("member_id = ? AND platform = ?", memberID, platform)
		if channel != core.AnyChannel {
			q = q.Where("channel_id = ?", channel)
		}
		err := q.Order("expires_at DESC").Take(&row).Error
		if err != nil {
			return err
		}
		return tx.Delete(&row).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", translate(err)
	}
	if !row.ExpiresAt.After(now) {
		return "", nil
	}
	return row.Action, nil
}

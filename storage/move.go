package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

// spaceMoveRow records that a platform's id of a space was replaced by another.
type spaceMoveRow struct {
	Platform  string
	FromID    string
	ToID      string
	CreatedAt time.Time
}

func (spaceMoveRow) TableName() string { return "space_moves" }

// MoveSpace implements core.MoveStore, in one transaction. The move's record comes
// first: a second delivery of the same move (or the other chat's report of it) waits
// on it and then finds it made. When the new id has a space already (a member spoke
// there before the move was reported), the old space's campaigns, links and posts go
// to it, it takes the old space's language and time zone when it has none, and the
// old space is retired; otherwise the old space takes the new id.
func (db *DB) MoveSpace(ctx context.Context, platform core.Platform, from, to string, now time.Time) (bool, error) {
	moved, err := db.moveSpace(ctx, platform, from, to, now)
	if isDuplicate(err) {
		// the new chat's space was made meanwhile (a member spoke there): merge into it
		moved, err = db.moveSpace(ctx, platform, from, to, now)
	}
	db.spaces.drop(string(platform) + ":" + from)
	db.spaces.drop(string(platform) + ":" + to)
	if err != nil {
		return false, fmt.Errorf("move space: %w", translate(err))
	}
	return moved, nil
}

// moveSpace makes one try of MoveSpace.
func (db *DB) moveSpace(ctx context.Context, platform core.Platform, from, to string, now time.Time) (bool, error) {
	moved := false
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&spaceMoveRow{Platform: string(platform), FromID: from, ToID: to, CreatedAt: now.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil
		}
		moved = true
		var old, dest spaceRow
		hasOld, err := takeSpace(tx, platform, from, &old)
		if err != nil {
			return err
		}
		hasDest, err := takeSpace(tx, platform, to, &dest)
		if err != nil {
			return err
		}
		switch {
		case hasOld && hasDest:
			for _, table := range []string{"campaigns", "channel_links", "outbox_items"} {
				if err := tx.Table(table).Where("space_id = ?", old.ID).Update("space_id", dest.ID).Error; err != nil {
					return err
				}
			}
			up := map[string]any{}
			if dest.Locale == "" && old.Locale != "" {
				up["locale"] = old.Locale
			}
			if dest.TimeZone == "" && old.TimeZone != "" {
				up["time_zone"] = old.TimeZone
			}
			if len(up) > 0 {
				if err := tx.Model(&spaceRow{}).Where("id = ?", dest.ID).Updates(up).Error; err != nil {
					return err
				}
			}
			if err := tx.Model(&spaceRow{}).Where("id = ?", old.ID).Update("retired", true).Error; err != nil {
				return err
			}
		case hasOld:
			if err := tx.Model(&spaceRow{}).Where("id = ?", old.ID).Update("external_id", to).Error; err != nil {
				return err
			}
		}
		// a campaign linked to both chats keeps the one link
		err = tx.Where("platform = ? AND channel_id = ? AND campaign_id IN (?)", platform, from,
			tx.Table("channel_links").Select("campaign_id").Where("platform = ? AND channel_id = ?", platform, to)).
			Delete(&channelLinkRow{}).Error
		if err != nil {
			return err
		}
		if err := tx.Model(&channelLinkRow{}).Where("platform = ? AND channel_id = ?", platform, from).Update("channel_id", to).Error; err != nil {
			return err
		}
		return tx.Model(&outboxRow{}).Where("platform = ? AND channel_id = ? AND state <> ?", platform, from, core.OutboxSent).
			Update("channel_id", to).Error
	})
	return moved && err == nil, err
}

// takeSpace reads the space a platform knows by an id, and reports whether there is one.
func takeSpace(tx *gorm.DB, platform core.Platform, externalID string, into *spaceRow) (bool, error) {
	err := tx.Where("platform = ? AND external_id = ?", platform, externalID).Take(into).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return err == nil, err
}

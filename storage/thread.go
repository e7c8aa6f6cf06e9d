package storage

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

// The states of an idea's thread.
const (
	threadOpening = "opening" // claimed, the platform asked
	threadOpen    = "open"    // the platform made it
)

type ideaThreadRow struct {
	ID        int64
	IdeaID    int64
	Platform  string
	ChannelID string
	ThreadID  string
	State     string
	ClaimedAt time.Time
	OpenedAt  *time.Time
}

func (ideaThreadRow) TableName() string { return "idea_threads" }

func (r ideaThreadRow) toCore() core.IdeaThread {
	return core.IdeaThread{IdeaID: r.IdeaID, Platform: core.Platform(r.Platform), ChannelID: r.ChannelID,
		ThreadID: r.ThreadID, ClaimedAt: r.ClaimedAt}
}

// threadKey selects the thread of an idea in a channel.
func threadKey(q *gorm.DB, t core.IdeaThread) *gorm.DB {
	return q.Where("idea_id = ? AND platform = ? AND channel_id = ?", t.IdeaID, string(t.Platform), t.ChannelID)
}

// ClaimThread implements core.ThreadStore. The insert does nothing when the claim's
// unique key holds a row already (on Postgres it waits for a claim being made at the
// same moment, and then does nothing); a stale claim is taken over by the one
// conditional update that moves its time.
func (db *DB) ClaimThread(ctx context.Context, t core.IdeaThread, stale time.Time) (*core.IdeaThread, bool, error) {
	now := t.ClaimedAt.UTC()
	row := ideaThreadRow{IdeaID: t.IdeaID, Platform: string(t.Platform), ChannelID: t.ChannelID, State: threadOpening, ClaimedAt: now}
	mine := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			mine = true
			return nil
		}
		res = threadKey(tx.Model(&ideaThreadRow{}), t).Where("state = ? AND claimed_at < ?", threadOpening, stale.UTC()).
			Update("claimed_at", now)
		if res.Error != nil {
			return res.Error
		}
		mine = res.RowsAffected == 1
		row = ideaThreadRow{}
		return threadKey(tx, t).Take(&row).Error
	})
	if err != nil {
		return nil, false, err
	}
	out := row.toCore()
	return &out, mine, nil
}

// OpenThread implements core.ThreadStore: the first opening recorded stays.
func (db *DB) OpenThread(ctx context.Context, t core.IdeaThread) (*core.IdeaThread, error) {
	var row ideaThreadRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := time.Now().UTC()
		res := threadKey(tx.Model(&ideaThreadRow{}), t).Where("state = ?", threadOpening).
			Updates(map[string]any{"thread_id": t.ThreadID, "state": threadOpen, "opened_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			// no claim: the thread was found without one (a redelivered press)
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ideaThreadRow{IdeaID: t.IdeaID, Platform: string(t.Platform),
				ChannelID: t.ChannelID, ThreadID: t.ThreadID, State: threadOpen, ClaimedAt: now, OpenedAt: &now}).Error; err != nil {
				return err
			}
		}
		return threadKey(tx, t).Take(&row).Error
	})
	if err != nil {
		return nil, err
	}
	out := row.toCore()
	return &out, nil
}

// DropThreadClaim implements core.ThreadStore.
func (db *DB) DropThreadClaim(ctx context.Context, t core.IdeaThread, notice *core.Announcement, now time.Time) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := threadKey(tx, t).Where("state = ?", threadOpening).Delete(&ideaThreadRow{}).Error; err != nil {
			return err
		}
		if notice == nil {
			return nil
		}
		return enqueue(tx, now, *notice)
	})
}

// IdeaOfThread implements core.ThreadStore.
func (db *DB) IdeaOfThread(ctx context.Context, platform core.Platform, channelID, threadID string) (int64, error) {
	q := db.read(ctx).Where("platform = ? AND thread_id = ?", string(platform), threadID)
	if channelID != "" {
		q = q.Where("channel_id = ?", channelID)
	}
	var r ideaThreadRow
	res := q.Limit(1).Find(&r)
	if res.Error != nil {
		return 0, translate(res.Error)
	}
	return r.IdeaID, nil
}

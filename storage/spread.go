package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type reminderRow struct {
	CampaignID int64
	DeadlineAt time.Time
	CreatedAt  time.Time
}

func (reminderRow) TableName() string { return "campaign_reminders" }

// DueUpdates implements core.SpreadStore.
func (db *DB) DueUpdates(ctx context.Context, now time.Time, limit int) ([]core.DueUpdate, error) {
	var rows []campaignRow
	err := db.read(ctx).Where("state IN ? AND (next_update_at IS NULL OR next_update_at <= ?)", liveStateValues(), now.UTC()).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, func(r campaignRow) core.DueUpdate {
		return core.DueUpdate{Campaign: r.toCore(), At: utcPtr(r.NextUpdateAt)}
	}), nil
}

// ClaimUpdate implements core.SpreadStore. The conditional update is the claim: of
// two replicas running it at once, the second finds next_update_at already in the
// future (on Postgres it waits for the first's row lock, then re-reads the row).
func (db *DB) ClaimUpdate(ctx context.Context, campaignID int64, next time.Time, post *core.Announcement, now time.Time) (bool, error) {
	claimed := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&campaignRow{}).
			Where("id = ? AND state IN ? AND (next_update_at IS NULL OR next_update_at <= ?)", campaignID, liveStateValues(), now.UTC()).
			Update("next_update_at", next.UTC())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		claimed = true
		if post == nil {
			return nil
		}
		return enqueue(tx, now, *post)
	})
	if err != nil {
		return false, fmt.Errorf("claim update: %w", err)
	}
	return claimed, nil
}

// DueReminders implements core.SpreadStore.
func (db *DB) DueReminders(ctx context.Context, now, until time.Time, limit int) ([]core.Campaign, error) {
	var rows []campaignRow
	err := db.read(ctx).Table("campaigns c").Select("c.*").
		Where("c.state IN ? AND c.deadline_at > ? AND c.deadline_at <= ?", liveStateValues(), now.UTC(), until.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM campaign_reminders r WHERE r.campaign_id = c.id AND r.deadline_at = c.deadline_at)").
		Order("c.deadline_at").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, campaignRow.toCore), nil
}

// QueueReminder implements core.SpreadStore.
func (db *DB) QueueReminder(ctx context.Context, campaignID int64, deadline time.Time, ann core.Announcement, now time.Time) (bool, error) {
	queued := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&reminderRow{CampaignID: campaignID, DeadlineAt: deadline.UTC(), CreatedAt: now.UTC()})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		queued = true
		return enqueue(tx, now, ann)
	})
	if err != nil {
		return false, fmt.Errorf("queue reminder: %w", err)
	}
	return queued, nil
}

// AddReferral implements core.SpreadStore. A member who already has points in the
// campaign (other than for bringing people in) took part before following the link,
// so the link brought no one.
func (db *DB) AddReferral(ctx context.Context, r core.Referral, points int) (bool, error) {
	added := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var before int64
		err := tx.Model(&pointRow{}).Where("campaign_id = ? AND member_id = ? AND action <> ?", r.CampaignID, r.MemberID, core.PointsReferral).
			Limit(1).Count(&before).Error
		if err != nil || before > 0 {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&referralRow{CampaignID: r.CampaignID, MemberID: r.MemberID,
			ReferrerID: r.ReferrerID, Via: r.Via, Points: points, CreatedAt: r.CreatedAt.UTC()})
		added = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("add referral: %w", err)
	}
	return added, nil
}

// TopPoints implements core.SpreadStore. It reads the kept standings (see stand),
// one row a member, by an index in the leaderboard's order.
func (db *DB) TopPoints(ctx context.Context, campaignID int64, limit int) ([]core.Standing, error) {
	var out []core.Standing
	err := db.read(ctx).Table("standings s").
		Select("s.member_id AS member_id, m.name AS name, s.points AS points").
		Joins("JOIN members m ON m.id = s.member_id").Where("s.campaign_id = ? AND s.points > 0", campaignID).
		Order("s.points DESC, s.member_id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// TopReferrers implements core.SpreadStore, from the kept standings as TopPoints.
func (db *DB) TopReferrers(ctx context.Context, campaignID int64, limit int) ([]core.Standing, error) {
	var out []core.Standing
	err := db.read(ctx).Table("standings s").
		Select("s.member_id AS member_id, m.name AS name, s.referrals AS referrals").
		Joins("JOIN members m ON m.id = s.member_id").Where("s.campaign_id = ? AND s.referrals > 0", campaignID).
		Order("s.referrals DESC, s.member_id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, translate(err)
	}
	return out, nil
}

// MemberStanding implements core.SpreadStore: one row of the kept standings.
func (db *DB) MemberStanding(ctx context.Context, campaignID, memberID int64) (*core.Standing, error) {
	s := &core.Standing{MemberID: memberID}
	err := db.read(ctx).Table("standings").Select("points, referrals").
		Where("campaign_id = ? AND member_id = ?", campaignID, memberID).Limit(1).Scan(s).Error
	if err != nil {
		return nil, translate(err)
	}
	s.MemberID = memberID
	return s, nil
}

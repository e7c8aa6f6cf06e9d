package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"crowdbot/core"
)

type earningRow struct {
	ID         int64
	CampaignID int64
	MemberID   int64
	Amount     int64
	Currency   string
	Reason     string // "prize", "used_entry", "answer", ...
	Ref        string // what earned it, e.g. "entry:12"
	CreatedAt  time.Time
}

func (earningRow) TableName() string { return "earnings" }

// credit writes an earning inside tx (a negative amount reverses one).
func credit(tx *gorm.DB, campaignID, memberID int64, m core.Money, reason, ref string, now time.Time) error {
	return tx.Create(&earningRow{CampaignID: campaignID, MemberID: memberID, Amount: m.Amount, Currency: m.Currency,
		Reason: reason, Ref: ref, CreatedAt: now.UTC()}).Error
}

// Earnings implements core.EarningsStore.
func (db *DB) Earnings(ctx context.Context, memberID int64) ([]core.Earning, error) {
	var rows []struct {
		CampaignID int64
		Code       string
		Title      string
		Kind       string
		Currency   string
		Amount     int64
		Count      int
	}
	err := db.read(ctx).Table("earnings e").
		// a reversal (a rejected answer) takes its credit back: it counts minus one
		Select("e.campaign_id, c.code, c.title, c.kind, e.currency, SUM(e.amount) AS amount, "+
			"SUM(CASE WHEN e.amount > 0 THEN 1 WHEN e.amount < 0 THEN -1 ELSE 0 END) AS count").
		Joins("JOIN campaigns c ON c.id = e.campaign_id").
		Where("e.member_id = ?", memberID).
		Group("e.campaign_id, c.code, c.title, c.kind, e.currency").
		Order("e.campaign_id DESC").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]core.Earning, 0, len(rows))
	for _, r := range rows {
		if r.Amount == 0 && r.Count <= 0 {
			// everything earned there was taken back: nothing to show
			continue
		}
		out = append(out, core.Earning{CampaignID: r.CampaignID, Code: r.Code, Title: r.Title, Kind: core.Kind(r.Kind),
			Amount: core.Money{Amount: r.Amount, Currency: r.Currency}, Count: r.Count})
	}
	return out, nil
}

type referralRow struct {
	ID         int64
	CampaignID int64
	MemberID   int64
	ReferrerID int64
	Via        string
	Points     int // referral points to credit, fixed when the link was followed
	CreatedAt  time.Time
	CreditedAt *time.Time
}

func (referralRow) TableName() string { return "referrals" }

// participate is called in the transaction of a member's first or any later taking
// part in a campaign (a vote, a pledge, an entry, an answer): if the member came
// through someone's link and that referrer has not been credited yet, the referrer
// gets the referral's points now, once.
func participate(tx *gorm.DB, campaignID, memberID int64, now time.Time) error {
	var ref referralRow
	res := tx.Where("campaign_id = ? AND member_id = ? AND credited_at IS NULL", campaignID, memberID).Limit(1).Find(&ref)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	upd := tx.Model(&referralRow{}).Where("id = ? AND credited_at IS NULL", ref.ID).Update("credited_at", now.UTC())
	if upd.Error != nil || upd.RowsAffected == 0 {
		return upd.Error // another transaction credited it
	}
	return award(tx, campaignID, ref.ReferrerID, core.PointsReferral, ref.Points, now)
}

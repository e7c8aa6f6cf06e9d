package storage

import (
	"context"

	"crowdbot/core"
)

// FundPledgePoints sums the pledge points credited in a campaign, for the tests.
func (db *DB) FundPledgePoints(ctx context.Context, campaignID int64) (int64, error) {
	var sum int64
	err := db.read(ctx).Model(&pointRow{}).Select("COALESCE(SUM(amount), 0)").
		Where("campaign_id = ? AND action = ?", campaignID, core.PointsPledge).Scan(&sum).Error
	return sum, err
}

// FundAddReferral records that member came to a campaign through referrer's link,
// worth points to the referrer, as the share links do.
func (db *DB) FundAddReferral(ctx context.Context, campaignID, memberID, referrerID int64, points int) error {
	return db.read(ctx).Create(&referralRow{CampaignID: campaignID, MemberID: memberID, ReferrerID: referrerID,
		Via: "telegram", Points: points}).Error
}

// FundPoints sums a member's points of one action in a campaign.
func (db *DB) FundPoints(ctx context.Context, campaignID, memberID int64, action string) (int64, error) {
	var sum int64
	err := db.read(ctx).Model(&pointRow{}).Select("COALESCE(SUM(amount), 0)").
		Where("campaign_id = ? AND member_id = ? AND action = ?", campaignID, memberID, action).Scan(&sum).Error
	return sum, err
}

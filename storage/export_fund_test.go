package storage

import (
	"context"
	"strconv"
	"time"

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

// FundCrowd makes n telegram members with ids from first on, in a few statements, and
// returns them in order: load tests need a crowd, not the cost of making one.
func (db *DB) FundCrowd(ctx context.Context, first, n int) ([]*core.Member, error) {
	rows := make([]memberRow, n)
	ids := make([]string, n)
	for i := range rows {
		ids[i] = strconv.Itoa(first + i)
		rows[i] = memberRow{Platform: string(core.Telegram), ExternalID: ids[i], CreatedAt: time.Now().UTC()}
	}
	if err := db.read(ctx).CreateInBatches(&rows, 500).Error; err != nil {
		return nil, err
	}
	return mapRows(rows, memberRow.toCore), nil
}

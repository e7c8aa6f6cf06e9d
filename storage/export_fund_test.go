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

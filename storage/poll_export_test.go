package storage

import "context"

// StoredBallots returns a poll's ballots as the database holds them, for tests that
// check what an anonymous poll keeps.
func (db *DB) StoredBallots(ctx context.Context, campaignID int64) ([]string, error) {
	var out []string
	err := db.read(ctx).Model(&pollVoterRow{}).Where("campaign_id = ?", campaignID).Order("member_id").Pluck("choices", &out).Error
	return out, err
}

// PointsOf sums a member's points in a campaign.
func (db *DB) PointsOf(ctx context.Context, campaignID, memberID int64) (int, error) {
	var n int
	err := db.read(ctx).Model(&pointRow{}).Select("COALESCE(SUM(amount), 0)").
		Where("campaign_id = ? AND member_id = ?", campaignID, memberID).Scan(&n).Error
	return n, err
}

// FirstBallot is one ballot of a batch of first ballots.
type FirstBallot = firstBallot

// FirstBallotResult is the answer to one ballot of a batch.
type FirstBallotResult = firstBallotResult

// FirstBallots runs one batch of first ballots as the ballot batcher does.
func (db *DB) FirstBallots(ctx context.Context, bs []FirstBallot) ([]firstBallotResult, error) {
	return db.firstBallots(ctx, bs)
}

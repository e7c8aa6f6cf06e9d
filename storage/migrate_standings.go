package storage

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// standingsMigrations keep each member's points and credited referrals in a campaign
// as one row, moved with every points row and every referral credited, so that the
// leaderboard and a member's standing read rows, not sums over every vote.
func standingsMigrations() []*gormigrate.Migration {
	// a snapshot of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type standing struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"primaryKey;autoIncrement:false"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Points     int64     `gorm:"not null;default:0"`
		Referrals  int       `gorm:"not null;default:0"`
	}
	return []*gormigrate.Migration{
		{
			ID: "0090_standings",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Table("standings").Migrator().CreateTable(&standing{}); err != nil {
					return err
				}
				for _, sql := range []string{
					"CREATE INDEX ix_standings_points ON standings (campaign_id, points DESC, member_id)",
					"CREATE INDEX ix_standings_referrals ON standings (campaign_id, referrals DESC, member_id)",
					rebuildStandingsSQL,
				} {
					if err := tx.Exec(sql).Error; err != nil {
						return err
					}
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable("standings")
			},
		},
	}
}

// rebuildStandingsSQL fills an empty standings table from the points and the credited
// referrals.
const rebuildStandingsSQL = `
INSERT INTO standings (campaign_id, member_id, points, referrals)
SELECT campaign_id, member_id, SUM(points), SUM(referrals) FROM (
	SELECT campaign_id, member_id, amount AS points, 0 AS referrals FROM points
	UNION ALL
	SELECT campaign_id, referrer_id, 0, 1 FROM referrals WHERE credited_at IS NOT NULL
) g GROUP BY campaign_id, member_id`

// ballotCountMigrations keep each poll's count of members holding a ballot, spread
// over ballotShards rows a poll (by member id), so that a multi-choice poll's tally
// reads a few rows, not every voter's, and a crowd's ballots do not all wait on one
// row.
func ballotCountMigrations() []*gormigrate.Migration {
	// a snapshot of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type pollBallotCount struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Shard      int       `gorm:"primaryKey;autoIncrement:false"`
		Ballots    int64     `gorm:"not null;default:0"`
	}
	return []*gormigrate.Migration{
		{
			ID: "0091_poll_ballot_counts",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Table("poll_ballot_counts").Migrator().CreateTable(&pollBallotCount{}); err != nil {
					return err
				}
				return tx.Exec(`INSERT INTO poll_ballot_counts (campaign_id, shard, ballots)
					SELECT campaign_id, member_id % 16, COUNT(*) FROM poll_voters WHERE voted GROUP BY campaign_id, member_id % 16`).Error
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable("poll_ballot_counts")
			},
		},
	}
}

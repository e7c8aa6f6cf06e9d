package storage

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// adminMigrations serve the admins' corrections and references: campaign codes found
// in any letter case, ideas, entries and expenses numbered within their campaign, and
// expenses that are corrected or struck out rather than deleted.
func adminMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaignCounter struct {
		CampaignID int64  `gorm:"primaryKey;autoIncrement:false"`
		Name       string `gorm:"primaryKey;size:16"`
		Last       int64  `gorm:"not null;default:0"`
	}
	exec := func(tx *gorm.DB, sqls ...string) error {
		for _, sql := range sqls {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	}
	return []*gormigrate.Migration{
		{
			// code_fold is the code in lower case, unique, so that a code typed in any
			// case names one campaign; an old code whose folded form an older campaign
			// already has keeps no fold and is found by its exact spelling only
			ID: "0080_campaign_code_fold",
			Migrate: func(tx *gorm.DB) error {
				return exec(tx,
					"ALTER TABLE campaigns ADD COLUMN code_fold VARCHAR(16)",
					"UPDATE campaigns SET code_fold = LOWER(code) WHERE NOT EXISTS "+
						"(SELECT 1 FROM campaigns c2 WHERE LOWER(c2.code) = LOWER(campaigns.code) AND c2.id < campaigns.id)",
					"CREATE UNIQUE INDEX ux_campaigns_code_fold ON campaigns (code_fold)",
				)
			},
			Rollback: func(tx *gorm.DB) error {
				return exec(tx, "DROP INDEX IF EXISTS ux_campaigns_code_fold", "ALTER TABLE campaigns DROP COLUMN code_fold")
			},
		},
		{
			// ideas, entries and expenses get a number within their campaign, in the
			// order they came; campaign_counters holds the last number given, and the
			// unique indexes back it up
			ID: "0081_campaign_numbers",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Migrator().CreateTable(&campaignCounter{}); err != nil {
					return err
				}
				for _, t := range []struct{ table, name string }{
					{"ideas", "idea"}, {"contest_entries", "entry"}, {"expenses", "expense"},
				} {
					err := exec(tx,
						"ALTER TABLE "+t.table+" ADD COLUMN number BIGINT NOT NULL DEFAULT 0",
						"UPDATE "+t.table+" SET number = (SELECT COUNT(*) FROM "+t.table+" x "+
							"WHERE x.campaign_id = "+t.table+".campaign_id AND x.id <= "+t.table+".id)",
						"CREATE UNIQUE INDEX ux_"+t.table+"_number ON "+t.table+" (campaign_id, number)",
						"INSERT INTO campaign_counters (campaign_id, name, last) SELECT campaign_id, '"+t.name+"', MAX(number) FROM "+
							t.table+" GROUP BY campaign_id",
					)
					if err != nil {
						return err
					}
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				for _, t := range []string{"ideas", "contest_entries", "expenses"} {
					if err := exec(tx, "DROP INDEX IF EXISTS ux_"+t+"_number", "ALTER TABLE "+t+" DROP COLUMN number"); err != nil {
						return err
					}
				}
				return tx.Migrator().DropTable("campaign_counters")
			},
		},
		{
			// an expense is never deleted: a correction is a new line that names the one
			// it replaces, and the old line is struck (struck_at); a removal strikes it
			// with no replacement. An expense is corrected at most once.
			ID: "0082_expense_corrections",
			Migrate: func(tx *gorm.DB) error {
				stamp := "DATETIME"
				if tx.Dialector.Name() == "postgres" {
					stamp = "TIMESTAMPTZ"
				}
				return exec(tx,
					"ALTER TABLE expenses ADD COLUMN corrects BIGINT REFERENCES expenses (id)",
					"ALTER TABLE expenses ADD COLUMN struck_at "+stamp,
					"ALTER TABLE expenses ADD COLUMN struck_by BIGINT REFERENCES members (id)",
					"CREATE UNIQUE INDEX ux_expenses_corrects ON expenses (corrects)",
				)
			},
			Rollback: func(tx *gorm.DB) error {
				return exec(tx, "DROP INDEX IF EXISTS ux_expenses_corrects",
					"ALTER TABLE expenses DROP COLUMN struck_by",
					"ALTER TABLE expenses DROP COLUMN struck_at",
					"ALTER TABLE expenses DROP COLUMN corrects")
			},
		},
	}
}

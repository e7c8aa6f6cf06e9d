package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// recognitionMigrations keep what each space gives its campaigns' top contributors
// (a Discord role, a Telegram custom title), and who each campaign recognized with
// what, so that nobody is recognized twice and a grant can be taken back when the
// campaign rotates.
func recognitionMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type space struct{ ID int64 }
	type recognitionSetting struct {
		SpaceID   int64  `gorm:"primaryKey;autoIncrement:false"`
		Space     *space `gorm:"foreignKey:SpaceID;constraint:OnDelete:CASCADE"`
		RoleID    string `gorm:"size:32;not null;default:''"`
		Title     string `gorm:"size:64;not null;default:''"`
		UpdatedAt time.Time
	}
	type recognition struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;uniqueIndex:ux_recognitions_member,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		// one recognition per member per campaign: a second close or command gives
		// nothing twice
		MemberID int64   `gorm:"not null;uniqueIndex:ux_recognitions_member,priority:2;index"`
		Member   *member `gorm:"foreignKey:MemberID"`
		Rank     int     `gorm:"not null"`
		Score    int     `gorm:"not null"`
		Measure  string  `gorm:"size:16;not null"`
		SpaceID  *int64  `gorm:"index"`
		Space    *space  `gorm:"foreignKey:SpaceID;constraint:OnDelete:SET NULL"`
		Action   string  `gorm:"size:8;not null;default:''"`
		Value    string  `gorm:"size:64;not null;default:''"`
		// State is pending, given or failed; Revoke is "", pending, done, kept or failed
		State        string    `gorm:"size:8;not null"`
		Revoke       string    `gorm:"size:8;not null;default:''"`
		Attempts     int       `gorm:"not null;default:0"`
		LastError    string    `gorm:"size:100;not null;default:''"`
		NextTryAt    time.Time `gorm:"not null"`
		ClaimToken   string    `gorm:"size:32;not null;default:''"`
		ClaimedUntil *time.Time
		CreatedAt    time.Time
		GivenAt      *time.Time
		RevokedAt    *time.Time
	}
	return []*gormigrate.Migration{
		{
			ID: "0120_recognition",
			Migrate: func(tx *gorm.DB) error {
				if err := tx.Table("recognition_settings").Migrator().CreateTable(&recognitionSetting{}); err != nil {
					return err
				}
				if err := tx.Table("recognitions").Migrator().CreateTable(&recognition{}); err != nil {
					return err
				}
				for _, sql := range []string{
					"CREATE INDEX ix_recognitions_work ON recognitions (state, revoke, next_try_at)",
					// a member's profile reads their standings and accepted ideas
					"CREATE INDEX ix_standings_member ON standings (member_id)",
					"CREATE INDEX ix_ideas_author ON ideas (author_id)",
				} {
					if err := tx.Exec(sql).Error; err != nil {
						return err
					}
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				for _, ix := range []string{"ix_standings_member", "ix_ideas_author"} {
					if err := tx.Exec("DROP INDEX IF EXISTS " + ix).Error; err != nil {
						return err
					}
				}
				return tx.Migrator().DropTable("recognitions", "recognition_settings")
			},
		},
	}
}

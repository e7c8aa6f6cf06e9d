package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// fundraiserMigrations create the tables of the fundraiser aggregate.
func fundraiserMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type campaign struct{ ID int64 }
	type member struct{ ID int64 }
	type fundraiser struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Goal       int64     `gorm:"not null;check:chk_fundraisers_goal,goal > 0"`
		Currency   string    `gorm:"size:3;not null"`
		Mode       string    `gorm:"size:16;not null"`
		Raised     int64     `gorm:"not null;default:0;check:chk_fundraisers_raised,raised >= 0"`
		Backers    int       `gorm:"not null;default:0;check:chk_fundraisers_backers,backers >= 0"`
		Peak       int64     `gorm:"not null;default:0"`
		Spent      int64     `gorm:"not null;default:0"`
	}
	type tier struct {
		ID          int64     `gorm:"primaryKey"`
		CampaignID  int64     `gorm:"not null;uniqueIndex:ux_tiers_number,priority:1;uniqueIndex:ux_tiers_title,priority:1"`
		Campaign    *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Number      int       `gorm:"not null;uniqueIndex:ux_tiers_number,priority:2"`
		Title       string    `gorm:"size:400;not null"`
		TitleKey    string    `gorm:"size:400;not null;uniqueIndex:ux_tiers_title,priority:2"`
		Description string    `gorm:"type:text;not null;default:''"`
		MinAmount   int64     `gorm:"not null"`
		// a tier never holds more active pledges than its limit: the conditional
		// UPDATE that takes a place enforces it, and this check backs it up
		LimitN    *int `gorm:"check:chk_tiers_limit,limit_n IS NULL OR (taken >= 0 AND taken <= limit_n)"`
		Taken     int  `gorm:"not null;default:0"`
		CreatedAt time.Time
	}
	type stretchGoal struct {
		ID          int64     `gorm:"primaryKey"`
		CampaignID  int64     `gorm:"not null;uniqueIndex:ux_stretch_goals,priority:1"`
		Campaign    *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Target      int64     `gorm:"not null;uniqueIndex:ux_stretch_goals,priority:2"`
		Description string    `gorm:"type:text;not null;default:''"`
		CreatedAt   time.Time
	}
	type pledge struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;uniqueIndex:ux_pledges,priority:1;index:ix_pledges_list,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"not null;uniqueIndex:ux_pledges,priority:2"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Amount     int64     `gorm:"not null;check:chk_pledges_amount,amount >= 0"`
		TierID     *int64    `gorm:"index"`
		Tier       *tier     `gorm:"foreignKey:TierID"`
		Active     bool      `gorm:"not null;index:ix_pledges_list,priority:2"`
		CreatedAt  time.Time
		UpdatedAt  time.Time
	}
	type expense struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;index"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Amount     int64     `gorm:"not null;check:chk_expenses_amount,amount > 0"`
		What       string    `gorm:"type:text;not null"`
		CreatedBy  int64     `gorm:"not null"`
		Creator    *member   `gorm:"foreignKey:CreatedBy"`
		CreatedAt  time.Time
	}
	return []*gormigrate.Migration{create("0040_fundraisers", &fundraiser{}, &tier{}, &stretchGoal{}, &pledge{}, &expense{})}
}

package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// houseMigrations create the tables every campaign kind shares.
func houseMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type space struct {
		ID         int64  `gorm:"primaryKey"`
		Platform   string `gorm:"size:16;not null;uniqueIndex:ux_spaces_ext"`
		ExternalID string `gorm:"size:64;not null;uniqueIndex:ux_spaces_ext"`
		Title      string `gorm:"size:200;not null;default:''"`
		Locale     string `gorm:"size:8;not null;default:''"`
		TimeZone   string `gorm:"size:64;not null;default:''"`
		Retired    bool   `gorm:"not null;default:false"`
		CreatedAt  time.Time
	}
	type member struct {
		ID         int64  `gorm:"primaryKey"`
		Platform   string `gorm:"size:16;not null;uniqueIndex:ux_members_ext"`
		ExternalID string `gorm:"size:64;not null;uniqueIndex:ux_members_ext"`
		Name       string `gorm:"size:200;not null;default:''"`
		Locale     string `gorm:"size:8;not null;default:''"`
		CreatedAt  time.Time
	}
	type campaign struct {
		ID           int64  `gorm:"primaryKey"`
		Code         string `gorm:"size:16;not null;uniqueIndex"`
		Kind         string `gorm:"size:16;not null"`
		Title        string `gorm:"size:800;not null"`
		Description  string `gorm:"type:text;not null;default:''"`
		SpaceID      int64  `gorm:"not null;index"`
		Space        *space `gorm:"foreignKey:SpaceID"`
		State        string `gorm:"size:16;not null;index:ix_campaigns_due,priority:1"`
		OpensAt      time.Time
		ClosesAt     *time.Time
		DeadlineAt   *time.Time `gorm:"index:ix_campaigns_due,priority:2"`
		TimeZone     string     `gorm:"size:64;not null;default:''"`
		Schedule     string     `gorm:"size:120;not null;default:''"`
		NextUpdateAt *time.Time `gorm:"index"`
		CreatedBy    int64      `gorm:"not null"`
		Creator      *member    `gorm:"foreignKey:CreatedBy"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type channelLink struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;uniqueIndex:ux_links,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		Platform   string    `gorm:"size:16;not null;uniqueIndex:ux_links,priority:2"`
		SpaceID    int64     `gorm:"not null"`
		Space      *space    `gorm:"foreignKey:SpaceID"`
		ChannelID  string    `gorm:"size:64;not null;uniqueIndex:ux_links,priority:3"`
		CreatedAt  time.Time
	}
	type processedUpdate struct {
		Key       string `gorm:"primaryKey;size:200"`
		CreatedAt time.Time
	}
	type outboxItem struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;index"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   *int64
		Platform   string `gorm:"size:16;not null"`
		SpaceID    *int64
		ChannelID  string    `gorm:"size:64;not null;default:''"`
		Locale     string    `gorm:"size:8;not null;default:''"`
		Key        string    `gorm:"size:120;not null"`
		Args       string    `gorm:"type:text;not null;default:'{}'"`
		Image      string    `gorm:"size:32;not null;default:''"`
		OnceKey    *string   `gorm:"size:300;uniqueIndex"`
		State      string    `gorm:"size:16;not null;index:ix_outbox_due,priority:1"`
		Attempts   int       `gorm:"not null;default:0"`
		NextTryAt  time.Time `gorm:"index:ix_outbox_due,priority:2"`
		LastError  string    `gorm:"type:text;not null;default:''"`
		CreatedAt  time.Time
		SentAt     *time.Time
		MessageID  string `gorm:"size:64;not null;default:''"`
	}
	type point struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;index:ix_points,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"not null;index:ix_points,priority:2"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Action     string    `gorm:"size:32;not null"`
		Amount     int       `gorm:"not null"`
		CreatedAt  time.Time
	}
	type prompt struct {
		ID        int64   `gorm:"primaryKey"`
		MemberID  int64   `gorm:"not null;uniqueIndex:ux_prompts,priority:1"`
		Member    *member `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
		Platform  string  `gorm:"size:16;not null;uniqueIndex:ux_prompts,priority:2"`
		ChannelID string  `gorm:"size:64;not null;uniqueIndex:ux_prompts,priority:3"`
		Action    string  `gorm:"size:100;not null"`
		ExpiresAt time.Time
	}
	type earning struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;index"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"not null;index"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Amount     int64     `gorm:"not null"`
		Currency   string    `gorm:"size:3;not null"`
		Reason     string    `gorm:"size:32;not null"`
		Ref        string    `gorm:"size:64;not null;default:''"`
		CreatedAt  time.Time
	}
	type referral struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;uniqueIndex:ux_referrals,priority:1"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"not null;uniqueIndex:ux_referrals,priority:2"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		ReferrerID int64     `gorm:"not null;index"`
		Referrer   *member   `gorm:"foreignKey:ReferrerID"`
		Via        string    `gorm:"size:16;not null"`
		Points     int       `gorm:"not null;default:0"`
		CreatedAt  time.Time
		CreditedAt *time.Time
	}
	// a campaign's current link key, by which its admins let another space link it
	type campaignInvite struct {
		CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		KeyHash    string    `gorm:"size:64;not null"`
		ExpiresAt  time.Time `gorm:"not null"`
	}
	// the first name to speak in a space's try-out, its admin
	type tryoutAdmin struct {
		Space     string `gorm:"primaryKey;size:100"`
		Name      string `gorm:"size:64;not null"`
		CreatedAt time.Time
	}
	// an admin login to the web's pages, which its signed cookie names
	type adminSession struct {
		ID        string    `gorm:"primaryKey;size:32"`
		CreatedAt time.Time `gorm:"not null"`
		ExpiresAt time.Time `gorm:"not null;index"`
		RevokedAt *time.Time
	}
	return []*gormigrate.Migration{
		create("0001_house", &space{}, &member{}, &campaign{}, &channelLink{}, &processedUpdate{}, &outboxItem{}, &point{}, &prompt{}),
		create("0002_earnings_referrals", &earning{}, &referral{}),
		create("0003_campaign_invites", &campaignInvite{}),
		create("0004_tryout_admins", &tryoutAdmin{}),
		create("0005_admin_sessions", &adminSession{}),
		campaignEndedAt(),
	}
}

// campaignEndedAt records when a campaign reached its final state, which may be
// before its deadline (an admin closed it early); campaigns that ended already
// take the moment of their last change, which was their end.
func campaignEndedAt() *gormigrate.Migration {
	type campaign struct {
		EndedAt *time.Time
	}
	return &gormigrate.Migration{
		ID: "0006_campaign_ended_at",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Migrator().AddColumn(&campaign{}, "EndedAt"); err != nil {
				return err
			}
			return tx.Exec("UPDATE campaigns SET ended_at = updated_at WHERE state IN ('closed', 'funded', 'failed', 'cancelled')").Error
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropColumn(&campaign{}, "EndedAt")
		},
	}
}

package storage

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// starsMigrations let a fundraiser take its pledges in Telegram Stars: how it takes
// them, what each pledge and the fundraiser hold paid, and every payment with its
// refund.
func starsMigrations() []*gormigrate.Migration {
	// snapshots of the schema as first created; do not edit, add a migration instead
	type fundraiser struct {
		Payment string `gorm:"size:16;not null;default:''"`
		Paid    int64  `gorm:"not null;default:0"`
	}
	type pledge struct {
		Paid int64 `gorm:"not null;default:0"`
	}
	type campaign struct {
		ID int64 `gorm:"primaryKey"`
	}
	type member struct {
		ID int64 `gorm:"primaryKey"`
	}
	type starPayment struct {
		ID         int64     `gorm:"primaryKey"`
		CampaignID int64     `gorm:"not null;index"`
		Campaign   *campaign `gorm:"foreignKey:CampaignID;constraint:OnDelete:CASCADE"`
		MemberID   int64     `gorm:"not null"`
		Member     *member   `gorm:"foreignKey:MemberID"`
		Amount     int64     `gorm:"not null;check:chk_star_payments_amount,amount > 0"`
		TierID     *int64
		// ChargeID is Telegram's telegram_payment_charge_id: one payment is recorded
		// once however often it is delivered
		ChargeID         string `gorm:"size:255;not null;uniqueIndex"`
		ProviderChargeID string `gorm:"size:255;not null;default:''"`
		CreatedAt        time.Time
		// Refund is "" (none due), "due" or "done"
		Refund         string     `gorm:"size:8;not null;default:''"`
		RefundAttempts int        `gorm:"not null;default:0"`
		RefundError    string     `gorm:"size:500;not null;default:''"`
		RefundNextAt   *time.Time `gorm:"index"`
		RefundedAt     *time.Time
	}
	return []*gormigrate.Migration{
		{
			ID: "0100_stars_payments",
			Migrate: func(tx *gorm.DB) error {
				m := tx.Migrator()
				if err := m.AddColumn(&fundraiser{}, "Payment"); err != nil {
					return err
				}
				if err := m.AddColumn(&fundraiser{}, "Paid"); err != nil {
					return err
				}
				if err := m.AddColumn(&pledge{}, "Paid"); err != nil {
					return err
				}
				return m.CreateTable(&starPayment{})
			},
			Rollback: func(tx *gorm.DB) error {
				m := tx.Migrator()
				if err := m.DropTable(&starPayment{}); err != nil {
					return err
				}
				if err := m.DropColumn(&pledge{}, "Paid"); err != nil {
					return err
				}
				if err := m.DropColumn(&fundraiser{}, "Paid"); err != nil {
					return err
				}
				return m.DropColumn(&fundraiser{}, "Payment")
			},
		},
	}
}

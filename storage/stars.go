package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type starPaymentRow struct {
	ID               int64
	CampaignID       int64
	MemberID         int64
	Amount           int64
	TierID           *int64
	ChargeID         string
	ProviderChargeID string
	CreatedAt        time.Time
	Refund           string
	RefundAttempts   int
	RefundError      string
	RefundNextAt     *time.Time
	RefundedAt       *time.Time
}

func (starPaymentRow) TableName() string { return "star_payments" }

// starsRefunded is the sum a pledge's member was paid back, as a column of backers.
const starsRefunded = "(SELECT COALESCE(SUM(sp.amount), 0) FROM star_payments sp " +
	"WHERE sp.campaign_id = p.campaign_id AND sp.member_id = p.member_id AND sp.refund = 'done')"

// refundStars marks every payment of a fundraiser kept so far as to be paid back now.
func refundStars(tx *gorm.DB, campaignID int64, at time.Time) error {
	return tx.Model(&starPaymentRow{}).Where("campaign_id = ? AND refund = ?", campaignID, core.RefundNone).
		Updates(map[string]any{"refund": core.RefundDue, "refund_next_at": at.UTC()}).Error
}

// RecordStarPayment implements core.StarsStore. The payment row goes first, under
// the unique charge id: a second delivery of the same payment, even at the same
// moment, finds it there (or waits for it to commit) and changes nothing. Then the
// fundraiser's lock is taken before anything else of the fundraiser, as everything
// that changes a Stars fundraiser does (its pledges are never changed by
// ChangePledge), so that the settlement either sees this payment in the totals or
// this payment sees the fundraiser ended and is paid back.
func (db *DB) RecordStarPayment(ctx context.Context, ch core.StarPaymentChange) (*core.StarPaymentOutcome, error) {
	var out core.StarPaymentOutcome
	err := db.tx(ctx, func(tx *gorm.DB) error {
		out = core.StarPaymentOutcome{}
		pay := starPaymentRow{CampaignID: ch.CampaignID, MemberID: ch.MemberID, Amount: ch.Amount, ChargeID: ch.ChargeID,
			ProviderChargeID: ch.ProviderChargeID, CreatedAt: ch.At.UTC()}
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "charge_id"}}, DoNothing: true}).Create(&pay)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			out.Duplicate = true
			return nil
		}
		f, err := lockFundraiser(tx, ch.CampaignID)
		if err != nil {
			return err
		}
		out.Amount = core.Money{Amount: ch.Amount, Currency: f.Currency}
		c, err := pledgeable(tx, ch.CampaignID, ch.At)
		if err != nil || f.Payment != string(core.PayStars) {
			// ended while the member paid (or never took Stars): pay it back
			out.Refund = true
			out.Fundraiser = *f.toCore()
			return tx.Model(&starPaymentRow{}).Where("id = ?", pay.ID).
				Updates(map[string]any{"refund": core.RefundDue, "refund_next_at": ch.At.UTC()}).Error
		}

		var old pledgeRow
		found := forUpdate(tx).Where("campaign_id = ? AND member_id = ?", ch.CampaignID, ch.MemberID).Limit(1).Find(&old)
		if found.Error != nil {
			return found.Error
		}
		exists := found.RowsAffected > 0
		was := exists && old.Active
		row := old
		if was {
			prev := old.toCore(f.Currency)
			out.Previous = &prev
		} else {
			row.Amount, row.Paid, row.TierID = 0, 0, nil
		}
		row.Amount += ch.Amount
		row.Paid += ch.Amount

		// the tier: the one chosen when the new total reaches its minimum and it has
		// room, else the one the pledge had
		oldTier := row.TierID
		newTier := oldTier
		switch {
		case ch.TierID == 0:
			newTier = nil
		case ch.TierID > 0:
			id := ch.TierID
			newTier = &id
		}
		if !sameTier(oldTier, newTier) && newTier != nil {
			var t tierRow
			err := tx.Where("id = ? AND campaign_id = ?", *newTier, ch.CampaignID).Take(&t).Error
			if err != nil || row.Amount < t.MinAmount || t.LimitN != nil && t.Taken >= *t.LimitN {
				if err != nil && err != gorm.ErrRecordNotFound {
					return err
				}
				out.TierMissed, newTier = true, oldTier
			}
		}
		if newTier != nil {
			var t tierRow
			if err := tx.Where("id = ?", *newTier).Take(&t).Error; err != nil {
				return err
			}
			ct := t.toCore(f.Currency)
			out.Tier = &ct
		}
		if !sameTier(oldTier, newTier) {
			// every tier change of a Stars fundraiser holds its lock: the room seen
			// above is still there
			if err := moveTierPlace(tx, oldTier, newTier, out.Tier); err != nil {
				return err
			}
		}
		row.CampaignID, row.MemberID, row.Active, row.TierID, row.UpdatedAt = ch.CampaignID, ch.MemberID, true, newTier, ch.At.UTC()
		if !exists {
			row.CreatedAt = ch.At.UTC()
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		} else if err := tx.Model(&pledgeRow{}).Where("id = ?", row.ID).Updates(map[string]any{
			"amount": row.Amount, "paid": row.Paid, "tier_id": row.TierID, "active": true, "updated_at": row.UpdatedAt,
		}).Error; err != nil {
			return err
		}
		if err := tx.Model(&starPaymentRow{}).Where("id = ?", pay.ID).Update("tier_id", newTier).Error; err != nil {
			return err
		}
		out.Pledge = row.toCore(f.Currency)

		before := f.toCore()
		f.Raised += ch.Amount
		f.Paid += ch.Amount
		if !was {
			f.Backers++
		}
		f.Peak = max(f.Peak, f.Raised)
		if err := tx.Model(&fundraiserRow{}).Where("campaign_id = ?", f.CampaignID).Updates(map[string]any{
			"raised": f.Raised, "backers": f.Backers, "peak": f.Peak, "paid": f.Paid,
		}).Error; err != nil {
			return err
		}
		after := f.toCore()
		out.Fundraiser = *after
		if !was {
			if err := award(tx, ch.CampaignID, ch.MemberID, core.PointsPledge, ch.Points, ch.At); err != nil {
				return err
			}
		}
		if err := participate(tx, ch.CampaignID, ch.MemberID, ch.At); err != nil {
			return err
		}
		return queueCrossings(tx, c, before.Peak, after, ch.At)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ClaimStarRefunds implements core.StarsStore. Each refund is claimed by moving its
// next try past the lease with a conditional UPDATE: a second worker finds it taken.
func (db *DB) ClaimStarRefunds(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]core.StarRefund, error) {
	var rows []struct {
		ID             int64
		CampaignID     int64
		MemberID       int64
		ExternalID     string
		ChargeID       string
		Amount         int64
		RefundAttempts int
		Currency       string
	}
	err := db.read(ctx).Table("star_payments sp").
		Select("sp.id, sp.campaign_id, sp.member_id, m.external_id, sp.charge_id, sp.amount, sp.refund_attempts, f.currency").
		Joins("JOIN members m ON m.id = sp.member_id").
		Joins("JOIN fundraisers f ON f.campaign_id = sp.campaign_id").
		Where("sp.refund = ? AND sp.refund_next_at <= ?", core.RefundDue, now.UTC()).
		Order("sp.refund_next_at, sp.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	var out []core.StarRefund
	for _, r := range rows {
		res := db.read(ctx).Model(&starPaymentRow{}).
			Where("id = ? AND refund = ? AND refund_next_at <= ?", r.ID, core.RefundDue, now.UTC()).
			Update("refund_next_at", now.Add(lease).UTC())
		if res.Error != nil {
			return out, translate(res.Error)
		}
		if res.RowsAffected == 0 {
			continue // another worker took it
		}
		out = append(out, core.StarRefund{ID: r.ID, CampaignID: r.CampaignID, MemberID: r.MemberID, UserID: r.ExternalID,
			ChargeID: r.ChargeID, Amount: core.Money{Amount: r.Amount, Currency: r.Currency}, Attempts: r.RefundAttempts})
	}
	return out, nil
}

// FinishStarRefund implements core.StarsStore.
func (db *DB) FinishStarRefund(ctx context.Context, id int64, at time.Time, reason string, next time.Time) error {
	q := db.read(ctx).Model(&starPaymentRow{}).Where("id = ? AND refund = ?", id, core.RefundDue)
	var err error
	if reason == "" {
		err = q.Updates(map[string]any{"refund": core.RefundDone, "refunded_at": at.UTC(), "refund_next_at": nil}).Error
	} else {
		err = q.Updates(map[string]any{"refund_attempts": gorm.Expr("refund_attempts + 1"), "refund_error": reason,
			"refund_next_at": next.UTC()}).Error
	}
	if err != nil {
		return fmt.Errorf("finish star refund: %w", translate(err))
	}
	return nil
}

// StarRefundSummary implements core.StarsStore.
func (db *DB) StarRefundSummary(ctx context.Context, campaignID int64) (*core.StarRefunds, error) {
	var s struct{ Done, Due, Failing int }
	err := db.read(ctx).Model(&starPaymentRow{}).
		Select("COALESCE(SUM(CASE WHEN refund = 'done' THEN 1 ELSE 0 END), 0) AS done, "+
			"COALESCE(SUM(CASE WHEN refund = 'due' THEN 1 ELSE 0 END), 0) AS due, "+
			"COALESCE(SUM(CASE WHEN refund = 'due' AND refund_attempts > 0 THEN 1 ELSE 0 END), 0) AS failing").
		Where("campaign_id = ?", campaignID).Scan(&s).Error
	if err != nil {
		return nil, translate(err)
	}
	out := &core.StarRefunds{Done: s.Done, Due: s.Due, Failing: s.Failing}
	if s.Failing > 0 {
		var reasons []string
		if err := db.read(ctx).Model(&starPaymentRow{}).Where("campaign_id = ? AND refund = ? AND refund_attempts > 0", campaignID, core.RefundDue).
			Order("id DESC").Limit(1).Pluck("refund_error", &reasons).Error; err != nil {
			return nil, translate(err)
		}
		if len(reasons) > 0 {
			out.LastError = reasons[0]
		}
	}
	return out, nil
}

// cancelStars pays back every Stars payment of a fundraiser cancelled. It takes the
// fundraiser's lock first, as a payment does before it reads the campaign's state: a
// payment either committed before and is marked here, or finds the fundraiser
// cancelled and marks itself.
func cancelStars(tx *gorm.DB, campaignID int64, at time.Time) error {
	if _, err := lockFundraiser(tx, campaignID); err != nil {
		return err
	}
	return refundStars(tx, campaignID, at)
}

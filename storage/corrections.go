package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"crowdbot/core"
)

// EditCampaign implements core.CorrectionStore.
func (db *DB) EditCampaign(ctx context.Context, campaignID int64, title, description string, now time.Time) error {
	defer db.moved(nil)
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&campaignRow{}).Where("id = ?", campaignID).
			Updates(map[string]any{"title": title, "description": description, "updated_at": now.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ENOTFOUND, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
		}
		return nil
	})
}

// EditTier implements core.CorrectionStore. The new limit is a conditional update
// on the places taken, so a pledge landing at the same moment cannot slip past it.
func (db *DB) EditTier(ctx context.Context, t *core.Tier, now time.Time) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := lockFundraiser(tx, t.CampaignID); err != nil {
			return err
		}
		if _, err := pledgeable(tx, t.CampaignID, now); err != nil {
			return err
		}
		var limit *int
		q := tx.Model(&tierRow{}).Where("id = ? AND campaign_id = ?", t.ID, t.CampaignID)
		if t.Limit > 0 {
			l := t.Limit
			limit = &l
			q = q.Where("taken <= ?", l)
		}
		res := q.Updates(map[string]any{"title": t.Title, "title_key": tierKey(t.Title), "description": t.Description,
			"min_amount": t.Min.Amount, "limit_n": limit})
		if res.Error != nil {
			if isDuplicate(res.Error) {
				return core.Errorf(core.ECONFLICT, "error.tier_exists", "title", t.Title)
			}
			return res.Error
		}
		if res.RowsAffected == 0 {
			var taken int
			tx.Model(&tierRow{}).Where("id = ?", t.ID).Pluck("taken", &taken)
			return core.Errorf(core.EINVALID, "error.tier_limit_below_taken", "count", taken)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("edit tier: %w", err)
	}
	return nil
}

// EditStretchGoal implements core.CorrectionStore.
func (db *DB) EditStretchGoal(ctx context.Context, campaignID int64, from core.Money, g *core.StretchGoal, now time.Time) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		f, err := lockFundraiser(tx, campaignID)
		if err != nil {
			return err
		}
		c, err := pledgeable(tx, campaignID, now)
		if err != nil {
			return err
		}
		res := tx.Model(&stretchGoalRow{}).Where("campaign_id = ? AND target = ?", campaignID, from.Amount).
			Updates(map[string]any{"target": g.Target.Amount, "description": g.Description})
		if res.Error != nil {
			if isDuplicate(res.Error) {
				return core.Errorf(core.ECONFLICT, "error.stretch_exists", "target", g.Target)
			}
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ENOTFOUND, "error.stretch_not_found", "target", from)
		}
		if g.Target.Amount > f.Peak || from.Amount <= f.Peak {
			return nil // not newly passed: no announcement
		}
		return enqueue(tx, now, core.StretchAnnouncement(c, f.toCore(), *g)...)
	})
	if err != nil {
		return fmt.Errorf("edit stretch goal: %w", err)
	}
	return nil
}

// CorrectExpense implements core.CorrectionStore. The struck line is marked with a
// conditional update, so two corrections of one line at once make one; the unique
// index on corrects backs that up.
func (db *DB) CorrectExpense(ctx context.Context, campaignID, n int64, by int64, repl *core.Expense, now time.Time) (*core.Expense, *core.Fundraiser, error) {
	var f *fundraiserRow
	var old expenseRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if f, err = lockFundraiser(tx, campaignID); err != nil {
			return err
		}
		if _, err := fundCampaign(tx, campaignID, now, false, core.StateOpen, core.StateFunded, core.StateClosed); err != nil {
			return err
		}
		if err := tx.Where("campaign_id = ? AND number = ?", campaignID, n).Take(&old).Error; err != nil {
			return notFound(err, "error.expense_not_found", "number", n)
		}
		res := tx.Model(&expenseRow{}).Where("id = ? AND struck_at IS NULL", old.ID).
			Updates(map[string]any{"struck_at": now.UTC(), "struck_by": by})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ECONFLICT, "error.expense_already_corrected", "number", n)
		}
		t := now.UTC()
		old.StruckAt, old.StruckBy = &t, &by
		f.Spent -= old.Amount
		if repl != nil {
			if repl.What == "" {
				repl.What = old.What
			}
			row := expenseRow{CampaignID: campaignID, Amount: repl.Amount.Amount, What: repl.What, CreatedBy: repl.CreatedBy,
				CreatedAt: repl.CreatedAt.UTC(), Corrects: &old.ID}
			if row.Number, err = nextNumber(tx, campaignID, counterExpense); err != nil {
				return err
			}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			repl.ID, repl.Number, repl.Corrects = row.ID, row.Number, old.Number
			f.Spent += row.Amount
		}
		return tx.Model(&fundraiserRow{}).Where("campaign_id = ?", campaignID).Update("spent", f.Spent).Error
	})
	if err != nil {
		return nil, nil, fmt.Errorf("correct expense: %w", err)
	}
	e := old.toCore(f.Currency)
	if repl != nil {
		e.CorrectedBy = repl.Number
	}
	return &e, f.toCore(), nil
}

package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"crowdbot/core"
)

// The counters of campaign_counters: what is numbered within a campaign.
const (
	counterIdea    = "idea"
	counterEntry   = "entry"
	counterExpense = "expense"
)

// nextNumber takes the next number of a campaign's counter in tx. The upsert locks
// the counter's row until tx ends, so concurrent inserts into one campaign take
// numbers one after the other, and a transaction that rolls back gives its number
// back with it: numbers have no gaps.
func nextNumber(tx *gorm.DB, campaignID int64, name string) (int64, error) {
	var n int64
	err := tx.Raw(`INSERT INTO campaign_counters (campaign_id, name, last) VALUES (?, ?, 1)
ON CONFLICT (campaign_id, name) DO UPDATE SET last = campaign_counters.last + 1 RETURNING last`, campaignID, name).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("next %s number: %w", name, err)
	}
	if n <= 0 {
		return 0, fmt.Errorf("next %s number: counter gave %d", name, n)
	}
	return n, nil
}

// returnNumber gives back the number nextNumber just took in tx, for an insert that
// turned out to be a twin of a row already there.
func returnNumber(tx *gorm.DB, campaignID int64, name string) error {
	return tx.Exec("UPDATE campaign_counters SET last = last - 1 WHERE campaign_id = ? AND name = ?", campaignID, name).Error
}

// IdeaByNumber implements core.CorrectionStore.
func (db *DB) IdeaByNumber(ctx context.Context, campaignID, number int64) (*core.Idea, error) {
	var r ideaRow
	if err := db.read(ctx).Where("campaign_id = ? AND number = ?", campaignID, number).Take(&r).Error; err != nil {
		return nil, notFound(err, "error.idea_not_found", "id", number)
	}
	out := r.toCore()
	return &out, nil
}

// EntryByNumber implements core.CorrectionStore.
func (db *DB) EntryByNumber(ctx context.Context, campaignID, number int64) (*core.Entry, error) {
	var r entryRead
	res := entries(db.read(ctx)).Where("e.campaign_id = ? AND e.number = ?", campaignID, number).Limit(1).Scan(&r)
	if res.Error != nil {
		return nil, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "error.entry_not_found", "id", number)
	}
	e := r.toCore()
	return &e, nil
}

// entryNumber returns the number of an entry, as the messages about it show it; 0
// when it cannot be read.
func entryNumber(q *gorm.DB, entryID int64) int64 {
	var n int64
	q.Model(&entryRow{}).Where("id = ?", entryID).Pluck("number", &n)
	return n
}

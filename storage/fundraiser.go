package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"crowdbot/core"
)

type fundraiserRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	Goal       int64
	Currency   string
	Mode       string
	Raised     int64
	Backers    int
	Peak       int64
	Spent      int64
	Payment    string
	Paid       int64
}

func (fundraiserRow) TableName() string { return "fundraisers" }

func (r fundraiserRow) toCore() *core.Fundraiser {
	m := func(a int64) core.Money { return core.Money{Amount: a, Currency: r.Currency} }
	return &core.Fundraiser{CampaignID: r.CampaignID, Goal: m(r.Goal), Mode: core.FundMode(r.Mode),
		Raised: m(r.Raised), Backers: r.Backers, Peak: m(r.Peak), Spent: m(r.Spent),
		Payment: core.PayMethod(r.Payment), Paid: m(r.Paid)}
}

type tierRow struct {
	ID          int64
	CampaignID  int64
	Number      int
	Title       string
	TitleKey    string
	Description string
	MinAmount   int64
	LimitN      *int
	Taken       int
	CreatedAt   time.Time
}

func (tierRow) TableName() string { return "tiers" }

func (r tierRow) toCore(currency string) core.Tier {
	t := core.Tier{ID: r.ID, CampaignID: r.CampaignID, Number: r.Number, Title: r.Title, Description: r.Description,
		Min: core.Money{Amount: r.MinAmount, Currency: currency}, Taken: r.Taken, CreatedAt: r.CreatedAt}
	if r.LimitN != nil {
		t.Limit = *r.LimitN
	}
	return t
}

type stretchGoalRow struct {
	ID          int64
	CampaignID  int64
	Target      int64
	Description string
	CreatedAt   time.Time
}

func (stretchGoalRow) TableName() string { return "stretch_goals" }

func (r stretchGoalRow) toCore(currency string) core.StretchGoal {
	return core.StretchGoal{ID: r.ID, CampaignID: r.CampaignID, Target: core.Money{Amount: r.Target, Currency: currency},
		Description: r.Description, CreatedAt: r.CreatedAt}
}

type pledgeRow struct {
	ID         int64
	CampaignID int64
	MemberID   int64
	Amount     int64
	TierID     *int64
	Active     bool
	Paid       int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (pledgeRow) TableName() string { return "pledges" }

func (r pledgeRow) toCore(currency string) core.Pledge {
	p := core.Pledge{ID: r.ID, CampaignID: r.CampaignID, MemberID: r.MemberID, Amount: core.Money{Amount: r.Amount, Currency: currency},
		Active: r.Active, Paid: core.Money{Amount: r.Paid, Currency: currency}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.TierID != nil {
		p.TierID = *r.TierID
	}
	return p
}

type expenseRow struct {
	ID         int64
	CampaignID int64
	Number     int64
	Amount     int64
	What       string
	CreatedBy  int64
	CreatedAt  time.Time
	Corrects   *int64 // the id of the line this one replaces
	StruckAt   *time.Time
	StruckBy   *int64
}

func (expenseRow) TableName() string { return "expenses" }

func (r expenseRow) toCore(currency string) core.Expense {
	return core.Expense{ID: r.ID, CampaignID: r.CampaignID, Number: r.Number, Amount: core.Money{Amount: r.Amount, Currency: currency},
		What: r.What, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, StruckAt: utcPtr(r.StruckAt)}
}

// tierKey is the key that keeps two tiers of a campaign from having the same title
// in different cases.
func tierKey(title string) string { return strings.ToLower(title) }

// CreateFundraiser implements core.FundraiserStore.
func (db *DB) CreateFundraiser(ctx context.Context, c *core.Campaign, f *core.Fundraiser, link *core.ChannelLink) error {
	return db.createCampaign(ctx, c, func(tx *gorm.DB) error {
		if err := insertCampaign(tx, c, link); err != nil {
			return err
		}
		f.CampaignID = c.ID
		return tx.Create(&fundraiserRow{CampaignID: c.ID, Goal: f.Goal.Amount, Currency: f.Goal.Currency, Mode: string(f.Mode),
			Payment: string(f.Payment)}).Error
	})
}

// Fundraiser implements core.FundraiserStore.
func (db *DB) Fundraiser(ctx context.Context, campaignID int64) (*core.Fundraiser, error) {
	var r fundraiserRow
	if err := db.read(ctx).Take(&r, campaignID).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	return r.toCore(), nil
}

// FundraiserTerms implements core.FundraiserStore: a crowd's pledges share one read
// of them (recentTTL).
func (db *DB) FundraiserTerms(ctx context.Context, campaignID int64) (*core.Fundraiser, error) {
	key := strconv.FormatInt(campaignID, 10)
	if r, ok := db.funds.get(key); ok {
		return r.toCore(), nil
	}
	var r fundraiserRow
	if err := db.read(ctx).Take(&r, campaignID).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	db.funds.put(key, r)
	return r.toCore(), nil
}

// lockFundraiser reads a fundraiser inside tx and, on Postgres, locks its row until
// the transaction ends. It is the fundraiser's one serialization point: every change
// to its totals, tier numbers, stretch goals and ledger takes it, and so does the
// settlement, before it changes the campaign. A change reads the campaign's state
// after taking it (fundCampaign), so it either commits before the settlement reads
// the totals or finds the campaign ended. Its exclusive lock queues waiters fairly,
// where a share lock on the campaign row would let a stream of pledges starve the
// settlement. Locks are taken in one order everywhere (pledge, tiers, fundraiser,
// campaign), so two changes cannot deadlock.
func lockFundraiser(tx *gorm.DB, campaignID int64) (*fundraiserRow, error) {
	var r fundraiserRow
	if err := forUpdate(tx).Take(&r, campaignID).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	return &r, nil
}

// fundCampaign reads a fundraiser's campaign inside tx and fails with ECLOSED unless
// it is in one of the states and, when pledging is set, its close has not come.
func fundCampaign(tx *gorm.DB, campaignID int64, now time.Time, pledging bool, states ...core.State) (*core.Campaign, error) {
	var r campaignRow
	if err := tx.Take(&r, campaignID).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	c := r.toCore()
	if !slices.Contains(states, c.State) || pledging && c.ClosesAt != nil && !now.Before(*c.ClosesAt) {
		return nil, core.Errorf(core.ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	return &c, nil
}

// pledgeable reads a campaign that takes pledges, tiers and stretch goals: open, and
// before its close.
func pledgeable(tx *gorm.DB, campaignID int64, now time.Time) (*core.Campaign, error) {
	return fundCampaign(tx, campaignID, now, true, core.StateOpen)
}

// AddTier implements core.FundraiserStore.
func (db *DB) AddTier(ctx context.Context, t *core.Tier) error {
	row := tierRow{CampaignID: t.CampaignID, Title: t.Title, TitleKey: tierKey(t.Title), Description: t.Description,
		MinAmount: t.Min.Amount, CreatedAt: t.CreatedAt.UTC()}
	if t.Limit > 0 {
		limit := t.Limit
		row.LimitN = &limit
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := lockFundraiser(tx, t.CampaignID); err != nil {
			return err
		}
		if _, err := pledgeable(tx, t.CampaignID, t.CreatedAt); err != nil {
			return err
		}
		var n struct{ Count, Top int }
		if err := tx.Model(&tierRow{}).Select("COUNT(*) AS count, COALESCE(MAX(number), 0) AS top").
			Where("campaign_id = ?", t.CampaignID).Scan(&n).Error; err != nil {
			return err
		}
		if n.Count >= core.MaxTiers {
			return core.Errorf(core.ELIMIT, "error.fund_too_many_tiers", "max", core.MaxTiers)
		}
		row.Number = n.Top + 1
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return core.Errorf(core.ECONFLICT, "error.tier_exists", "title", t.Title)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add tier: %w", err)
	}
	t.ID, t.Number = row.ID, row.Number
	return nil
}

// Tiers implements core.FundraiserStore.
func (db *DB) Tiers(ctx context.Context, campaignID int64) ([]core.Tier, error) {
	f, err := db.Fundraiser(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	var rows []tierRow
	if err := db.read(ctx).Where("campaign_id = ?", campaignID).Order("number").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, func(r tierRow) core.Tier { return r.toCore(f.Goal.Currency) }), nil
}

// AddStretchGoal implements core.FundraiserStore.
func (db *DB) AddStretchGoal(ctx context.Context, g *core.StretchGoal) error {
	row := stretchGoalRow{CampaignID: g.CampaignID, Target: g.Target.Amount, Description: g.Description, CreatedAt: g.CreatedAt.UTC()}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		f, err := lockFundraiser(tx, g.CampaignID)
		if err != nil {
			return err
		}
		c, err := pledgeable(tx, g.CampaignID, g.CreatedAt)
		if err != nil {
			return err
		}
		var count int64
		if err := tx.Model(&stretchGoalRow{}).Where("campaign_id = ?", g.CampaignID).Count(&count).Error; err != nil {
			return err
		}
		if count >= core.MaxStretchGoals {
			return core.Errorf(core.ELIMIT, "error.fund_too_many_stretch", "max", core.MaxStretchGoals)
		}
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return core.Errorf(core.ECONFLICT, "error.stretch_exists", "target", g.Target)
			}
			return err
		}
		g.ID = row.ID
		return enqueue(tx, g.CreatedAt, core.StretchAnnouncement(c, f.toCore(), *g)...)
	})
	if err != nil {
		g.ID = 0
		return fmt.Errorf("add stretch goal: %w", err)
	}
	return nil
}

// StretchGoals implements core.FundraiserStore.
func (db *DB) StretchGoals(ctx context.Context, campaignID int64) ([]core.StretchGoal, error) {
	f, err := db.Fundraiser(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return stretchGoals(db.read(ctx), campaignID, f.Goal.Currency)
}

func stretchGoals(q *gorm.DB, campaignID int64, currency string) ([]core.StretchGoal, error) {
	var rows []stretchGoalRow
	if err := q.Where("campaign_id = ?", campaignID).Order("target").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, func(r stretchGoalRow) core.StretchGoal { return r.toCore(currency) }), nil
}

// ChangePledge implements core.FundraiserStore. In one transaction it locks the
// member's pledge, takes a place in the new tier with a conditional UPDATE (so the
// tier's limit holds whatever the concurrency) and frees the old one, in tier id
// order, writes the pledge, then locks the fundraiser row, checks the campaign is
// still open and moves the totals. A sold-out tier refuses before the fundraiser row,
// which every pledge that lands must wait for, is touched. A member given by
// reference (MemberID 0) is found or made with a first pledge, or before the
// transaction on the general path.
func (db *DB) ChangePledge(ctx context.Context, ch core.PledgeChange) (*core.PledgeOutcome, error) {
	if ch.MemberID == 0 && ch.Member != nil {
		db.knownMember(ch.Member)
		ch.MemberID = ch.Member.ID
	}
	if out, handled, err := db.changeFirstPledge(ctx, ch); handled {
		// a member's first pledge went with the others made at the same moment
		return out, err
	}
	if ch.MemberID == 0 && ch.Member != nil {
		if err := db.enroll(ctx, ch.Member, ch.At); err != nil {
			return nil, err
		}
		ch.MemberID = ch.Member.ID
	}
	var out core.PledgeOutcome
	err := db.tx(ctx, func(tx *gorm.DB) error {
		c, err := pledgeable(tx, ch.CampaignID, ch.At)
		if err != nil {
			return err // refused early, without waiting for any lock
		}
		var currency string
		if err := tx.Model(&fundraiserRow{}).Where("campaign_id = ?", ch.CampaignID).Pluck("currency", &currency).Error; err != nil {
			return err
		}
		var old pledgeRow
		res := forUpdate(tx).Where("campaign_id = ? AND member_id = ?", ch.CampaignID, ch.MemberID).Limit(1).Find(&old)
		if res.Error != nil {
			return res.Error
		}
		exists := res.RowsAffected > 0
		was := exists && old.Active
		if was {
			prev := old.toCore(currency)
			out.Previous = &prev
		}
		if ch.Cancel && !was {
			return core.Errorf(core.ENOTFOUND, "error.pledge_none", "code", c.Code)
		}

		// the tier the pledge ends with, and the one whose place it frees
		var oldTier, newTier *int64
		if was {
			oldTier = old.TierID
		}
		switch {
		case ch.Cancel:
		case ch.KeepTier:
			newTier = oldTier
		case ch.TierID != 0:
			newTier = &ch.TierID
		}
		if newTier != nil {
			var t tierRow
			if err := tx.Where("id = ? AND campaign_id = ?", *newTier, ch.CampaignID).Take(&t).Error; err != nil {
				return notFound(err, "error.tier_not_found", "tier", fmt.Sprint(*newTier))
			}
			ct := t.toCore(currency)
			if ch.Amount.Amount < t.MinAmount {
				return core.Errorf(core.EINVALID, "error.pledge_below_tier", "tier", t.Title, "min", ct.Min)
			}
			out.Tier = &ct
		}
		if !sameTier(oldTier, newTier) {
			if err := moveTierPlace(tx, oldTier, newTier, out.Tier); err != nil {
				return err
			}
		}

		// the pledge row: one per member and fundraiser, kept when cancelled
		row := old
		row.CampaignID, row.MemberID, row.UpdatedAt = ch.CampaignID, ch.MemberID, ch.At.UTC()
		row.Active, row.TierID = !ch.Cancel, newTier
		if !ch.Cancel {
			row.Amount = ch.Amount.Amount
		}
		if !exists {
			row.CreatedAt = ch.At.UTC()
			if err := tx.Create(&row).Error; err != nil {
				return err // a twin first pledge of the same member: the unique key refuses it
			}
		} else if err := tx.Model(&pledgeRow{}).Where("id = ?", row.ID).Updates(map[string]any{
			"amount": row.Amount, "tier_id": row.TierID, "active": row.Active, "updated_at": row.UpdatedAt,
		}).Error; err != nil {
			return err
		}
		out.Pledge = row.toCore(currency)

		// the totals, under the fundraiser's lock, so that the peak moves in order
		f, err := lockFundraiser(tx, ch.CampaignID)
		if err != nil {
			return err
		}
		if c, err = pledgeable(tx, ch.CampaignID, ch.At); err != nil {
			return err // settled while this pledge waited
		}
		before := f.toCore()
		if was {
			f.Raised -= old.Amount
			f.Backers--
		}
		if row.Active {
			f.Raised += row.Amount
			f.Backers++
		}
		f.Peak = max(f.Peak, f.Raised)
		if err := tx.Model(&fundraiserRow{}).Where("campaign_id = ?", f.CampaignID).Updates(map[string]any{
			"raised": f.Raised, "backers": f.Backers, "peak": f.Peak,
		}).Error; err != nil {
			return err
		}
		after := f.toCore()
		out.Fundraiser = *after

		switch {
		case row.Active && !was:
			if err := award(tx, ch.CampaignID, ch.MemberID, core.PointsPledge, ch.Points, ch.At); err != nil {
				return err
			}
		case !row.Active && was:
			if err := award(tx, ch.CampaignID, ch.MemberID, core.PointsPledge, -ch.Points, ch.At); err != nil {
				return err
			}
		}
		if row.Active {
			if err := participate(tx, ch.CampaignID, ch.MemberID, ch.At); err != nil {
				return err
			}
		}
		return queueCrossings(tx, c, before.Peak, after, ch.At)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// queueCrossings queues in tx the milestones and stretch goals a fundraiser's peak
// passed in moving from before to after.Peak (core.FundCrossings), at the time at.
func queueCrossings(tx *gorm.DB, c *core.Campaign, before core.Money, after *core.Fundraiser, at time.Time) error {
	if after.Peak.Amount <= before.Amount {
		return nil
	}
	goals, err := stretchGoals(tx, c.ID, after.Goal.Currency)
	if err != nil {
		return err
	}
	return enqueue(tx, at, core.FundCrossings(c, after, before, goals)...)
}

// moveTierPlace frees a place in tier from and takes one in tier to (either may be
// nil), touching the two rows in id order. Taking is a conditional UPDATE that matches
// no row when the tier is full: then the pledge is refused as sold out.
func moveTierPlace(tx *gorm.DB, from, to *int64, toTier *core.Tier) error {
	take := func() error {
		res := tx.Model(&tierRow{}).Where("id = ? AND (limit_n IS NULL OR taken < limit_n)", *to).
			Update("taken", gorm.Expr("taken + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ELIMIT, "error.tier_sold_out", "tier", toTier.Title)
		}
		toTier.Taken++
		return nil
	}
	free := func() error {
		return tx.Model(&tierRow{}).Where("id = ?", *from).Update("taken", gorm.Expr("taken - 1")).Error
	}
	switch {
	case from == nil:
		return take()
	case to == nil:
		return free()
	case *from < *to:
		if err := free(); err != nil {
			return err
		}
		return take()
	default:
		if err := take(); err != nil {
			return err
		}
		return free()
	}
}

func sameTier(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// ActivePledge implements core.FundraiserStore.
func (db *DB) ActivePledge(ctx context.Context, campaignID, memberID int64) (*core.Pledge, error) {
	var r pledgeRow
	err := db.read(ctx).Where("campaign_id = ? AND member_id = ? AND active = ?", campaignID, memberID, true).Take(&r).Error
	if err != nil {
		return nil, notFound(err, "error.pledge_none", "code", fmt.Sprint(campaignID))
	}
	f, err := db.Fundraiser(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	p := r.toCore(f.Goal.Currency)
	return &p, nil
}

// AddExpense implements core.FundraiserStore.
func (db *DB) AddExpense(ctx context.Context, e *core.Expense) (*core.Fundraiser, error) {
	row := expenseRow{CampaignID: e.CampaignID, Amount: e.Amount.Amount, What: e.What, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt.UTC()}
	var f *fundraiserRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if f, err = lockFundraiser(tx, e.CampaignID); err != nil {
			return err
		}
		if _, err := fundCampaign(tx, e.CampaignID, e.CreatedAt, false, core.StateOpen, core.StateFunded, core.StateClosed); err != nil {
			return err
		}
		if row.Number, err = nextNumber(tx, e.CampaignID, counterExpense); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		f.Spent += row.Amount
		return tx.Model(&fundraiserRow{}).Where("campaign_id = ?", e.CampaignID).Update("spent", f.Spent).Error
	})
	if err != nil {
		return nil, fmt.Errorf("add expense: %w", err)
	}
	e.ID, e.Number = row.ID, row.Number
	return f.toCore(), nil
}

// Expenses implements core.FundraiserStore.
func (db *DB) Expenses(ctx context.Context, campaignID int64, limit int) ([]core.Expense, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	f, err := db.Fundraiser(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	var rows []expenseRow
	if err := db.read(ctx).Where("campaign_id = ?", campaignID).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	// corrections name lines by id; the ledger shows numbers
	numbers := map[int64]int64{}
	for _, r := range rows {
		numbers[r.ID] = r.Number
	}
	var missing []int64
	for _, r := range rows {
		if r.Corrects != nil && numbers[*r.Corrects] == 0 {
			missing = append(missing, *r.Corrects)
		}
	}
	if len(missing) > 0 {
		var more []expenseRow
		if err := db.read(ctx).Where("id IN ?", missing).Find(&more).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range more {
			numbers[r.ID] = r.Number
		}
	}
	by := map[int64]int64{} // struck line id -> the number of its replacement
	for _, r := range rows {
		if r.Corrects != nil {
			by[*r.Corrects] = r.Number
		}
	}
	var struck []int64
	for _, r := range rows {
		if r.StruckAt != nil {
			if _, ok := by[r.ID]; !ok {
				struck = append(struck, r.ID)
			}
		}
	}
	if len(struck) > 0 {
		// a replacement newer than the lines shown
		var more []expenseRow
		if err := db.read(ctx).Where("corrects IN ?", struck).Find(&more).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range more {
			by[*r.Corrects] = r.Number
		}
	}
	out := make([]core.Expense, len(rows))
	for i, r := range rows {
		out[i] = r.toCore(f.Goal.Currency)
		if r.Corrects != nil {
			out[i].Corrects = numbers[*r.Corrects]
		}
		out[i].CorrectedBy = by[r.ID]
	}
	return out, nil
}

// Backers implements core.FundraiserStore.
func (db *DB) Backers(ctx context.Context, campaignID int64, page, perPage int) ([]core.Backer, error) {
	return backers(db.read(ctx), campaignID, page, perPage)
}

// backers reads a page of a campaign's active pledges with who made them, their
// tier and their referrer; perPage 0 reads them all.
func backers(q *gorm.DB, campaignID int64, page, perPage int) ([]core.Backer, error) {
	// gorm does not scan into an unexported embedded struct: every column is named
	var rows []struct {
		ID         int64
		CampaignID int64
		MemberID   int64
		Amount     int64
		TierID     *int64
		Paid       int64
		Refunded   int64
		CreatedAt  time.Time
		UpdatedAt  time.Time
		Currency   string
		Member     string
		Name       string
		Tier       *string
		Referrer   *string
	}
	q = q.Table("pledges p").
		Select("p.id, p.campaign_id, p.member_id, p.amount, p.tier_id, p.paid, p.created_at, p.updated_at, f.currency, m.platform || ':' || m.external_id AS member, m.name, t.title AS tier, "+
			"rm.platform || ':' || rm.external_id AS referrer, "+starsRefunded+" AS refunded").
		Joins("JOIN fundraisers f ON f.campaign_id = p.campaign_id").
		Joins("JOIN members m ON m.id = p.member_id").
		Joins("LEFT JOIN tiers t ON t.id = p.tier_id").
		Joins("LEFT JOIN referrals r ON r.campaign_id = p.campaign_id AND r.member_id = p.member_id").
		Joins("LEFT JOIN members rm ON rm.id = r.referrer_id").
		Where("p.campaign_id = ? AND p.active = ?", campaignID, true).
		Order("p.amount DESC, p.id")
	if perPage > 0 {
		q = q.Offset((max(page, 1) - 1) * perPage).Limit(perPage)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]core.Backer, len(rows))
	for i, r := range rows {
		p := pledgeRow{ID: r.ID, CampaignID: r.CampaignID, MemberID: r.MemberID, Amount: r.Amount, TierID: r.TierID,
			Active: true, Paid: r.Paid, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		out[i] = core.Backer{Pledge: p.toCore(r.Currency), Member: r.Member, Name: r.Name,
			Refunded: core.Money{Amount: r.Refunded, Currency: r.Currency}}
		if r.Tier != nil {
			out[i].Tier = *r.Tier
		}
		if r.Referrer != nil {
			out[i].Referrer = *r.Referrer
		}
	}
	return out, nil
}

// SettleFundraiser implements core.FundraiserStore. It takes the fundraiser's lock
// first (see lockFundraiser): every pledge that holds it commits before, and every
// later one finds the campaign ended, so the totals and backers read next are final.
func (db *DB) SettleFundraiser(ctx context.Context, campaignID int64, from core.State, at time.Time) (core.State, error) {
	var to core.State
	defer db.moved(nil)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		f, err := lockFundraiser(tx, campaignID)
		if err != nil {
			return err
		}
		// no lock on the campaign row here: pledges in flight hold a key-share lock on
		// it (their rows reference it) while they wait for the fundraiser's; the
		// conditional UPDATE in transition takes a lock that does not clash with those
		var cr campaignRow
		if err := tx.Take(&cr, campaignID).Error; err != nil {
			return notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
		}
		if core.State(cr.State) != from {
			return core.Errorf(core.ECONFLICT, "error.campaign_moved")
		}
		c := cr.toCore()
		list, err := backers(tx, campaignID, 0, 0)
		if err != nil {
			return err
		}
		var anns []core.Announcement
		to, anns = core.FundSettlement(&c, f.toCore(), list)
		if err := transition(tx, core.Transition{CampaignID: campaignID, From: from, To: to, At: at, Announcements: anns}); err != nil {
			return err
		}
		if to == core.StateFailed {
			return refundStars(tx, campaignID, at)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return to, nil
}

package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CorrectionStore keeps what admins use to name and correct things: ideas and entries by
// their number within a campaign, edits of a campaign, its tiers and stretch goals,
// and corrections of its spending ledger.
type CorrectionStore interface {
	// IdeaByNumber returns a campaign's idea by its number in the campaign.
	IdeaByNumber(ctx context.Context, campaignID, number int64) (*Idea, error)
	// EntryByNumber returns a contest's entry by its number in the campaign.
	EntryByNumber(ctx context.Context, campaignID, number int64) (*Entry, error)
	// EditCampaign changes a campaign's title and description.
	EditCampaign(ctx context.Context, campaignID int64, title, description string, now time.Time) error
	// EditTier changes a tier of an open fundraiser in the same transaction that
	// checks the fundraiser is open: a title another tier has fails with ECONFLICT, a
	// limit below the places taken with EINVALID.
	EditTier(ctx context.Context, t *Tier, now time.Time) error
	// EditStretchGoal changes the target and description of the stretch goal of an
	// open fundraiser whose target is from, and queues its announcement when the total
	// has already passed a new target.
	EditStretchGoal(ctx context.Context, campaignID int64, from Money, g *StretchGoal, now time.Time) error
	// CorrectExpense strikes expense number n of a fundraiser's ledger, once, and
	// with a replacement adds it as a new line naming the one it corrects; the
	// fundraiser's spending moves in the same transaction. It returns the struck line
	// and the fundraiser's new totals.
	CorrectExpense(ctx context.Context, campaignID, n int64, by int64, replacement *Expense, now time.Time) (*Expense, *Fundraiser, error)
}

// ParseNumber reads the number of an idea, an entry or an expense within its
// campaign, as "3" or "#3"; ok is false for anything else.
func ParseNumber(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	return n, err == nil && n > 0
}

// IdeaByNumber returns idea number n of the ideas campaign with the given code.
func (s *Service) IdeaByNumber(ctx context.Context, code string, n int64) (*Campaign, *Idea, error) {
	c, err := s.CampaignOf(ctx, code, KindIdeas)
	if err != nil {
		return nil, nil, err
	}
	idea, err := s.store.IdeaByNumber(ctx, c.ID, n)
	if err != nil {
		return nil, nil, err
	}
	return c, idea, nil
}

// EntryByNumber returns entry number n of the contest with the given code.
func (s *Service) EntryByNumber(ctx context.Context, code string, n int64) (*Campaign, *Entry, error) {
	c, err := s.CampaignOf(ctx, code, KindContest)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.store.EntryByNumber(ctx, c.ID, n)
	if err != nil {
		return nil, nil, err
	}
	return c, e, nil
}

// IdeaByID returns an idea by its id, as buttons name it.
func (s *Service) IdeaByID(ctx context.Context, id int64) (*Idea, error) {
	return s.store.Idea(ctx, id)
}

// EntryByID returns an entry by its id, as buttons name it.
func (s *Service) EntryByID(ctx context.Context, id int64) (*Entry, error) {
	return s.store.Entry(ctx, id)
}

// CheckEnd makes every check CloseCampaign (or, with cancel, CancelCampaign) makes,
// changing nothing: an admin is asked to confirm only what would go through.
func (s *Service) CheckEnd(ctx context.Context, actor Actor, code string, cancel bool) (*Campaign, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if cancel && c.State.Final() || !cancel && !c.State.Live() {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	return c, nil
}

// EditCampaign changes a campaign's title, its description, or both; nil leaves a
// field as it is. A finished campaign may still be corrected: its pages keep showing
// it.
func (s *Service) EditCampaign(ctx context.Context, actor Actor, code string, title, description *string) (*Campaign, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if title == nil && description == nil {
		return nil, Errorf(EINVALID, "error.nothing_to_change")
	}
	if title != nil {
		if c.Title, err = checkText("title", *title, true, 1, MaxTitle); err != nil {
			return nil, err
		}
	}
	if description != nil {
		if c.Description, err = checkText("description", *description, false, 0, MaxDescription); err != nil {
			return nil, err
		}
	}
	c.UpdatedAt = s.clock.Now()
	if err := s.store.EditCampaign(ctx, c.ID, c.Title, c.Description, c.UpdatedAt); err != nil {
		return nil, fmt.Errorf("edit campaign: %w", err)
	}
	return c, nil
}

// TierEdit is what an admin changes in a tier; nil leaves a field as it is.
type TierEdit struct {
	Tier        string // the tier, by number or title
	Title       *string
	Description *string
	Min         *string // as typed
	Limit       *int    // 0 for no limit
	Locale      string
}

// EditTier changes a tier of an open fundraiser. The pledges already on it stay: a
// new minimum applies to pledges made or changed from now on, and a limit never goes
// below the places taken.
func (s *Service) EditTier(ctx context.Context, actor Actor, code string, in TierEdit) (*Campaign, *Tier, error) {
	c, f, err := s.fundraiserToChange(ctx, actor, code)
	if err != nil {
		return nil, nil, err
	}
	if in.Title == nil && in.Description == nil && in.Min == nil && in.Limit == nil {
		return nil, nil, Errorf(EINVALID, "error.nothing_to_change")
	}
	tiers, err := s.store.Tiers(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("tiers: %w", err)
	}
	t, err := FindTier(tiers, in.Tier)
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return nil, nil, Errorf(ENOTFOUND, "error.tier_not_found", "tier", in.Tier)
	}
	if in.Title != nil {
		t.Title = *in.Title
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.Min != nil {
		if t.Min, err = ParseMoneyIn(*in.Min, f.Goal.Currency, in.Locale); err != nil {
			return nil, nil, err
		}
	}
	if in.Limit != nil {
		t.Limit = *in.Limit
	}
	if err := t.Validate(f); err != nil {
		return nil, nil, err
	}
	if t.Limit > 0 && t.Limit < t.Taken {
		return nil, nil, Errorf(EINVALID, "error.tier_limit_below_taken", "count", t.Taken)
	}
	if err := s.store.EditTier(ctx, t, s.clock.Now()); err != nil {
		return nil, nil, err
	}
	return c, t, nil
}

// EditStretchGoal changes the stretch goal at target from of an open fundraiser: its
// target (to, "" to keep it) and its description ("" to keep it).
func (s *Service) EditStretchGoal(ctx context.Context, actor Actor, code, from, to, description, locale string) (*Campaign, *StretchGoal, error) {
	c, f, err := s.fundraiserToChange(ctx, actor, code)
	if err != nil {
		return nil, nil, err
	}
	old, err := ParseMoneyIn(from, f.Goal.Currency, locale)
	if err != nil {
		return nil, nil, err
	}
	goals, err := s.store.StretchGoals(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("stretch goals: %w", err)
	}
	var g *StretchGoal
	for i := range goals {
		if goals[i].Target == old {
			g = &goals[i]
		}
	}
	if g == nil {
		return nil, nil, Errorf(ENOTFOUND, "error.stretch_not_found", "target", old)
	}
	if strings.TrimSpace(to) == "" && strings.TrimSpace(description) == "" {
		return nil, nil, Errorf(EINVALID, "error.nothing_to_change")
	}
	if strings.TrimSpace(to) != "" {
		m, err := ParseMoneyIn(to, f.Goal.Currency, locale)
		if err != nil {
			return nil, nil, err
		}
		if err := f.checkAmount(m); err != nil {
			return nil, nil, err
		}
		if m.Amount <= f.Goal.Amount {
			return nil, nil, Errorf(EINVALID, "error.stretch_below_goal", "goal", f.Goal)
		}
		g.Target = m
	}
	if strings.TrimSpace(description) != "" {
		if g.Description, err = checkText("description", description, false, 1, MaxStretchText); err != nil {
			return nil, nil, err
		}
	}
	if err := s.store.EditStretchGoal(ctx, c.ID, old, g, s.clock.Now()); err != nil {
		return nil, nil, err
	}
	return c, g, nil
}

// CorrectExpense corrects line number n of a fundraiser's ledger: with an amount it
// is replaced by a new line (what "" keeps the old text), with no amount it is
// removed. Either way the old line stays in the ledger, struck, so the public sees
// what changed. It returns the struck line, the new one (nil for a removal) and the
// fundraiser's totals.
func (s *Service) CorrectExpense(ctx context.Context, actor Actor, code string, n int64, amount, what, locale string) (*Campaign, *Expense, *Expense, *Fundraiser, error) {
	if !actor.Admin {
		return nil, nil, nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, f, err := s.fundraiser(ctx, code)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, nil, nil, err
	}
	now := s.clock.Now()
	var repl *Expense
	if strings.TrimSpace(amount) != "" {
		m, err := ParseMoneyIn(amount, f.Goal.Currency, locale)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if m.Currency != f.Goal.Currency {
			return nil, nil, nil, nil, Errorf(EINVALID, "error.fund_wrong_currency", "currency", m.Currency, "want", f.Goal.Currency)
		}
		repl = &Expense{CampaignID: c.ID, Amount: m, What: what, CreatedBy: actor.Member.ID, CreatedAt: now}
		if strings.TrimSpace(what) != "" {
			if repl.What, err = checkText("expense", what, true, 1, MaxExpenseText); err != nil {
				return nil, nil, nil, nil, err
			}
		}
	}
	old, f, err := s.store.CorrectExpense(ctx, c.ID, n, actor.Member.ID, repl, now)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return c, old, repl, f, nil
}

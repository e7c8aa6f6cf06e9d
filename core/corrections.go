package core

import (
	"context"
	"strconv"
	"strings"
)

// CorrectionStore keeps what admins use to name and correct things: ideas and entries by
// their number within a campaign, edits of a campaign, its tiers and stretch goals,
// and corrections of its spending ledger.
type CorrectionStore interface {
	// IdeaByNumber returns a campaign's idea by its number in the campaign.
	IdeaByNumber(ctx context.Context, campaignID, number int64) (*Idea, error)
	// EntryByNumber returns a contest's entry by its number in the campaign.
	EntryByNumber(ctx context.Context, campaignID, number int64) (*Entry, error)
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
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, err
	}
	if cancel && c.State.Final() || !cancel && !c.State.Live() {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	return c, nil
}

package core

import (
	"context"
	"time"
)

// ContestStore keeps the contest campaign kind.
type ContestStore interface{}

// closeContest ends a contest campaign at its deadline or on an admin's order.
func (s *Service) closeContest(ctx context.Context, c *Campaign, now time.Time) error {
	return s.closeSimply(ctx, c, now)
}

// openContestVoting moves a contest from its submission phase to its voting phase.
func (s *Service) openContestVoting(ctx context.Context, c *Campaign, now time.Time) error {
	return s.store.TransitionCampaign(ctx, Transition{CampaignID: c.ID, From: StateOpen, To: StateVoting, At: now, NextDeadline: c.ClosesAt})
}

// contestProgress returns the campaign's Contest progress.
func (s *Service) contestProgress(ctx context.Context, c *Campaign) (*ContestProgress, error) {
	return &ContestProgress{}, nil
}

// exportContest returns the campaign's data for its admins.
func (s *Service) exportContest(ctx context.Context, c *Campaign) (*Table, error) {
	return &Table{Name: c.Code}, nil
}

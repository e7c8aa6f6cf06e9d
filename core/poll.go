package core

import (
	"context"
	"time"
)

// PollStore keeps the poll campaign kind.
type PollStore interface{}

// closePoll ends a poll campaign at its deadline or on an admin's order.
func (s *Service) closePoll(ctx context.Context, c *Campaign, now time.Time) error {
	return s.closeSimply(ctx, c, now)
}

// pollProgress returns the campaign's Poll progress.
func (s *Service) pollProgress(ctx context.Context, c *Campaign) (*PollProgress, error) {
	return &PollProgress{}, nil
}

// exportPoll returns the campaign's data for its admins.
func (s *Service) exportPoll(ctx context.Context, c *Campaign) (*Table, error) {
	return &Table{Name: c.Code}, nil
}

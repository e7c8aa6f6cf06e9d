package core

import (
	"context"
	"time"
)

// FundraiserStore keeps the fundraiser campaign kind.
type FundraiserStore interface{}

// settleFundraiser ends a fundraiser campaign at its deadline or on an admin's order.
func (s *Service) settleFundraiser(ctx context.Context, c *Campaign, now time.Time) error {
	return s.closeSimply(ctx, c, now)
}

// fundraiserProgress returns the campaign's Fundraiser progress.
func (s *Service) fundraiserProgress(ctx context.Context, c *Campaign) (*FundraiserProgress, error) {
	return &FundraiserProgress{}, nil
}

// exportFundraiser returns the campaign's data for its admins.
func (s *Service) exportFundraiser(ctx context.Context, c *Campaign) (*Table, error) {
	return &Table{Name: c.Code}, nil
}

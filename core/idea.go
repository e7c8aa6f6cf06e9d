package core

import (
	"context"
	"time"
)

// IdeaStore keeps ideas and their votes.
type IdeaStore interface{}

// closeIdeas ends an ideas campaign.
func (s *Service) closeIdeas(ctx context.Context, c *Campaign, now time.Time) error {
	return s.closeSimply(ctx, c, now)
}

package core

import (
	"context"
	"time"
)

// Earning is what a member earned in one campaign and currency: contest prizes and
// used entries, accepted task answers.
type Earning struct {
	CampaignID int64
	Code       string
	Title      string
	Kind       Kind
	Amount     Money
	Count      int // how many credits make up the amount, less those taken back
}

// EarningsStore sums members' earnings. Kinds that pay write credits in the same
// transaction as the change that earns them.
type EarningsStore interface {
	// Earnings returns a member's earnings per campaign and currency, newest campaign
	// first.
	Earnings(ctx context.Context, memberID int64) ([]Earning, error)
}

// Earnings returns what the actor has earned.
func (s *Service) Earnings(ctx context.Context, actor Actor) ([]Earning, error) {
	return s.store.Earnings(ctx, actor.Member.ID)
}

// Referral records that a member came to a campaign through another member's link.
// The referrer is credited once, when the member first takes part.
type Referral struct {
	CampaignID int64
	MemberID   int64 // who came
	ReferrerID int64 // whose link they followed
	Via        string
	CreatedAt  time.Time
	CreditedAt *time.Time
}

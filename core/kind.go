package core

import (
	"context"
	"fmt"
	"time"
)

// kindRules is what each kind of campaign does where the house asks every kind the
// same thing. Each kind's entry is registered once, in kindTable; a kind without one
// of them is a test failure (TestEveryKindHasItsRules).
type kindRules struct {
	// finish ends a live campaign, in the way its kind ends.
	finish func(ctx context.Context, c *Campaign, now time.Time) error
	// progress sets the kind's field of p: how the campaign is going.
	progress func(ctx context.Context, c *Campaign, p *Progress) error
	// export lists the campaign's data for its admins.
	export func(ctx context.Context, c *Campaign) (*Table, error)
}

// kindTable registers each kind's rules, bound to s. NewService builds it once.
func (s *Service) kindTable() map[Kind]kindRules {
	return map[Kind]kindRules{
		KindIdeas: {
			finish: s.closeIdeas,
			progress: func(ctx context.Context, c *Campaign, p *Progress) (err error) {
				p.Ideas, err = s.ideasProgress(ctx, c)
				return err
			},
			export: s.exportIdeas,
		},
		KindPoll: {
			finish: s.closePoll,
			progress: func(ctx context.Context, c *Campaign, p *Progress) (err error) {
				p.Poll, err = s.pollProgress(ctx, c)
				return err
			},
			export: s.exportPoll,
		},
		KindContest: {
			finish: s.closeContest,
			progress: func(ctx context.Context, c *Campaign, p *Progress) (err error) {
				p.Contest, err = s.contestProgress(ctx, c)
				return err
			},
			export: s.exportContest,
		},
		KindFundraiser: {
			finish: s.settleFundraiser,
			progress: func(ctx context.Context, c *Campaign, p *Progress) (err error) {
				p.Fundraiser, err = s.fundraiserProgress(ctx, c)
				return err
			},
			export: s.exportFundraiser,
		},
		KindTasks: {
			finish: s.closeTasks,
			progress: func(ctx context.Context, c *Campaign, p *Progress) (err error) {
				p.Tasks, err = s.tasksProgress(ctx, c)
				return err
			},
			export: s.exportTasks,
		},
	}
}

// rules returns the rules of c's kind. A kind without rules is an internal error:
// Campaign.Validate lets no other kind be stored.
func (s *Service) rules(c *Campaign) (kindRules, error) {
	r, ok := s.kinds[c.Kind]
	if !ok {
		return kindRules{}, fmt.Errorf("no rules for kind %q", c.Kind)
	}
	return r, nil
}

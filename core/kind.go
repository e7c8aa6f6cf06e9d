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
			finish:   s.closeIdeas,
			progress: progressOf(s.ideasProgress, func(p *Progress, v *IdeasProgress) { p.Ideas = v }),
			export:   s.exportIdeas,
		},
		KindPoll: {
			finish:   s.closePoll,
			progress: progressOf(s.pollProgress, func(p *Progress, v *PollProgress) { p.Poll = v }),
			export:   s.exportPoll,
		},
		KindContest: {
			finish:   s.closeContest,
			progress: progressOf(s.contestProgress, func(p *Progress, v *ContestProgress) { p.Contest = v }),
			export:   s.exportContest,
		},
		KindFundraiser: {
			finish:   s.settleFundraiser,
			progress: progressOf(s.fundraiserProgress, func(p *Progress, v *FundraiserProgress) { p.Fundraiser = v }),
			export:   s.exportFundraiser,
		},
		KindTasks: {
			finish:   s.closeTasks,
			progress: progressOf(s.tasksProgress, func(p *Progress, v *TasksProgress) { p.Tasks = v }),
			export:   s.exportTasks,
		},
	}
}

// progressOf makes a progress rule of a kind's own progress function: get counts,
// set puts the counts in the kind's field of Progress.
func progressOf[T any](get func(context.Context, *Campaign) (*T, error), set func(*Progress, *T)) func(context.Context, *Campaign, *Progress) error {
	return func(ctx context.Context, c *Campaign, p *Progress) error {
		v, err := get(ctx, c)
		if err != nil {
			return err
		}
		set(p, v)
		return nil
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

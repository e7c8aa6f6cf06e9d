package core

import (
	"context"
	"fmt"
)

// Progress is how a campaign is going: the numbers every front end shows (posts,
// progress images, the web page and its JSON API). Exactly one of the kind fields is
// set, the one of the campaign's kind.
type Progress struct {
	Kind       Kind
	Ideas      *IdeasProgress
	Poll       *PollProgress
	Contest    *ContestProgress
	Fundraiser *FundraiserProgress
	Tasks      *TasksProgress
}

// IdeasProgress is an ideas board's progress.
type IdeasProgress struct {
	Ideas int    // visible ideas
	Votes int    // up-votes on them
	Top   []Idea // the five most voted
}

// PollProgress is a poll's progress. While results are hidden, Options carries the
// labels with zero votes and Hidden is true.
type PollProgress struct {
	Ballots int // members who voted
	Hidden  bool
	Options []OptionTally
}

// OptionTally is one poll option and its votes.
type OptionTally struct {
	Label string
	Votes int
}

// ContestProgress is a contest's progress.
type ContestProgress struct {
	Entries int
	Votes   int
	Winner  string // the winning entry's title, once there is one
}

// FundraiserProgress is a fundraiser's progress.
type FundraiserProgress struct {
	Raised  Money
	Goal    Money
	Spent   Money
	Backers int
	Percent int // raised over goal, rounded down; may pass 100
}

// TasksProgress is a task job's progress.
type TasksProgress struct {
	Items   int // items to answer
	Settled int // items with an agreed or accepted answer
	Answers int // answers that count: given and not rejected
	// Rejected are the answers that do not count: rejected by a reviewer, or wrong
	// answers to check (gold) items. Answers plus Rejected is every answer given, as
	// the CSV export lists them.
	Rejected int
	Flagged  int // items with all their answers and no agreement, waiting for review
}

// Progress returns how the campaign is going.
func (s *Service) Progress(ctx context.Context, c *Campaign) (*Progress, error) {
	p := &Progress{Kind: c.Kind}
	r, err := s.rules(c)
	if err == nil {
		err = r.progress(ctx, c, p)
	}
	if err != nil {
		return nil, fmt.Errorf("progress of %s: %w", c.Code, err)
	}
	return p, nil
}

// ideasProgress counts an ideas board and picks its top five.
func (s *Service) ideasProgress(ctx context.Context, c *Campaign) (*IdeasProgress, error) {
	ideas, votes, err := s.store.IdeaTotals(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	page, err := s.store.Ideas(ctx, c.ID, IdeaQuery{Sort: IdeasTop, Page: 1, PerPage: 5})
	if err != nil {
		return nil, err
	}
	return &IdeasProgress{Ideas: ideas, Votes: votes, Top: page.Ideas}, nil
}

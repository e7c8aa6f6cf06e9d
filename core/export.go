package core

import (
	"context"
	"fmt"
)

// Table is an export: a header and rows of text, written out as CSV by the front
// ends. Money is written in major units with its code ("12.50 EUR").
type Table struct {
	Name   string // file name without extension, e.g. "k7Fq2-pledges"
	Header []string
	Rows   [][]string
}

// Export returns a campaign's data for its admins: ideas, ballots (never for
// anonymous polls), entries, pledges or task answers, by kind.
func (s *Service) Export(ctx context.Context, actor Actor, code string) (*Table, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	r, err := s.rules(c)
	var t *Table
	if err == nil {
		t, err = r.export(ctx, c)
	}
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", c.Code, err)
	}
	return t, nil
}

// exportIdeas lists every idea with its author, votes, status and tags.
func (s *Service) exportIdeas(ctx context.Context, c *Campaign) (*Table, error) {
	t := &Table{Name: c.Code + "-ideas", Header: []string{"id", "author", "text", "status", "tags", "votes", "hidden", "merged_into", "created_at"}}
	for page := 1; ; page++ {
		p, err := s.store.AllIdeas(ctx, c.ID, page, 500)
		if err != nil {
			return nil, err
		}
		for _, row := range p {
			t.Rows = append(t.Rows, row)
		}
		if len(p) < 500 {
			return t, nil
		}
	}
}

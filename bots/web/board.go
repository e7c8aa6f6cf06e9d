package web

import (
	"context"
	"strings"

	"crowdbot/bots"
	"crowdbot/core"
)

// maxBoardEntries bounds the entries a contest's page lists, and maxLedger the
// expenses a fundraiser's page lists.
const (
	maxBoardEntries = 50
	maxLedger       = 50
)

// contestView is what a contest's page shows besides its progress: the prize and
// the rules, the phase and its deadlines, the entries and, at the end, the winner
// and what was paid.
type contestView struct {
	Type, Judging, Prize string
	Phase                string
	Blind                bool
	Deadlines            []labelled
	Hidden               bool // a blind contest taking entries: none is shown yet
	Entries              []entryView
	Total                int // the active entries
	More                 int // entries not listed
	Winner               *entryView
	Payouts              []payoutView
}

// labelled is a moment with what it is.
type labelled struct {
	Label string
	When  *deadline
}

// entryView is one entry on a contest's page.
type entryView struct {
	ID       int64 // the entry's number in its contest, as chat shows it
	Title    string
	Author   string // "" while authors stay hidden
	Text     string
	Link     string // the work's link, or its picture's
	Picture  bool   // Link is a picture to show
	Votes    string // "" while tallies stay hidden
	Finalist bool
	Award    string // translated: the winner, used by the brand; or ""
}

// payoutView is one payment of a contest.
type payoutView struct {
	Entry  string
	Author string
	Reason string
	Amount string
}

// contestBoard loads what the contest's page shows.
func (s *Adapter) contestBoard(ctx context.Context, locale string, c *core.Campaign) (*contestView, error) {
	b, err := s.svc.ContestBoard(ctx, c, maxBoardEntries)
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return s.router.T(locale, bots.M(key, args...)) }
	k := b.Contest
	v := &contestView{
		Type: s.word(locale, "contest.type.", string(k.Type)), Judging: s.word(locale, "contest.judging.", string(k.Judging)),
		Prize: k.Prize.Format(locale), Blind: k.Blind, Hidden: b.Hidden, Total: b.Total, More: b.Total - len(b.Entries),
	}
	switch {
	case c.State == core.StateOpen:
		v.Phase = t("web.contest.phase_open")
	case c.State == core.StateVoting && k.Round == 2:
		v.Phase = t("web.contest.phase_final")
	case c.State == core.StateVoting:
		v.Phase = t("web.contest.phase_voting")
	default:
		v.Phase = t("web.contest.phase_over", "state", string(c.State))
	}
	v.Deadlines = append(v.Deadlines, labelled{t("web.contest.entries_close"), stamp(k.EntriesCloseAt, c.TimeZone)})
	if k.FinalAt != nil {
		v.Deadlines = append(v.Deadlines, labelled{t("web.contest.final_at"), stamp(*k.FinalAt, c.TimeZone)})
	}
	if c.ClosesAt != nil {
		v.Deadlines = append(v.Deadlines, labelled{t("web.contest.voting_close"), deadlineOf(c)})
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		v.Entries = append(v.Entries, s.entryView(locale, c, b, e))
	}
	for _, p := range b.Payouts {
		v.Payouts = append(v.Payouts, payoutView{Entry: p.EntryTitle, Author: p.AuthorName,
			Reason: s.word(locale, "contest.payout.", p.Reason), Amount: p.Amount.Format(locale)})
	}
	if b.Winner != nil {
		w := s.entryView(locale, c, b, b.Winner)
		w.Author = b.Winner.AuthorName // the winner is named, blind or not
		v.Winner = &w
	}
	return v, nil
}

// entryView shows an entry as the public may see it.
func (s *Adapter) entryView(locale string, c *core.Campaign, b *core.ContestBoard, e *core.Entry) entryView {
	v := entryView{ID: e.Number, Title: e.Title, Text: e.Text, Finalist: e.Finalist && b.Contest.Round == 2}
	if b.ShowAuthors {
		v.Author = e.AuthorName
	}
	switch {
	case e.Kind == core.EntryLink && safeLink(e.Link):
		v.Link = e.Link
	case e.Kind == core.EntryImage && e.File != nil && safeLink(e.File.URL):
		v.Link, v.Picture = e.File.URL, true
	}
	if b.ShowVotes {
		v.Votes = s.router.T(locale, bots.M("web.count.votes", "count", e.Votes+e.FinalVotes))
	}
	switch e.Award {
	case core.AwardPrize:
		v.Award = s.router.T(locale, bots.M("contest.entry_winner"))
	case core.AwardUsedEntry:
		v.Award = s.router.T(locale, bots.M("contest.entry_used"))
	}
	return v
}

// safeLink reports whether a link may be shown on a page: http(s) only.
func safeLink(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// fundView is what a fundraiser's page shows besides its progress: the mode, the
// reward tiers with the room left, the stretch goals and the spending ledger.
type fundView struct {
	Mode    string
	Tiers   []tierView
	Stretch []stretchView
	Ledger  []expenseView
	Spent   string // "3 spent of 10 raised"
	Paid    string // a fundraiser paid in Stars: how much of the raised is paid; or ""
}

type tierView struct {
	Number      int
	Title       string
	Description string
	Min         string
	Left        string
	SoldOut     bool
}

type stretchView struct {
	Target      string
	Description string
	Reached     bool
}

type expenseView struct {
	When   *deadline
	Number int64
	Amount string
	What   string
	Struck bool   // corrected or removed: shown struck, never left out
	Note   string // translated: what became of a struck line, or which one it corrects
}

// fundBoard loads what the fundraiser's page shows.
func (s *Adapter) fundBoard(ctx context.Context, locale string, c *core.Campaign) (*fundView, error) {
	st, err := s.svc.FundStatus(ctx, core.Actor{}, c.Code)
	if err != nil {
		return nil, err
	}
	_, f, list, err := s.svc.Ledger(ctx, c.Code, maxLedger)
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return s.router.T(locale, bots.M(key, args...)) }
	v := &fundView{Mode: s.word(locale, "fund.mode.", string(f.Mode)),
		Spent: t("web.fund.spent", "spent", f.Spent, "raised", f.Raised)}
	if f.Payment == core.PayStars {
		v.Paid = t("fund.status_stars", "paid", f.Paid, "raised", f.Raised)
	}
	for i := range st.Tiers {
		tier := &st.Tiers[i]
		tv := tierView{Number: tier.Number, Title: tier.Title, Description: tier.Description, Min: tier.Min.Format(locale), SoldOut: tier.SoldOut()}
		switch {
		case !c.State.Live():
			// the places left matter only while pledges are taken
		case tier.Limit == 0:
			tv.Left = t("fund.tier_unlimited")
		case tier.SoldOut():
			tv.Left = t("fund.tier_sold_out", "limit", tier.Limit)
		default:
			tv.Left = t("fund.tier_left", "count", tier.Left(), "limit", tier.Limit)
		}
		v.Tiers = append(v.Tiers, tv)
	}
	for _, g := range st.Stretch {
		v.Stretch = append(v.Stretch, stretchView{Target: g.Target.Format(locale), Description: g.Description,
			Reached: f.Raised.Amount >= g.Target.Amount})
	}
	for _, e := range list {
		ev := expenseView{When: stamp(e.CreatedAt, c.TimeZone), Number: e.Number, Amount: e.Amount.Format(locale), What: e.What,
			Struck: e.StruckAt != nil}
		switch {
		case e.StruckAt != nil && e.CorrectedBy != 0:
			ev.Note = t("web.fund.corrected_by", "by", e.CorrectedBy)
		case e.StruckAt != nil:
			ev.Note = t("web.fund.removed")
		case e.Corrects != 0:
			ev.Note = t("web.fund.corrects", "corrects", e.Corrects)
		}
		v.Ledger = append(v.Ledger, ev)
	}
	return v, nil
}

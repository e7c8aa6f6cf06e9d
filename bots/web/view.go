package web

import (
	"context"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
)

// campaignJSON is one campaign in the JSON API.
type campaignJSON struct {
	Code     string     `json:"code"`
	Kind     string     `json:"kind"`
	Title    string     `json:"title"`
	State    string     `json:"state"`
	ClosesAt *time.Time `json:"closes_at"`
	Progress any        `json:"progress"`
}

// The progress of each kind in the JSON API; money is in minor units.
type (
	ideasJSON struct {
		Ideas int `json:"ideas"`
		Votes int `json:"votes"`
	}
	pollJSON struct {
		Ballots int          `json:"ballots"`
		Hidden  bool         `json:"hidden,omitempty"`
		Options []optionJSON `json:"options"`
	}
	// optionJSON has no votes while the poll's results are hidden.
	optionJSON struct {
		Label string `json:"label"`
		Votes *int   `json:"votes,omitempty"`
	}
	contestJSON struct {
		Entries int `json:"entries"`
		Votes   int `json:"votes"`
	}
	fundraiserJSON struct {
		Raised   int64  `json:"raised"`
		Goal     int64  `json:"goal"`
		Currency string `json:"currency"`
		Backers  int    `json:"backers"`
		Percent  int    `json:"percent"`
	}
	tasksJSON struct {
		Items   int `json:"items"`
		Settled int `json:"settled"`
		Answers int `json:"answers"`
	}
)

// toJSON returns a campaign and its progress as the JSON API shows them.
func toJSON(c *core.Campaign, p *core.Progress) campaignJSON {
	out := campaignJSON{Code: c.Code, Kind: string(c.Kind), Title: c.Title, State: string(c.State), Progress: progressJSON(c.Kind, p)}
	if c.ClosesAt != nil {
		t := c.ClosesAt.UTC().Truncate(time.Second)
		out.ClosesAt = &t
	}
	return out
}

// progressJSON returns the progress object of a kind; a kind that reports nothing yet
// shows zeros, so the shape never changes.
func progressJSON(k core.Kind, p *core.Progress) any {
	if p == nil {
		p = &core.Progress{Kind: k}
	}
	switch k {
	case core.KindPoll:
		out := pollJSON{Options: []optionJSON{}}
		if v := p.Poll; v != nil {
			out.Ballots, out.Hidden = v.Ballots, v.Hidden
			for _, o := range v.Options {
				opt := optionJSON{Label: o.Label}
				if !v.Hidden {
					votes := o.Votes
					opt.Votes = &votes
				}
				out.Options = append(out.Options, opt)
			}
		}
		return out
	case core.KindContest:
		if v := p.Contest; v != nil {
			return contestJSON{Entries: v.Entries, Votes: v.Votes}
		}
		return contestJSON{}
	case core.KindFundraiser:
		if v := p.Fundraiser; v != nil {
			return fundraiserJSON{Raised: v.Raised.Amount, Goal: v.Goal.Amount, Currency: currencyOf(v), Backers: v.Backers, Percent: v.Percent}
		}
		return fundraiserJSON{}
	case core.KindTasks:
		if v := p.Tasks; v != nil {
			return tasksJSON{Items: v.Items, Settled: v.Settled, Answers: v.Answers}
		}
		return tasksJSON{}
	default:
		if v := p.Ideas; v != nil {
			return ideasJSON{Ideas: v.Ideas, Votes: v.Votes}
		}
		return ideasJSON{}
	}
}

func currencyOf(f *core.FundraiserProgress) string {
	if f.Goal.Currency != "" {
		return f.Goal.Currency
	}
	return f.Raised.Currency
}

// progressView is a campaign's progress as a page shows it, in one language.
type progressView struct {
	// Summary is one line of numbers: "3 ideas · 5 votes".
	Summary string
	// Bar is the progress bar, when the kind has something to fill one with.
	Bar *bar
	// Top is an ideas board's most voted ideas.
	Top []core.Idea
	// Options are a poll's options with their share of the votes.
	Options []optionView
	Hidden  bool
}

// bar is a progress bar: how full, and what it measures.
type bar struct {
	Percent int // 0 to 100, for the bar's width
	Label   string
}

// optionView is one poll option on a page.
type optionView struct {
	Label   string
	Votes   int
	Percent int
}

// view renders a campaign's progress for a page in locale.
func (s *Server) view(locale string, c *core.Campaign, p *core.Progress) progressView {
	t := func(key string, args ...any) string { return s.router.T(locale, bots.M(key, args...)) }
	var v progressView
	if p == nil {
		p = &core.Progress{Kind: c.Kind}
	}
	switch c.Kind {
	case core.KindPoll:
		pp := p.Poll
		if pp == nil {
			pp = &core.PollProgress{}
		}
		v.Summary = t("web.count.ballots", "count", pp.Ballots)
		v.Hidden = pp.Hidden
		counts := make([]int, len(pp.Options))
		for i, o := range pp.Options {
			counts[i] = o.Votes
		}
		shares := core.Shares(counts)
		for i, o := range pp.Options {
			v.Options = append(v.Options, optionView{Label: o.Label, Votes: o.Votes, Percent: shares[i]})
		}
	case core.KindContest:
		cp := p.Contest
		if cp == nil {
			cp = &core.ContestProgress{}
		}
		v.Summary = t("web.count.entries", "count", cp.Entries) + " · " + t("web.count.votes", "count", cp.Votes)
	case core.KindFundraiser:
		fp := p.Fundraiser
		if fp == nil {
			fp = &core.FundraiserProgress{}
		}
		v.Summary = t("web.count.backers", "count", fp.Backers)
		label := t("web.raised", "raised", fp.Raised, "goal", fp.Goal, "percent", fp.Percent)
		if fp.Spent.Amount > 0 {
			label += " · " + t("web.spent", "spent", fp.Spent)
		}
		v.Bar = &bar{Percent: clamp(fp.Percent), Label: label}
	case core.KindTasks:
		tp := p.Tasks
		if tp == nil {
			tp = &core.TasksProgress{}
		}
		v.Summary = t("web.count.answers", "count", tp.Answers)
		pct := 0
		if tp.Items > 0 {
			pct = tp.Settled * 100 / tp.Items
		}
		v.Bar = &bar{Percent: pct, Label: t("web.settled", "settled", tp.Settled, "count", tp.Items)}
	default:
		ip := p.Ideas
		if ip == nil {
			ip = &core.IdeasProgress{}
		}
		v.Summary = t("web.count.ideas", "count", ip.Ideas) + " · " + t("web.count.votes", "count", ip.Votes)
		v.Top = ip.Top
	}
	if v.Bar == nil {
		v.Bar = s.timeBar(locale, c)
	}
	return v
}

// timeBar measures how much of a campaign's time has passed, for kinds without a goal.
func (s *Server) timeBar(locale string, c *core.Campaign) *bar {
	if c.ClosesAt == nil || !c.ClosesAt.After(c.OpensAt) {
		return nil
	}
	total := c.ClosesAt.Sub(c.OpensAt)
	gone := s.svc.Now().Sub(c.OpensAt)
	pct := clamp(int(gone * 100 / total))
	if c.State.Final() {
		pct = 100
	}
	return &bar{Percent: pct, Label: s.router.T(locale, bots.M("web.time_passed", "percent", pct))}
}

func clamp(pct int) int { return max(0, min(100, pct)) }

// deadline is a campaign's close as a page shows it: UTC for the visitor's browser to
// convert, and the campaign's own zone for browsers without scripts.
type deadline struct {
	UTC   string // RFC 3339
	Local string // in the campaign's time zone
}

func deadlineOf(c *core.Campaign) *deadline {
	if c.ClosesAt == nil {
		return nil
	}
	t := *c.ClosesAt
	if loc, err := core.LoadZone(c.TimeZone); err == nil {
		t = t.In(loc)
	}
	return &deadline{UTC: c.ClosesAt.UTC().Format(time.RFC3339), Local: t.Format("2006-01-02 15:04 MST")}
}

// campaignRow is a campaign with its progress, for the lists.
type campaignRow struct {
	C        core.Campaign
	Kind     string // translated
	State    string // translated
	Progress progressView
	Deadline *deadline
}

// rows loads the progress of each campaign and renders it for locale.
func (s *Server) rows(ctx context.Context, locale string, list []core.Campaign) ([]campaignRow, error) {
	out := make([]campaignRow, 0, len(list))
	for i := range list {
		c := &list[i]
		p, err := s.svc.Progress(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, s.row(locale, c, p))
	}
	return out, nil
}

func (s *Server) row(locale string, c *core.Campaign, p *core.Progress) campaignRow {
	return campaignRow{
		C:        *c,
		Kind:     s.word(locale, "kind.", string(c.Kind)),
		State:    s.word(locale, "state.", string(c.State)),
		Progress: s.view(locale, c, p),
		Deadline: deadlineOf(c),
	}
}

// publicStates are the states a campaign is listed in; drafts are not public yet.
var publicStates = []core.State{core.StateOpen, core.StateVoting, core.StateClosed, core.StateFunded, core.StateFailed, core.StateCancelled}

// word translates a raw value that has a message of its own (a kind, a state), or
// shows it as is when it has none.
func (s *Server) word(locale, prefix, v string) string {
	if cat := s.router.Catalog(); cat.Has(prefix + v) {
		return cat.T(locale, prefix+v, nil)
	}
	return v
}

package web

import (
	"context"
	"strings"
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
	EndedAt  *time.Time `json:"ended_at,omitempty"` // once it is over
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
		Entries int    `json:"entries"`
		Votes   int    `json:"votes"`
		Winner  string `json:"winner,omitempty"` // the winning entry's title
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
	if c.EndedAt != nil && c.State.Final() {
		t := c.EndedAt.UTC().Truncate(time.Second)
		out.EndedAt = &t
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
			return contestJSON{Entries: v.Entries, Votes: v.Votes, Winner: v.Winner}
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
	Top []ideaView
	// MoreIdeas counts the ideas a page does not list.
	MoreIdeas int
	// Options are a poll's options with their share of the votes.
	Options []optionView
	Hidden  bool
	// Outcome is how a campaign that is over ended, in a line: the winner, funded or
	// not, the items done; "" while it runs.
	Outcome string
	// Failed marks an outcome that is not a success (not funded, cancelled).
	Failed bool
}

// ideaView is one idea on a page, with its status and tags.
type ideaView struct {
	ID     int64 // the idea's number in its campaign, as chat shows it
	Text   string
	Votes  int
	Status string // translated
	Done   bool   // the status is a final one (done, declined)
	Tags   []string
	// Comments counts the idea's visible comments; Discussion holds the latest of
	// them, on a campaign's page, and Earlier counts those it leaves out.
	Comments   int
	Discussion []commentView
	Earlier    int
}

// commentView is one comment under an idea on a page.
type commentView struct {
	ID   int64 // the comment's number on its idea
	Name string
	Text string
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
func (s *Adapter) view(locale string, c *core.Campaign, p *core.Progress) progressView {
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
		v.Top = s.ideaViews(locale, ip.Top)
	}
	if c.State.Final() {
		v.Outcome, v.Failed = s.outcome(locale, c, p)
	} else if v.Bar == nil {
		// a campaign that is over has no time left to measure
		v.Bar = s.timeBar(locale, c)
	}
	return v
}

// ideaViews shows ideas with their translated statuses.
func (s *Adapter) ideaViews(locale string, ideas []core.Idea) []ideaView {
	out := make([]ideaView, 0, len(ideas))
	for _, idea := range ideas {
		out = append(out, ideaView{ID: idea.Number, Text: idea.Text, Votes: idea.Votes,
			Status: s.word(locale, "idea.status.", string(idea.Status)), Tags: idea.Tags,
			Done: idea.Status == core.IdeaDone || idea.Status == core.IdeaDeclined, Comments: idea.Comments})
	}
	return out
}

// outcome says in a line how a campaign that is over ended, and whether that is a
// failure (a fundraiser not funded, a campaign cancelled).
func (s *Adapter) outcome(locale string, c *core.Campaign, p *core.Progress) (string, bool) {
	t := func(key string, args ...any) string { return s.router.T(locale, bots.M(key, args...)) }
	switch {
	case c.Kind == core.KindFundraiser && c.State == core.StateFunded:
		return t("fund.outcome_funded"), false
	case c.Kind == core.KindFundraiser && c.State == core.StateFailed:
		return t("fund.outcome_failed"), true
	case c.Kind == core.KindFundraiser && c.State == core.StateCancelled:
		return t("fund.outcome_cancelled"), true
	case c.State == core.StateCancelled:
		return t("web.outcome.cancelled"), true
	case c.Kind == core.KindFundraiser:
		return t("fund.outcome_closed"), false
	case p.Poll != nil:
		return pollOutcome(t, p.Poll), false
	case p.Contest != nil && p.Contest.Winner != "":
		return t("web.outcome.contest_winner", "entry", p.Contest.Winner), false
	case p.Contest != nil:
		return t("contest.summary_no_winner"), false
	case p.Tasks != nil:
		pct := 0
		if p.Tasks.Items > 0 {
			pct = p.Tasks.Settled * 100 / p.Tasks.Items
		}
		return t("tasks.summary_final", "settled", p.Tasks.Settled, "count", p.Tasks.Items, "percent", pct), false
	case p.Ideas != nil:
		top := ""
		if len(p.Ideas.Top) > 0 && p.Ideas.Top[0].Votes > 0 {
			top = p.Ideas.Top[0].Text
		}
		return t("web.outcome.ideas", "count", p.Ideas.Ideas, "top", top), false
	}
	return "", false
}

// pollOutcome names a closed poll's winner, its tie, or that nobody voted.
func pollOutcome(t func(string, ...any) string, p *core.PollProgress) string {
	best := 0
	for _, o := range p.Options {
		best = max(best, o.Votes)
	}
	if best == 0 || p.Hidden {
		return t("poll.no_votes")
	}
	var top []string
	for _, o := range p.Options {
		if o.Votes == best {
			top = append(top, o.Label)
		}
	}
	if len(top) == 1 {
		return t("poll.winner", "label", top[0])
	}
	return t("poll.tie", "labels", strings.Join(top, ", "))
}

// timeBar measures how much of a campaign's time has passed, for kinds without a goal.
func (s *Adapter) timeBar(locale string, c *core.Campaign) *bar {
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

// deadline is a moment as a page shows it: UTC for the visitor's browser to
// convert, and the campaign's own zone, named, for browsers without scripts.
type deadline struct {
	UTC   string // RFC 3339
	Local string // in the campaign's time zone, with the zone's name
}

func deadlineOf(c *core.Campaign) *deadline {
	if c.ClosesAt == nil {
		return nil
	}
	return stamp(*c.ClosesAt, c.TimeZone)
}

// stamp shows a moment in a time zone.
func stamp(t time.Time, tz string) *deadline {
	local := t
	if loc, err := core.LoadZone(tz); err == nil {
		local = t.In(loc)
	}
	return &deadline{UTC: t.UTC().Format(time.RFC3339), Local: local.Format("2006-01-02 15:04 MST")}
}

// ended is when a campaign that is over ended, and the deadline it had when that
// was before it.
type ended struct {
	At      *deadline
	Planned *deadline // nil unless it ended before its deadline
}

func endedOf(c *core.Campaign) *ended {
	if !c.State.Final() || c.EndedAt == nil {
		return nil
	}
	e := &ended{At: stamp(*c.EndedAt, c.TimeZone)}
	if c.EndedEarly() {
		e.Planned = deadlineOf(c)
	}
	return e
}

// campaignRow is a campaign with its progress, for the lists.
type campaignRow struct {
	C        core.Campaign
	Kind     string // translated
	State    string // translated
	Progress progressView
	Deadline *deadline
	Ended    *ended // when it ended, once it is over
}

// rows loads the progress of each campaign and renders it for locale.
func (s *Adapter) rows(ctx context.Context, locale string, list []core.Campaign) ([]campaignRow, error) {
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

func (s *Adapter) row(locale string, c *core.Campaign, p *core.Progress) campaignRow {
	return campaignRow{
		C:        *c,
		Kind:     s.word(locale, "kind.", string(c.Kind)),
		State:    s.word(locale, "state.", string(c.State)),
		Progress: s.view(locale, c, p),
		Deadline: deadlineOf(c),
		Ended:    endedOf(c),
	}
}

// publicStates are the states a campaign is listed in; drafts are not public yet.
var publicStates = []core.State{core.StateOpen, core.StateVoting, core.StateClosed, core.StateFunded, core.StateFailed, core.StateCancelled}

// word translates a raw value that has a message of its own (a kind, a state), or
// shows it as is when it has none.
func (s *Adapter) word(locale, prefix, v string) string {
	if cat := s.router.Catalog(); cat.Has(prefix + v) {
		return cat.T(locale, prefix+v, nil)
	}
	return v
}

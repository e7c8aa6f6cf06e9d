package bots

import (
	"context"
	"strconv"
	"strings"

	"crowdbot/core"
)

// pollBarCells is the width of the text bars on a poll card.
const pollBarCells = 10

// pollCommands lists the commands of the poll area.
func (r *Router) pollCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	return []*Spec{
		{Name: "poll", Params: []Param{code}, Run: r.pollShow},
		{Name: "poll", Sub: "new", Admin: true, Params: []Param{
			{Name: "question", Type: ParamString, Required: true},
			{Name: "option", Type: ParamString, Required: true, Repeat: core.MaxPollOptions},
			{Name: "multi", Type: ParamInt, Option: true},
			{Name: "anonymous", Type: ParamFlag},
			{Name: "hidden", Type: ParamFlag},
			{Name: "closes", Type: ParamDuration, Option: true},
			{Name: "limit", Type: ParamInt, Option: true},
			{Name: "tz", Type: ParamString, Option: true},
		}, Run: r.pollNew},
		{Name: "poll", Sub: "results", Read: true, Params: []Param{code}, Run: r.pollResults},
		{Name: "poll", Sub: "close", Admin: true, Params: []Param{code}, Run: r.pollClose},
		{Name: "poll", Sub: "post", Admin: true, Params: []Param{code}, Run: r.pollPost},
	}
}

// pollActions lists the button actions of the poll area.
func (r *Router) pollActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		// pv:<code>:<option index>: add the option to the member's ballot, or take it out
		"pv": r.pollVote,
	}
}

// pollCards lists the announcement cards of the poll area.
func (r *Router) pollCards() map[string]CardFunc {
	return map[string]CardFunc{
		// the poll with its tally and vote buttons, posted at the start and refreshed
		"poll.card": func(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
			c, p, err := r.pollByID(ctx, a.CampaignID)
			if err != nil {
				return Reply{}, err
			}
			return r.pollCard(c, p), nil
		},
		// the final result with its chart, posted at the close
		"poll.result": func(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
			c, p, err := r.pollByID(ctx, a.CampaignID)
			if err != nil {
				return Reply{}, err
			}
			rep := r.pollCard(c, p)
			rep.Image = ProgressImage(c.Code)
			return rep, nil
		},
	}
}

func (r *Router) pollByID(ctx context.Context, id int64) (*core.Campaign, *core.Poll, error) {
	c, err := r.svc.CampaignByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := r.svc.PollOf(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// posted reports whether the actor's channel is linked to what they create, so that
// announcements reach it; the web playground has no channel to post to, so it is
// answered with the card itself.
func posted(req *Request) bool {
	return req.Actor.Space.Platform != core.Web && req.Actor.Channel != ""
}

// positive reads a whole number above zero, or returns -1, which core refuses with
// the option's own message.
func positive(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return -1
	}
	return n
}

// pollFlag reads a bare flag ("anonymous") or name=true|false, refusing a value it
// cannot read: "anonymous=yes" must not quietly make a public poll.
func pollFlag(cmd *Command, name string) (bool, error) {
	if v, ok := cmd.Opts[name]; ok && v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return false, core.Errorf(core.EINVALID, "error.poll_bad_flag", "option", name, "text", v)
		}
	}
	return cmd.Flag(name), nil
}

func (r *Router) pollNew(ctx context.Context, req *Request) ([]Reply, error) {
	in, err := r.pollInput(req)
	if err != nil {
		return nil, err
	}
	return r.makePoll(ctx, req, in)
}

// pollInput reads /poll new's arguments and options.
func (r *Router) pollInput(req *Request) (core.NewPoll, error) {
	cmd := req.Cmd
	anonymous, err := pollFlag(cmd, "anonymous")
	if err != nil {
		return core.NewPoll{}, err
	}
	hidden, err := pollFlag(cmd, "hidden")
	if err != nil {
		return core.NewPoll{}, err
	}
	in := core.NewPoll{Anonymous: anonymous, Hidden: hidden, TimeZone: cmd.Opts["tz"]}
	in.Question = cmd.Arg(0)
	for i := 1; i < cmd.NArg(); i++ {
		in.Options = append(in.Options, cmd.Arg(i))
	}
	if v, ok := cmd.Opts["multi"]; ok {
		in.Multi = positive(v)
	}
	if v, ok := cmd.Opts["limit"]; ok {
		in.Limit = positive(v)
	}
	closes, err := r.optDeadline(req, "closes", in.TimeZone)
	if err != nil {
		return core.NewPoll{}, err
	}
	in.ClosesAt = closes
	return in, nil
}

// makePoll creates a poll and answers the admin.
func (r *Router) makePoll(ctx context.Context, req *Request, in core.NewPoll) ([]Reply, error) {
	c, p, err := r.svc.CreatePoll(ctx, req.Actor, in)
	if err != nil {
		return nil, err
	}
	if !posted(req) {
		return replies(r.pollCard(c, p))
	}
	// the card itself is posted in this channel; the confirmation is for the admin
	rep := reply("poll.created", "code", c.Code, "question", p.Question)
	rep.Ephemeral = true
	if c.ClosesAt != nil {
		rep.Lines = append(rep.Lines, M("poll.closes", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
	}
	return replies(rep)
}

func (r *Router) pollShow(ctx context.Context, req *Request) ([]Reply, error) {
	c, p, err := r.svc.Poll(ctx, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	return replies(r.pollCard(c, p))
}

func (r *Router) pollResults(ctx context.Context, req *Request) ([]Reply, error) {
	c, p, err := r.svc.Poll(ctx, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	rep := r.pollCard(c, p)
	rep.Image = ProgressImage(c.Code)
	return replies(rep)
}

func (r *Router) pollClose(ctx context.Context, req *Request) ([]Reply, error) {
	c, err := r.svc.ClosePoll(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	if !posted(req) {
		p, err := r.svc.PollOf(ctx, c)
		if err != nil {
			return nil, err
		}
		rep := r.pollCard(c, p)
		rep.Image = ProgressImage(c.Code)
		return replies(rep)
	}
	return replies(Reply{Msg: M("poll.closed", "code", c.Code, "question", c.Title), Ephemeral: true})
}

func (r *Router) pollPost(ctx context.Context, req *Request) ([]Reply, error) {
	c, err := r.svc.PostPoll(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	return replies(Reply{Msg: M("poll.posted", "code", c.Code), Ephemeral: true})
}

func (r *Router) pollVote(ctx context.Context, req *Request) ([]Reply, error) {
	c, held, p, err := r.svc.Vote(ctx, &req.Actor, req.Act.Field(0), int(req.Act.Int(1)))
	if err != nil {
		return nil, err
	}
	toast := Reply{Msg: M("poll.withdrawn"), Toast: true, Ephemeral: true}
	if len(held) > 0 {
		labels := make([]string, len(held))
		for i, o := range held {
			labels[i] = o.Label
		}
		toast.Msg = M("poll.voted", "choices", strings.Join(labels, ", "), "count", len(held))
	}
	// the pressed card shows the new tally at once
	card := r.pollCard(c, p)
	card.Edit = true
	if req.In.Private || req.In.Platform == core.Web {
		// the member alone sees this card: it marks their own choice
		markChoices(&card, held)
	} else {
		// everyone sees a card in a group: it marks nobody's choice, and a platform
		// whose edits spend the chat's rate may leave it to the Refresher, which
		// brings posted cards up to date in coalesced passes
		card.Refresh = true
	}
	return replies(card, toast)
}

// markChoices marks the options a member holds on their own view of a poll card.
func markChoices(card *Reply, held []core.PollOption) {
	mine := map[int]bool{}
	for _, o := range held {
		mine[o.Index] = true
	}
	for _, row := range card.Buttons {
		for i := range row {
			if n, ok := row[i].Args["n"].(int); ok && mine[n-1] {
				row[i].Key = "poll.button_chosen"
			}
		}
	}
}

// pollCard shows a poll: its question, options with their tally (left out while a
// hidden poll is open), its rules, its deadline or outcome, and vote buttons while it
// is open.
func (r *Router) pollCard(c *core.Campaign, p *core.Poll) Reply {
	key := "poll.card"
	if c.State == core.StateClosed {
		key = "poll.result"
	}
	rep := reply(key, "question", p.Question, "code", c.Code)
	counts := make([]int, len(p.Options))
	for i, o := range p.Options {
		counts[i] = o.Votes
	}
	shares := core.Shares(counts)
	for i, o := range p.Options {
		n := o.Index + 1
		if p.Masked {
			rep.Lines = append(rep.Lines, M("poll.option_hidden", "n", n, "label", o.Label))
			continue
		}
		percent := shares[i]
		filled := min(pollBarCells, (percent*pollBarCells+50)/100)
		bar := strings.Repeat("█", filled) + strings.Repeat("░", pollBarCells-filled)
		if p.Limit > 0 {
			rep.Lines = append(rep.Lines, M("poll.option_limit", "n", n, "label", o.Label, "votes", o.Votes, "limit", p.Limit, "percent", percent, "bar", bar))
		} else {
			rep.Lines = append(rep.Lines, M("poll.option", "n", n, "label", o.Label, "votes", o.Votes, "percent", percent, "bar", bar))
		}
	}
	rep.Lines = append(rep.Lines, M("poll.voters", "count", p.Ballots, "code", c.Code))
	if p.Multi > 1 {
		rep.Lines = append(rep.Lines, M("poll.rule_multi", "max", p.Multi))
	}
	if p.Limit > 0 {
		rep.Lines = append(rep.Lines, M("poll.rule_limit", "count", p.Limit))
	}
	if p.Anonymous {
		rep.Lines = append(rep.Lines, M("poll.rule_anonymous"))
	}
	if p.Masked {
		rep.Lines = append(rep.Lines, M("poll.rule_hidden"))
	}
	switch c.State {
	case core.StateOpen:
		if c.ClosesAt != nil {
			rep.Lines = append(rep.Lines, M("poll.closes", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
		}
		rep.Buttons = pollButtons(c, p)
	case core.StateClosed:
		rep.Lines = append(rep.Lines, M("poll.state_closed"), pollOutcome(p))
	case core.StateCancelled:
		rep.Lines = append(rep.Lines, M("poll.state_cancelled"))
	}
	return rep
}

// pollOutcome is a closed poll's result: its winner, a tie, or nobody voted.
func pollOutcome(p *core.Poll) Msg {
	switch w := p.Winners(); {
	case len(w) == 0:
		return M("poll.no_votes")
	case len(w) == 1:
		return M("poll.winner", "label", w[0].Label)
	default:
		labels := make([]string, len(w))
		for i, o := range w {
			labels[i] = o.Label
		}
		return M("poll.tie", "labels", strings.Join(labels, ", "))
	}
}

// pollButtons lays out one vote button per option: one per row while they fit
// Discord's five rows, two per row past that.
func pollButtons(c *core.Campaign, p *core.Poll) [][]Button {
	per := 1
	if len(p.Options) > 5 {
		per = 2
	}
	var rows [][]Button
	for i, o := range p.Options {
		b := Button{Msg: M("poll.button", "n", o.Index+1, "label", o.Label), Action: ActionID("pv", c.Code, o.Index)}
		if i%per == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], b)
	}
	return rows
}

// pollSummary is the poll's lines of /campaign show.
func (r *Router) pollSummary(ctx context.Context, req *Request, c *core.Campaign) ([]Msg, error) {
	p, err := r.svc.PollOf(ctx, c)
	if err != nil {
		return nil, err
	}
	lines := []Msg{M("poll.summary", "count", p.Ballots)}
	switch {
	case c.State == core.StateClosed:
		lines = append(lines, pollOutcome(p))
	case p.Masked:
		lines = append(lines, M("poll.rule_hidden"))
	}
	return lines, nil
}

package bots

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"crowdbot/core"
)

// fundBackersShown bounds the backers /backers lists; the CSV has them all.
const fundBackersShown = 20

// fundLedgerShown bounds the expenses /fund ledger lists.
const fundLedgerShown = 20

// fundLabel bounds a tier's title on its button (Discord labels hold 80 characters).
const fundLabel = 48

// fundPreview bounds the descriptions and ledger lines a list shows, so that a status
// with every tier still fits one message.
const fundPreview = 120

func (r *Router) fundraiserCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	modes := make([]string, len(core.FundModes))
	for i, m := range core.FundModes {
		modes[i] = string(m)
	}
	return []*Spec{
		{Name: "fund", Params: []Param{code}, Run: r.fundStatus},
		{Name: "fund", Sub: "new", Admin: true, Params: []Param{
			{Name: "title", Type: ParamString, Required: true},
			{Name: "description", Type: ParamText},
			{Name: "goal", Type: ParamAmount, Required: true, Option: true},
			{Name: "closes", Type: ParamDuration, Required: true, Option: true},
			{Name: "mode", Type: ParamString, Option: true, Choices: modes},
			{Name: "tz", Type: ParamString, Option: true},
			{Name: "pay", Type: ParamString, Option: true, Choices: []string{"promise", "stars"}},
		}, Run: r.fundNew},
		{Name: "fund", Sub: "status", Read: true, Params: []Param{code}, Run: r.fundStatus},
		{Name: "fund", Sub: "ledger", Read: true, Params: []Param{code}, Run: r.fundLedger},
		{Name: "fund", Sub: "stretch", Admin: true, Params: []Param{code,
			{Name: "target", Type: ParamAmount, Required: true},
			{Name: "description", Type: ParamText, Required: true},
		}, Run: r.fundStretch},
		{Name: "tier", Sub: "add", Admin: true, Params: []Param{code,
			{Name: "title", Type: ParamString, Required: true},
			{Name: "min", Type: ParamAmount, Required: true, Option: true},
			{Name: "limit", Type: ParamInt, Option: true},
			{Name: "description", Type: ParamText},
		}, Run: r.tierAdd},
		{Name: "pledge", Submit: true, Later: true, Params: []Param{code,
			{Name: "amount", Type: ParamAmount, Required: true},
			{Name: "tier", Type: ParamString},
		}, Run: r.pledge},
		{Name: "pledge", Sub: "cancel", Params: []Param{code}, Run: r.pledgeCancel},
		{Name: "expense", Sub: "add", Admin: true, Params: []Param{code,
			{Name: "amount", Type: ParamAmount, Required: true},
			{Name: "what", Type: ParamText, Required: true},
		}, Run: r.expenseAdd},
		{Name: "backers", Admin: true, Params: []Param{code, {Name: "csv", Type: ParamFlag}}, Run: r.backers},
	}
}

func (r *Router) fundraiserActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		// fs:<code>: the fundraiser's status, with its pledge buttons
		"fs": func(ctx context.Context, req *Request) ([]Reply, error) {
			rep, err := r.fundStatusReply(ctx, req, req.Act.Field(0))
			if err != nil {
				return nil, err
			}
			rep.Ephemeral = true
			return replies(rep)
		},
		// ft:<code>:<tier number>: ask for the amount to pledge for a tier (0 for
		// none); answered with the amount
		"ft": r.fundTierPressed,
	}
}

// fundraiserCards render the fundraiser's announcements: the amounts the outbox kept
// as JSON become money again, shown in each reader's format, and the progress image
// and a status button come along.
func (r *Router) fundraiserCards() map[string]CardFunc {
	card := func(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
		rep := Reply{Msg: Msg{Key: a.Key, Args: fundMoneyArgs(a.Args)}}
		code, _ := a.Args["code"].(string)
		if a.Image == "progress" && code != "" {
			rep.Image = ProgressImage(code)
		}
		switch a.Key {
		case "announce.fund_milestone", "announce.fund_goal_reached", "announce.fund_stretch":
			// posted while the fundraiser runs: one press shows it with its pledge
			// buttons; a post that goes out after the close invites no pledge
			c, err := r.svc.CampaignByID(ctx, a.CampaignID)
			if err != nil {
				return Reply{}, err
			}
			if c.State.Live() {
				rep.Buttons = [][]Button{{{Msg: M("fund.button_status"), Action: ActionID("fs", code), Style: StyleSuccess}}}
			}
		}
		return rep, nil
	}
	cards := map[string]CardFunc{}
	for _, key := range []string{"announce.fund_milestone", "announce.fund_goal_reached", "announce.fund_stretch",
		"announce.fund_funded", "announce.fund_failed", "announce.fund_closed",
		"notice.fund_funded", "notice.fund_failed", "notice.fund_closed",
		"announce.fund_failed_stars", "notice.fund_funded_stars", "notice.fund_failed_stars", "notice.fund_closed_stars"} {
		cards[key] = card
	}
	return cards
}

// fundMoneyArgs returns args with the amounts an outbox row kept as JSON objects
// made core.Money again, and whole numbers made integers again, so that they render
// as money and counts.
func fundMoneyArgs(args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		switch v := v.(type) {
		case map[string]any:
			cur, okc := v["Currency"].(string)
			amount, oka := jsonInt(v["Amount"])
			if okc && oka {
				out[k] = core.Money{Amount: amount, Currency: cur}
				continue
			}
		case float64, json.Number:
			if n, ok := jsonInt(v); ok {
				out[k] = n
				continue
			}
		}
		out[k] = v
	}
	return out
}

func jsonInt(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// fundAmountArg reads the amount at positional argument i: one word ("12.50",
// "12,50€", a quoted "12,50 €"), or a number and a currency word beside it ("12.50
// EUR", "€ 12"). It returns the amount as typed and the index after it.
func fundAmountArg(cmd *Command, i int) (string, int) {
	a := cmd.Arg(i)
	if i+1 < cmd.NArg() && !cmd.Args[i].Quoted && !cmd.Args[i+1].Quoted {
		next := cmd.Arg(i + 1)
		_, nextIsCurrency := core.CurrencyToken(next)
		_, isCurrency := core.CurrencyToken(a)
		if nextIsCurrency && !isCurrency || isCurrency && !nextIsCurrency {
			return a + " " + next, i + 2
		}
	}
	return a, i + 1
}

// fundRest returns the text from positional argument i on. Options typed after it
// are left out (the parser has taken them), so a description may come before them.
func fundRest(cmd *Command, i int) string {
	if len(cmd.Opts) == 0 {
		return cmd.Rest(i)
	}
	vals := make([]string, 0, cmd.NArg())
	for _, a := range cmd.Args[min(i, cmd.NArg()):] {
		vals = append(vals, a.Value)
	}
	return strings.Join(vals, " ")
}

func (r *Router) fundNew(ctx context.Context, req *Request) ([]Reply, error) {
	in, err := r.fundInput(req)
	if err != nil {
		return nil, err
	}
	return r.makeFund(ctx, req, in)
}

// fundInput reads /fund new's arguments and options.
func (r *Router) fundInput(req *Request) (core.NewFundraiser, error) {
	opts := req.Cmd.Opts
	in := core.NewFundraiser{Title: req.Cmd.Arg(0), Description: fundRest(req.Cmd, 1), Goal: opts["goal"],
		TimeZone: opts["tz"], Locale: req.Locale,
		Mode: core.FundMode(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(opts["mode"])), "-", "_"))}
	closes, err := r.optDeadline(req, "closes", in.TimeZone)
	if err != nil {
		return core.NewFundraiser{}, err
	}
	in.ClosesAt = closes
	if in.Payment, err = core.ParsePayMethod(opts["pay"]); err != nil {
		return core.NewFundraiser{}, err
	}
	return in, nil
}

// makeFund creates a fundraiser and answers the admin.
func (r *Router) makeFund(ctx context.Context, req *Request, in core.NewFundraiser) ([]Reply, error) {
	c, f, err := r.svc.CreateFundraiser(ctx, req.Actor, in)
	if err != nil {
		return nil, err
	}
	rep := reply("fund.new", "title", c.Title, "code", c.Code, "goal", f.Goal, "time", r.inZone(*c.ClosesAt, c.TimeZone), "mode", string(f.Mode))
	if f.Payment == core.PayStars {
		rep.Lines = append(rep.Lines, M("fund.created_stars", "code", c.Code))
	}
	rep.Lines = append(rep.Lines, M("fund.created_next", "code", c.Code))
	return replies(rep)
}

func (r *Router) fundStatus(ctx context.Context, req *Request) ([]Reply, error) {
	rep, err := r.fundStatusReply(ctx, req, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	return replies(rep)
}

// fundStatusReply shows where a fundraiser stands: raised of goal, backers, time
// left, tiers with the places left, stretch goals, spending, the member's own pledge,
// and a button per tier to pledge while it is open.
func (r *Router) fundStatusReply(ctx context.Context, req *Request, code string) (Reply, error) {
	st, err := r.svc.FundStatus(ctx, req.Actor, code)
	if err != nil {
		return Reply{}, err
	}
	c, f := st.Campaign, st.Fundraiser
	pct := f.Percent()
	rep := reply("fund.status", "title", c.Title, "code", c.Code, "raised", f.Raised, "goal", f.Goal,
		"percent", pct, "bar", fundBar(pct), "count", f.Backers)
	open := c.State == core.StateOpen && (c.ClosesAt == nil || st.Now.Before(*c.ClosesAt))
	switch {
	case open && c.ClosesAt != nil:
		left := c.ClosesAt.Sub(st.Now)
		if left < 24*time.Hour {
			rep.Lines = append(rep.Lines, M("fund.status_hours_left", "count", int(math.Ceil(left.Hours())), "time", r.inZone(*c.ClosesAt, c.TimeZone)))
		} else {
			rep.Lines = append(rep.Lines, M("fund.status_days_left", "count", int(math.Ceil(left.Hours()/24)), "time", r.inZone(*c.ClosesAt, c.TimeZone)))
		}
	case !open:
		rep.Lines = append(rep.Lines, fundOutcome(c))
		if m, ok := r.whenLine(c); ok {
			rep.Lines = append(rep.Lines, m)
		}
	}
	rep.Lines = append(rep.Lines, M("fund.status_mode", "mode", string(f.Mode)))
	if len(st.Tiers) > 0 {
		rep.Lines = append(rep.Lines, M("fund.status_tiers"))
	}
	for i := range st.Tiers {
		t := &st.Tiers[i]
		rep.Lines = append(rep.Lines, M("fund.status_tier", "number", t.Number, "title", t.Title, "min", t.Min,
			"description", core.Clip(t.Description, fundPreview), "left", fundTierLeft(t)))
	}
	for _, g := range st.Stretch {
		key := "fund.status_stretch_open"
		if f.Raised.Amount >= g.Target.Amount {
			key = "fund.status_stretch_reached"
		}
		rep.Lines = append(rep.Lines, M(key, "target", g.Target, "description", core.Clip(g.Description, fundPreview)))
	}
	rep.Lines = append(rep.Lines, M("fund.status_spent", "spent", f.Spent, "raised", f.Raised, "code", c.Code))
	rep.Lines = append(rep.Lines, fundPaidLines(f)...)
	if st.Mine != nil {
		tier := ""
		if t := core.TierByID(st.Tiers, st.Mine.TierID); t != nil {
			tier = t.Title
		}
		key := "fund.status_yours"
		if !open {
			// nothing can be changed any more: no prompt to change it
			key = "fund.status_yours_final"
		}
		rep.Lines = append(rep.Lines, M(key, "amount", st.Mine.Amount, "tier", tier, "code", c.Code))
	}
	if open {
		rep.Buttons = fundButtons(c, st.Tiers)
	}
	return rep, nil
}

// fundOutcomes name how a fundraiser ended, by its final state.
var fundOutcomes = map[core.State]string{
	core.StateFunded:    "fund.outcome_funded",
	core.StateFailed:    "fund.outcome_failed",
	core.StateClosed:    "fund.outcome_closed",
	core.StateCancelled: "fund.outcome_cancelled",
}

// fundOutcome says how a fundraiser ended, or that it takes no more pledges while
// its close is settled.
func fundOutcome(c *core.Campaign) Msg {
	if key, ok := fundOutcomes[c.State]; ok {
		return M(key)
	}
	return M("fund.status_ended", "state", string(c.State))
}

// fundButtons are the pledge buttons: one per tier with room, and one without a
// reward, five to a row.
func fundButtons(c *core.Campaign, tiers []core.Tier) [][]Button {
	var all []Button
	for i := range tiers {
		t := &tiers[i]
		if t.SoldOut() {
			continue
		}
		all = append(all, Button{Msg: M("fund.button_tier", "title", core.Clip(t.Title, fundLabel), "min", t.Min), Action: ActionID("ft", c.Code, t.Number)})
	}
	all = append(all, Button{Msg: M("fund.button_pledge"), Action: ActionID("ft", c.Code, 0), Style: StyleSuccess})
	var rows [][]Button
	for len(all) > 0 {
		n := min(5, len(all))
		rows = append(rows, all[:n])
		all = all[n:]
	}
	return rows
}

// fundBar draws the share raised as ten blocks.
func fundBar(pct int) string {
	full := min(10, max(0, pct/10))
	return strings.Repeat("▰", full) + strings.Repeat("▱", 10-full)
}

func fundTierLeft(t *core.Tier) Msg {
	switch {
	case t.Limit == 0:
		return M("fund.tier_unlimited")
	case t.SoldOut():
		return M("fund.tier_sold_out", "limit", t.Limit)
	default:
		return M("fund.tier_left", "count", t.Left(), "limit", t.Limit)
	}
}

// fundTierPressed asks for the amount to pledge for a tier, or pledges the answered
// amount.
func (r *Router) fundTierPressed(ctx context.Context, req *Request) ([]Reply, error) {
	code, number := req.Act.Field(0), req.Act.Int(1)
	if number < 0 {
		return nil, core.Errorf(core.EINVALID, "error.unknown_action")
	}
	if strings.TrimSpace(req.Text) != "" {
		if !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
			return nil, core.Errorf(core.ELIMIT, "error.slow_down")
		}
		return r.pledgeReply(ctx, req, core.PledgeInput{Code: code, Amount: req.Text, Tier: strconv.FormatInt(number, 10), Locale: req.Locale})
	}
	st, err := r.svc.FundStatus(ctx, req.Actor, code)
	if err != nil {
		return nil, err
	}
	ask := M("fund.prompt", "title", st.Campaign.Title, "currency", st.Fundraiser.Goal.Currency)
	if number > 0 {
		t, err := core.FindTier(st.Tiers, strconv.FormatInt(number, 10))
		if err != nil {
			return nil, err
		}
		if t.SoldOut() {
			return nil, core.Errorf(core.ELIMIT, "error.tier_sold_out", "tier", t.Title)
		}
		ask = M("fund.prompt_tier", "title", st.Campaign.Title, "tier", t.Title, "min", t.Min, "currency", st.Fundraiser.Goal.Currency)
	}
	return replies(Reply{Msg: ask, Ephemeral: true, Prompt: &Prompt{Msg: ask, Action: ActionID("ft", code, number), Max: 40}})
}

func (r *Router) pledge(ctx context.Context, req *Request) ([]Reply, error) {
	amount, next := fundAmountArg(req.Cmd, 1)
	tier := ""
	if next < req.Cmd.NArg() {
		tier = fundRest(req.Cmd, next)
	}
	return r.pledgeReply(ctx, req, core.PledgeInput{Code: codeArg(req, 0), Amount: amount, Tier: tier, Locale: req.Locale})
}

// pledgeReply pledges and tells the member the amount, the tier and the new total.
func (r *Router) pledgeReply(ctx context.Context, req *Request, in core.PledgeInput) ([]Reply, error) {
	c, out, err := r.svc.Pledge(ctx, &req.Actor, in)
	if starsRefusal(err) {
		// the invoice is bound to the member: make them if the pledge did not
		if err := r.svc.Enroll(ctx, &req.Actor); err != nil {
			return nil, err
		}
		return r.starsPledge(ctx, req, in, err)
	}
	if err != nil {
		return nil, err
	}
	key := "pledge.new"
	if prev := out.Previous; prev != nil {
		switch {
		case out.Pledge.Amount.Amount > prev.Amount.Amount:
			key = "pledge.raised"
		case out.Pledge.Amount.Amount < prev.Amount.Amount:
			key = "pledge.lowered"
		default:
			key = "pledge.changed"
		}
	}
	tier := ""
	if out.Tier != nil {
		tier = out.Tier.Title
	}
	f := &out.Fundraiser
	rep := reply(key, "title", c.Title, "code", c.Code, "amount", out.Pledge.Amount, "tier", tier,
		"raised", f.Raised, "goal", f.Goal, "percent", f.Percent())
	rep.Lines = append(rep.Lines, M("pledge.promise", "code", c.Code))
	rep.Ephemeral = true
	return replies(rep)
}

func (r *Router) pledgeCancel(ctx context.Context, req *Request) ([]Reply, error) {
	c, out, err := r.svc.CancelPledge(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	f := &out.Fundraiser
	return replies(Reply{Msg: M("pledge.cancelled", "title", c.Title, "code", c.Code, "amount", out.Previous.Amount,
		"raised", f.Raised, "goal", f.Goal, "percent", f.Percent()), Ephemeral: true})
}

func (r *Router) tierAdd(ctx context.Context, req *Request) ([]Reply, error) {
	in := core.NewTier{Title: req.Cmd.Arg(1), Description: fundRest(req.Cmd, 2), Min: req.Cmd.Opts["min"], Locale: req.Locale}
	if v, ok := req.Cmd.Opts["limit"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 || n > core.MaxTierLimit {
			return nil, core.Errorf(core.EINVALID, "error.tier_bad_limit", "text", v, "max", core.MaxTierLimit)
		}
		in.Limit = n
	}
	c, t, err := r.svc.AddTier(ctx, req.Actor, codeArg(req, 0), in)
	if err != nil {
		return nil, err
	}
	key := "tier.added"
	if t.Limit > 0 {
		key = "tier.added_limited"
	}
	return replies(reply(key, "number", t.Number, "title", t.Title, "code", c.Code, "min", t.Min, "count", t.Limit))
}

func (r *Router) fundStretch(ctx context.Context, req *Request) ([]Reply, error) {
	target, next := fundAmountArg(req.Cmd, 1)
	c, g, err := r.svc.AddStretchGoal(ctx, req.Actor, codeArg(req, 0), target, fundRest(req.Cmd, next), req.Locale)
	if err != nil {
		return nil, err
	}
	return replies(reply("fund.stretch_added", "code", c.Code, "target", g.Target, "description", g.Description))
}

func (r *Router) expenseAdd(ctx context.Context, req *Request) ([]Reply, error) {
	amount, next := fundAmountArg(req.Cmd, 1)
	c, e, f, err := r.svc.AddExpense(ctx, req.Actor, codeArg(req, 0), amount, fundRest(req.Cmd, next), req.Locale)
	if err != nil {
		return nil, err
	}
	rep := reply("expense.added", "code", c.Code, "number", e.Number, "amount", e.Amount, "what", e.What, "spent", f.Spent, "raised", f.Raised)
	rep.Lines = append(rep.Lines, overspent(f)...)
	return replies(rep)
}

func (r *Router) fundLedger(ctx context.Context, req *Request) ([]Reply, error) {
	c, f, list, err := r.svc.Ledger(ctx, codeArg(req, 0), fundLedgerShown)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		rep := reply("fund.ledger_empty", "title", c.Title, "code", c.Code, "raised", f.Raised)
		rep.Lines = fundPaidLines(f)
		return replies(rep)
	}
	rep := reply("fund.ledger_title", "title", c.Title, "code", c.Code, "spent", f.Spent, "raised", f.Raised)
	rep.Lines = append(rep.Lines, fundPaidLines(f)...)
	for _, e := range list {
		rep.Lines = append(rep.Lines, ledgerLine(M("fund.ledger_item", "date", r.inZone(e.CreatedAt, c.TimeZone), "number", e.Number,
			"amount", e.Amount, "what", core.Clip(e.What, fundPreview)), e))
	}
	return replies(rep)
}

func (r *Router) backers(ctx context.Context, req *Request) ([]Reply, error) {
	code := codeArg(req, 0)
	if req.Cmd.Flag("csv") {
		t, err := r.svc.Export(ctx, req.Actor, code)
		if err != nil {
			return nil, err
		}
		data, err := fundCSV(t)
		if err != nil {
			return nil, err
		}
		return replies(Reply{Msg: M("backers.csv", "code", code, "count", len(t.Rows)), Ephemeral: true,
			File: &File{Name: t.Name + ".csv", Type: "text/csv", Data: data}})
	}
	c, f, list, err := r.svc.Backers(ctx, req.Actor, code, 1, fundBackersShown)
	if err != nil {
		return nil, err
	}
	refunds, err := r.starsRefundLines(ctx, req, c, f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return replies(Reply{Msg: M("backers.none", "title", c.Title, "code", c.Code), Lines: refunds, Ephemeral: true})
	}
	rep := reply("backers.title", "title", c.Title, "code", c.Code, "count", f.Backers, "raised", f.Raised)
	rep.Lines = append(rep.Lines, fundPaidLines(f)...)
	for _, b := range list {
		name := b.Name
		if name == "" {
			name = b.Member
		}
		rep.Lines = append(rep.Lines, backerItem(name, b))
	}
	if more := f.Backers - len(list); more > 0 {
		rep.Lines = append(rep.Lines, M("backers.more", "count", more, "code", c.Code))
	}
	rep.Lines = append(rep.Lines, refunds...)
	rep.Ephemeral = true
	return replies(rep)
}

// fundCSV writes an export table as CSV.
func fundCSV(t *core.Table) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(t.Header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(t.Rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// fundSummary is the fundraiser's line in /campaign show.
func (r *Router) fundSummary(ctx context.Context, req *Request, c *core.Campaign) ([]Msg, error) {
	p, err := r.svc.Progress(ctx, c)
	if err != nil {
		return nil, err
	}
	f := p.Fundraiser
	lines := []Msg{M("fund.summary", "raised", f.Raised, "goal", f.Goal, "percent", f.Percent, "count", f.Backers, "spent", f.Spent, "code", c.Code)}
	if c.State.Final() {
		lines = append(lines, fundOutcome(c))
	}
	return lines, nil
}

package bots

import (
	"context"
	"strconv"
	"strings"

	"crowdbot/core"
)

// correctionCommands let admins fix what they got wrong: a campaign's text, a tier,
// a stretch goal, a line of the spending ledger. Each checks in core, after loading
// the campaign, that the admin manages it.
func (r *Router) correctionCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	return []*Spec{
		{Name: "campaign", Sub: "edit", Admin: true, Params: []Param{code,
			{Name: "title", Type: ParamString, Option: true},
			{Name: "description", Type: ParamText, Option: true},
		}, Run: r.campaignEdit, topic: "campaign"},
		{Name: "tier", Sub: "edit", Admin: true, Params: []Param{code,
			{Name: "tier", Type: ParamString, Required: true},
			{Name: "title", Type: ParamString, Option: true},
			{Name: "min", Type: ParamAmount, Option: true},
			{Name: "limit", Type: ParamInt, Option: true},
			{Name: "description", Type: ParamText, Option: true},
		}, Run: r.tierEdit, topic: "fundraiser"},
		{Name: "stretch", Sub: "edit", Admin: true, Params: []Param{code,
			{Name: "target", Type: ParamAmount, Required: true},
			{Name: "to", Type: ParamAmount, Option: true},
			{Name: "description", Type: ParamText},
		}, Run: r.stretchEdit, topic: "fundraiser"},
		{Name: "expense", Sub: "correct", Admin: true, Params: []Param{code,
			{Name: "number", Type: ParamInt, Required: true},
			{Name: "amount", Type: ParamAmount, Required: true},
			{Name: "what", Type: ParamText},
		}, Run: r.expenseCorrect(false), topic: "fundraiser"},
		{Name: "expense", Sub: "remove", Admin: true, Params: []Param{code,
			{Name: "number", Type: ParamInt, Required: true},
		}, Run: r.expenseCorrect(true), topic: "fundraiser"},
	}
}

// optText returns option name if the command gave it.
func optText(cmd *Command, name string) *string {
	v, ok := cmd.Opts[name]
	if !ok {
		return nil
	}
	return &v
}

// nothingToChange refuses an edit that names no field, with the command's usage.
func nothingToChange(cmd *Command, usage Msg, fields ...string) error {
	for _, f := range fields {
		if _, ok := cmd.Opts[f]; ok {
			return nil
		}
	}
	return core.Errorf(core.EINVALID, "error.edit_nothing", "usage", usage)
}

func (r *Router) campaignEdit(ctx context.Context, req *Request) ([]Reply, error) {
	if err := nothingToChange(req.Cmd, M("help.campaign.edit"), "title", "description"); err != nil {
		return nil, err
	}
	c, err := r.svc.EditCampaign(ctx, req.Actor, codeArg(req, 0), optText(req.Cmd, "title"), optText(req.Cmd, "description"))
	if err != nil {
		return nil, err
	}
	return replies(reply("campaign.edited", "title", c.Title, "code", c.Code))
}

func (r *Router) tierEdit(ctx context.Context, req *Request) ([]Reply, error) {
	if err := nothingToChange(req.Cmd, M("help.tier.edit"), "title", "description", "min", "limit"); err != nil {
		return nil, err
	}
	in := core.TierEdit{Tier: req.Cmd.Arg(1), Title: optText(req.Cmd, "title"), Description: optText(req.Cmd, "description"),
		Min: optText(req.Cmd, "min"), Locale: req.Locale}
	if v, ok := req.Cmd.Opts["limit"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > core.MaxTierLimit {
			return nil, core.Errorf(core.EINVALID, "error.tier_bad_limit", "text", v, "max", core.MaxTierLimit)
		}
		in.Limit = &n
	}
	c, t, err := r.svc.EditTier(ctx, req.Actor, codeArg(req, 0), in)
	if err != nil {
		return nil, err
	}
	rep := reply("tier.edited", "number", t.Number, "title", t.Title, "code", c.Code, "min", t.Min)
	if t.Limit > 0 {
		rep.Lines = append(rep.Lines, M("tier.edited_limit", "count", t.Limit, "taken", t.Taken))
	}
	return replies(rep)
}

func (r *Router) stretchEdit(ctx context.Context, req *Request) ([]Reply, error) {
	target, next := fundAmountArg(req.Cmd, 1)
	if _, ok := req.Cmd.Opts["to"]; !ok && strings.TrimSpace(fundRest(req.Cmd, next)) == "" {
		return nil, core.Errorf(core.EINVALID, "error.edit_nothing", "usage", M("help.stretch.edit"))
	}
	c, g, err := r.svc.EditStretchGoal(ctx, req.Actor, codeArg(req, 0), target, req.Cmd.Opts["to"], fundRest(req.Cmd, next), req.Locale)
	if err != nil {
		return nil, err
	}
	return replies(reply("fund.stretch_edited", "code", c.Code, "target", g.Target, "description", g.Description))
}

// expenseCorrect runs /expense correct (a new amount, and a new text or the old
// one) and /expense remove (none).
func (r *Router) expenseCorrect(remove bool) func(ctx context.Context, req *Request) ([]Reply, error) {
	return func(ctx context.Context, req *Request) ([]Reply, error) {
		n, ok := core.ParseNumber(req.Cmd.Arg(1))
		if !ok {
			return nil, core.Errorf(core.EINVALID, "error.bad_expense_number", "text", quoted(req.Cmd.Arg(1)))
		}
		amount, what := "", ""
		if !remove {
			var next int
			amount, next = fundAmountArg(req.Cmd, 2)
			what = fundRest(req.Cmd, next)
		}
		c, old, repl, f, err := r.svc.CorrectExpense(ctx, req.Actor, codeArg(req, 0), n, amount, what, req.Locale)
		if err != nil {
			return nil, err
		}
		return replies(correctionReply(c, old, repl, f))
	}
}

// correctionReply says what a correction of the ledger did.
func correctionReply(c *core.Campaign, old, repl *core.Expense, f *core.Fundraiser) Reply {
	var rep Reply
	if repl != nil {
		rep = reply("expense.corrected", "code", c.Code, "old", old.Number, "number", repl.Number, "amount", repl.Amount,
			"what", repl.What, "spent", f.Spent, "raised", f.Raised)
	} else {
		rep = reply("expense.removed", "code", c.Code, "old", old.Number, "amount", old.Amount, "what", old.What,
			"spent", f.Spent, "raised", f.Raised)
	}
	rep.Lines = append(rep.Lines, overspent(f)...)
	return rep
}

// overspent warns when a fundraiser's spending is past what it raised.
func overspent(f *core.Fundraiser) []Msg {
	if f.Spent.Amount <= f.Raised.Amount {
		return nil
	}
	return []Msg{M("expense.overspent", "spent", f.Spent, "raised", f.Raised)}
}

// confirmEnd asks an admin to confirm closing (or cancelling) a campaign, with a
// button for each answer; it refuses at once what the close itself would refuse.
func (r *Router) confirmEnd(ctx context.Context, req *Request, code string, cancel bool) ([]Reply, error) {
	c, err := r.svc.CheckEnd(ctx, req.Actor, code, cancel)
	if err != nil {
		return nil, err
	}
	key, button, verb := "campaign.confirm_close", "button.confirm_close", "close"
	if cancel {
		key, button, verb = "campaign.confirm_cancel", "button.confirm_cancel", "cancel"
	}
	rep := reply(key, "title", c.Title, "code", c.Code, "kind", string(c.Kind))
	rep.Buttons = [][]Button{{
		{Msg: M(button), Action: ActionID("cx", c.Code, verb), Style: StyleDanger},
		{Msg: M("button.keep_campaign"), Action: ActionID("cx", c.Code, "keep"), Style: StyleSecondary},
	}}
	return replies(rep)
}

// campaignEndAnswer runs the answer to confirmEnd's question, in place of it. The
// close and the cancel make every check again: the button may be pressed by anyone,
// and long after it was shown.
func (r *Router) campaignEndAnswer(ctx context.Context, req *Request) ([]Reply, error) {
	code := req.Act.Field(0)
	var rep Reply
	switch req.Act.Field(1) {
	case "close":
		c, err := r.svc.CloseCampaign(ctx, req.Actor, code)
		if err != nil {
			return nil, err
		}
		rep = reply("campaign.closed", "title", c.Title, "code", c.Code, "state", string(c.State))
	case "cancel":
		c, err := r.svc.CancelCampaign(ctx, req.Actor, code)
		if err != nil {
			return nil, err
		}
		rep = reply("campaign.cancelled", "title", c.Title, "code", c.Code)
	case "keep":
		c, err := r.svc.CheckEnd(ctx, req.Actor, code, true)
		if err != nil {
			return nil, err
		}
		rep = reply("campaign.kept", "title", c.Title, "code", c.Code)
	default:
		return nil, core.Errorf(core.EINVALID, "error.unknown_action")
	}
	rep.Edit = true
	return replies(rep)
}

// ledgerLine is a line of the spending ledger as /fund ledger shows it: a struck
// line says what became of it, a correction which line it replaces.
func ledgerLine(m Msg, e core.Expense) Msg {
	switch {
	case e.StruckAt != nil && e.CorrectedBy != 0:
		return M("fund.ledger_struck", "line", m, "by", e.CorrectedBy)
	case e.StruckAt != nil:
		return M("fund.ledger_removed", "line", m)
	case e.Corrects != 0:
		return M("fund.ledger_correction", "line", m, "corrects", e.Corrects)
	}
	return m
}

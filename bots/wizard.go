package bots

import (
	"context"
	"slices"
	"strings"
	"time"

	"crowdbot/core"
)

// The guided set-up (the wizard): /campaign new with no arguments asks the kind of
// campaign first, then only the questions that kind needs, one at a time, shows the
// campaign as it will be created, and creates it when the admin confirms.
//
// It has no rules of its own. Every answer is read as the kind's command reads the
// option it stands for (the answers make up that command's arguments and options),
// and checked at once by core's checks of the use case that creates the kind
// (core.Service.CheckPlan), the questions not answered yet standing in with values
// those checks accept; a refused answer is asked again with core's reason. The
// confirmation runs the same use case the command does.
//
// Its state is a core.Wizard in the database, one per member and space, that
// expires core.WizardTTL after the last answer; a free-text answer comes through the
// Router's pending questions (Prompt), with the same wait. Buttons and questions name
// the set-up and its version ("wz:<id>:<version>:<op>[:<value>]"), so a button of an
// earlier question, or a second press of "create", does nothing.
//
// On Telegram, a set-up started in a group or a channel is answered in the admin's
// private chat with the bot: the group gets a link (t.me/<bot>?start=<payload>,
// core.WizardPayload) whose token only lets the member who started it (or, for a
// channel's post, any of the channel's admins) take it there. From then on the
// questions are asked and answered in the private chat, for the group's space, and
// the member's admin rights are the group's, read again at every step.

// wizardVerb is the action verb of the set-up's buttons and questions.
const wizardVerb = "wz"

// The set-up's operations, the third field of its action ids.
const (
	wzKind    = "k"  // the kind chosen: wz:<id>:<v>:k:<kind>
	wzAnswer  = "a"  // a typed answer to the question asked
	wzChoice  = "c"  // a choice button of the question asked: wz:<id>:<v>:c:<value>
	wzSkip    = "s"  // an optional question left out
	wzConfirm = "ok" // create the campaign previewed
	wzCancel  = "x"  // end the set-up
)

// Steps that are not questions of a kind.
const (
	stepKind    = "kind"
	stepPreview = "preview"
)

// wizardQuestion is one question of a kind's set-up. Its name is the option of the
// kind's command that the answer fills (or a stand-in for a positional argument).
type wizardQuestion struct {
	name     string
	optional bool
	// choices, when set, are answered with buttons; the values are the option's.
	choices []string
	long    bool // a paragraph rather than a line
	max     int  // the longest answer accepted, in characters
	// deadline questions are read as a deadline and kept as a moment, so the preview
	// and the campaign agree
	deadline bool
}

// wizardKinds lists, per kind, its questions in the order they are asked.
var wizardKinds = map[core.Kind][]wizardQuestion{
	core.KindIdeas: {
		{name: "title", max: core.MaxTitle},
		{name: "description", optional: true, long: true, max: core.MaxDescription},
		{name: "closes", optional: true, deadline: true, max: 40},
	},
	core.KindPoll: {
		{name: "question", max: core.MaxPollQuestion},
		{name: "options", long: true, max: core.MaxPollOptions * (core.MaxPollOption + 1)},
		{name: "closes", optional: true, deadline: true, max: 40},
		{name: "hidden", optional: true, choices: []string{"no", "yes"}},
	},
	core.KindContest: {
		{name: "title", max: core.MaxTitle},
		{name: "brief", long: true, max: core.MaxDescription},
		{name: "prize", max: 40},
		{name: "entries_close", deadline: true, max: 40},
		{name: "voting_close", deadline: true, max: 40},
	},
	core.KindFundraiser: {
		{name: "title", max: core.MaxTitle},
		{name: "description", optional: true, long: true, max: core.MaxDescription},
		{name: "goal", max: 40},
		{name: "closes", deadline: true, max: 40},
		{name: "mode", optional: true, choices: []string{string(core.FundAllOrNothing), string(core.FundKeepItAll)}},
	},
	core.KindTasks: {
		{name: "title", max: core.MaxTitle},
		{name: "instructions", optional: true, long: true, max: core.MaxTaskInstructions},
		{name: "answer", max: 500},
		{name: "per_item", optional: true, max: 5},
		{name: "reward", optional: true, max: 40},
		{name: "closes", optional: true, deadline: true, max: 40},
	},
}

// wizardStep returns the question named step of kind k and its place.
func wizardStep(k core.Kind, step string) (wizardQuestion, int, bool) {
	for i, q := range wizardKinds[k] {
		if q.name == step {
			return q, i, true
		}
	}
	return wizardQuestion{}, 0, false
}

// wizardStart begins the set-up and asks the kind (the Router has checked the
// member is an admin, as for /campaign new with arguments; core checks it again).
func (r *Router) wizardStart(ctx context.Context, req *Request) ([]Reply, error) {
	w, err := r.svc.StartWizard(ctx, req.Actor, stepKind)
	if err != nil {
		return nil, err
	}
	if bot := strings.TrimPrefix(r.opts.TelegramBot, "@"); bot != "" && req.In.Platform == core.Telegram && !req.In.Private {
		// the questions would fill the group: they go to the admin's private chat
		link := "https://t.me/" + bot + "?start=" + core.WizardPayload(w)
		rep := reply("wizard.go_private")
		rep.Buttons = [][]Button{{{Msg: M("button.wizard_private"), URL: link}}}
		return replies(rep)
	}
	return replies(r.wizardAsk(w))
}

// wizardResume takes a set-up started in a group to the private chat its link was
// opened in (/start with its payload), and asks its question there.
func (r *Router) wizardResume(ctx context.Context, req *Request, payload string) ([]Reply, error) {
	if !req.In.Private {
		return replies(reply("start.welcome"))
	}
	w, err := r.svc.WizardByLink(ctx, payload)
	if err != nil {
		return nil, err
	}
	if err := r.svc.BindWizard(ctx, req.Actor, w, r.adminOf(ctx, req, w.Space)); err != nil {
		return nil, err
	}
	sub := r.wizardElsewhere(ctx, req, w)
	if !sub.Actor.Admin {
		return nil, core.Errorf(core.EFORBIDDEN, "error.admin_only")
	}
	rep, err := r.wizardShow(sub, w)
	if err != nil {
		return nil, err
	}
	return replies(reply("wizard.resumed", "space", w.Space.Title), rep)
}

// adminOf reports whether the member of a request administers sp, a space other
// than the one they speak in, as their platform says (Input.AdminOf).
func (r *Router) adminOf(ctx context.Context, req *Request, sp *core.Space) bool {
	return req.Actor.Owner || req.In.AdminOf != nil && req.In.AdminOf(ctx, sp.ExternalID)
}

// wizardElsewhere is the request of a set-up answered in a private chat for the
// space it was started in: its actor is the member in that space, an admin there
// only if the platform says so now; the private chat is kept for its questions.
func (r *Router) wizardElsewhere(ctx context.Context, req *Request, w *core.Wizard) *Request {
	sub := *req
	here := req.Actor
	sub.here = &here
	sub.Actor = core.Actor{Member: req.Actor.Member, Space: *w.Space, Channel: w.Channel,
		Admin: r.adminOf(ctx, req, w.Space), Owner: req.Actor.Owner}
	return &sub
}

// wizardOf returns the actor's set-up that an action names: theirs in the space
// they speak in, or one they answer here for a space elsewhere, with the request
// that acts for that space; nil when there is none.
func (r *Router) wizardOf(ctx context.Context, req *Request, id int64) (*core.Wizard, *Request, error) {
	w, err := r.svc.Wizard(ctx, req.Actor)
	if err != nil || w != nil && (w.ID == id || id == 0) {
		return w, req, err
	}
	if !req.In.Private {
		return nil, req, nil
	}
	there, err := r.svc.WizardHere(ctx, req.Actor)
	if err != nil || there == nil || id != 0 && there.ID != id {
		return nil, req, err
	}
	return there, r.wizardElsewhere(ctx, req, there), nil
}

// wizardActions are the set-up's buttons and questions.
func (r *Router) wizardActions() map[string]ActionFunc {
	return map[string]ActionFunc{wizardVerb: r.wizardAction}
}

func wizardAction(w *core.Wizard, op string, value ...any) string {
	return ActionID(wizardVerb, append([]any{w.ID, w.Version, op}, value...)...)
}

// wizardNote is a short answer to a button of a set-up that moved on.
func wizardNote(req *Request, key string) []Reply {
	return []Reply{{Msg: M(key), Ephemeral: true, Toast: req.In.Text == ""}}
}

func (r *Router) wizardAction(ctx context.Context, req *Request) ([]Reply, error) {
	op := req.Act.Field(2)
	id := req.Act.Int(0)
	if id == 0 {
		return wizardNote(req, "wizard.gone"), nil
	}
	w, req, err := r.wizardOf(ctx, req, id)
	if err != nil {
		return nil, err
	}
	if w == nil {
		return wizardNote(req, "wizard.gone"), nil
	}
	if op == wzCancel {
		return r.wizardEnd(ctx, req, w)
	}
	if !req.Actor.Admin {
		return nil, core.Errorf(core.EFORBIDDEN, "error.admin_only")
	}
	if w.Version != req.Act.Int(1) {
		if q := wizardKinds[w.Kind]; op == wzKind && req.Act.Field(3) == string(w.Kind) && len(w.Answers) == 0 && w.Step == q[0].name {
			// the kind chosen again before its first answer (a modal that opened at
			// once and was closed): its first question, again
			return replies(r.wizardAsk(w))
		}
		return wizardNote(req, "wizard.stale"), nil
	}
	switch {
	case op == wzKind && w.Step == stepKind:
		k := core.Kind(req.Act.Field(3))
		qs, ok := wizardKinds[k]
		if !ok {
			return nil, core.Errorf(core.EINVALID, "error.bad_kind", "kind", string(k))
		}
		w.Kind, w.Step, w.Answers = k, qs[0].name, map[string]string{}
		return r.wizardSave(ctx, req, w, nil)
	case op == wzConfirm && w.Step == stepPreview:
		return r.wizardCreate(ctx, req, w)
	}
	q, _, ok := wizardStep(w.Kind, w.Step)
	if !ok {
		return wizardNote(req, "wizard.stale"), nil
	}
	var answer string
	switch {
	case op == wzAnswer && q.choices == nil && req.In.Action != "" && req.In.Text == "":
		// the answer button of a front with modals: the question alone, for its modal
		return replies(r.wizardQuestion(w))
	case op == wzAnswer && q.choices == nil:
		answer = strings.TrimSpace(req.Text)
		if answer == "" && !q.optional {
			return r.wizardRefused(req, w, core.Errorf(core.EINVALID, "wizard.answer_needed"))
		}
	case op == wzChoice && q.choices != nil:
		answer = req.Act.Field(3)
		if !slices.Contains(q.choices, answer) {
			return wizardNote(req, "wizard.stale"), nil
		}
	case op == wzSkip && q.optional:
	default:
		return wizardNote(req, "wizard.stale"), nil
	}
	if answer != "" && q.deadline {
		t, err := r.wizardDeadline(req, answer)
		if err != nil {
			return r.wizardRefused(req, w, err)
		}
		answer = t.Format(time.RFC3339)
	}
	w.Answers[q.name] = answer
	if answer == "" {
		delete(w.Answers, q.name)
	}
	if _, err := r.wizardPlan(req, w, true); err != nil {
		delete(w.Answers, q.name)
		return r.wizardRefused(req, w, err)
	}
	w.Step = r.wizardNext(w)
	return r.wizardSave(ctx, req, w, nil)
}

// wizardNext is the step after the one answered: the next question, or the preview.
func (r *Router) wizardNext(w *core.Wizard) string {
	qs := wizardKinds[w.Kind]
	_, i, _ := wizardStep(w.Kind, w.Step)
	if i+1 < len(qs) {
		return qs[i+1].name
	}
	return stepPreview
}

// wizardDeadline reads a deadline as the commands read theirs, in the space's zone.
func (r *Router) wizardDeadline(req *Request, s string) (time.Time, error) {
	loc, err := core.LoadZone(req.Actor.Space.TimeZone)
	if err != nil {
		return time.Time{}, err
	}
	return ParseDeadline(s, r.svc.Now(), loc)
}

// wizardSave stores the answered step and asks the next question; first, when set,
// comes before it (the reason an answer was refused).
func (r *Router) wizardSave(ctx context.Context, req *Request, w *core.Wizard, first []Reply) ([]Reply, error) {
	if err := r.svc.SaveWizard(ctx, req.Actor, w); err != nil {
		if core.ErrorCode(err) == core.ECONFLICT {
			return wizardNote(req, "wizard.stale"), nil
		}
		return nil, err
	}
	if q, _, ok := wizardStep(w.Kind, w.Step); !ok || q.choices != nil {
		// a button answers next: a question typed for earlier is answered no more
		if _, err := r.svc.PendingPrompt(ctx, req.talker(), false); err != nil {
			r.log.Warn("forget prompt", "err", err)
		}
	}
	rep, err := r.wizardShow(req, w)
	if err != nil {
		return nil, err
	}
	return append(first, rep), nil
}

// wizardShow is the set-up's current step: its question, or the preview.
func (r *Router) wizardShow(req *Request, w *core.Wizard) (Reply, error) {
	if w.Step == stepPreview {
		return r.wizardPreview(req, w)
	}
	return r.wizardAsk(w), nil
}

// wizardRefused answers a refused answer with core's reason and the question again;
// the set-up is left as it was.
func (r *Router) wizardRefused(req *Request, w *core.Wizard, err error) ([]Reply, error) {
	e := core.AsError(err)
	if e == nil || e.Code != core.EINVALID {
		return nil, err
	}
	return replies(Reply{Msg: Msg{Key: e.Key, Args: e.Args}, Failure: e.Code, Ephemeral: true}, r.wizardAsk(w))
}

// wizardAsk asks the set-up's current question: the kind, with a line on what each
// is for, or the kind's next question, with a button to leave an optional one out.
// The questions, like the preview, are the admin's alone where the front can show
// them so (Discord), and do not fill the channel.
func (r *Router) wizardAsk(w *core.Wizard) Reply {
	rep := r.wizardStepReply(w)
	rep.Ephemeral = true
	return rep
}

func (r *Router) wizardStepReply(w *core.Wizard) Reply {
	cancel := Button{Msg: M("button.wizard_cancel"), Action: wizardAction(w, wzCancel), Style: StyleSecondary}
	if w.Step == stepKind {
		rep := reply("wizard.kind")
		var row []Button
		for _, k := range core.Kinds {
			rep.Lines = append(rep.Lines, M("wizard.kind_line."+string(k)))
			row = append(row, Button{Msg: M("button.wizard_kind." + string(k)), Action: wizardAction(w, wzKind, string(k))})
		}
		rep.Buttons = [][]Button{row[:3], row[3:], {cancel}}
		return rep
	}
	q, i, _ := wizardStep(w.Kind, w.Step)
	rep := reply("wizard.ask."+q.name, "n", i+1, "count", len(wizardKinds[w.Kind]))
	rep.Lines = append(rep.Lines, M("wizard.hint."+q.name))
	var row []Button
	if q.choices != nil {
		for _, c := range q.choices {
			row = append(row, Button{Msg: M("button.wizard_choice." + q.name + "." + c), Action: wizardAction(w, wzChoice, c)})
		}
	} else {
		rep.Prompt = r.wizardPrompt(w, q)
	}
	if q.optional {
		row = append(row, Button{Msg: M("button.wizard_skip"), Action: wizardAction(w, wzSkip), Style: StyleSecondary})
	}
	if len(row) > 0 {
		rep.Buttons = append(rep.Buttons, row)
	}
	rep.Buttons = append(rep.Buttons, []Button{cancel})
	return rep
}

// wizardPrompt is the prompt of text question q: asked in a modal at once where
// the front has modals.
func (r *Router) wizardPrompt(w *core.Wizard, q wizardQuestion) *Prompt {
	return &Prompt{Msg: M("wizard.label." + q.name), Action: wizardAction(w, wzAnswer), Long: q.long, Max: q.max,
		TTL: core.WizardTTL, Modal: true}
}

// wizardQuestion is the current text question alone, without its buttons: what
// the answer button of a front with modals opens.
func (r *Router) wizardQuestion(w *core.Wizard) Reply {
	q, i, _ := wizardStep(w.Kind, w.Step)
	rep := reply("wizard.ask."+q.name, "n", i+1, "count", len(wizardKinds[w.Kind]))
	rep.Ephemeral = true
	rep.Prompt = r.wizardPrompt(w, q)
	return rep
}

// wizardCommand is the command line the set-up's answers make: the kind's command
// with its arguments and options, as an adapter that parses options builds it.
// With standIns, each question not answered yet that the command cannot go without
// holds a value its checks accept.
func (r *Router) wizardCommand(w *core.Wizard, standIns bool) *Command {
	a := map[string]string{}
	for k, v := range w.Answers {
		a[k] = v
	}
	if standIns {
		now := r.svc.Now()
		at := func(t time.Time) string { return t.Format(time.RFC3339) }
		def := func(name, v string) {
			if _, ok := a[name]; !ok {
				a[name] = v
			}
		}
		switch w.Kind {
		case core.KindPoll:
			def("options", "1\n2")
		case core.KindContest:
			def("prize", "1 EUR")
			def("entries_close", at(now.Add(24*time.Hour)))
			if entries, err := time.Parse(time.RFC3339, a["entries_close"]); err == nil {
				def("voting_close", at(entries.Add(core.MinContestPhase)))
			}
		case core.KindFundraiser:
			def("goal", "100 EUR")
			def("closes", at(now.Add(24*time.Hour)))
		case core.KindTasks:
			def("answer", string(core.TaskText))
		}
		for _, q := range wizardKinds[w.Kind] {
			if !q.optional && q.choices == nil && !q.deadline {
				def(q.name, "x")
			}
		}
	}
	quoted := func(s string) Arg { return Arg{Value: s, Quoted: true} }
	cmd := &Command{Opts: map[string]string{}}
	opt := func(names ...string) {
		for _, n := range names {
			if v, ok := a[n]; ok {
				cmd.Opts[n] = v
			}
		}
	}
	switch w.Kind {
	case core.KindIdeas:
		cmd.Name = "campaign"
		cmd.Args = []Arg{{Value: string(core.KindIdeas)}, quoted(a["title"])}
		if d := a["description"]; d != "" {
			cmd.Args = append(cmd.Args, quoted(d))
		}
		opt("closes")
	case core.KindPoll:
		cmd.Name = "poll"
		cmd.Args = []Arg{quoted(a["question"])}
		for _, o := range wizardOptions(a["options"]) {
			cmd.Args = append(cmd.Args, quoted(o))
		}
		opt("closes")
		if a["hidden"] == "yes" {
			cmd.Opts["hidden"] = ""
		}
	case core.KindContest:
		cmd.Name = "contest"
		cmd.Args = []Arg{quoted(a["title"])}
		opt("brief", "prize", "entries_close", "voting_close")
	case core.KindFundraiser:
		cmd.Name = "fund"
		cmd.Args = []Arg{quoted(a["title"])}
		if d := a["description"]; d != "" {
			cmd.Args = append(cmd.Args, quoted(d))
		}
		opt("goal", "closes", "mode")
	case core.KindTasks:
		cmd.Name = "tasks"
		cmd.Args = []Arg{quoted(a["title"])}
		opt("instructions", "answer", "per_item", "reward", "closes")
	}
	return cmd
}

// wizardOptions reads a poll's options: one per line, or separated by "|".
func wizardOptions(s string) []string {
	var out []string
	for _, o := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '|' }) {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// wizardPlan reads the set-up's answers as the kind's command reads its arguments
// and options, and checks the result with core's checks of the use case that
// creates the kind (stand-ins, when asked for, filling the questions to come).
func (r *Router) wizardPlan(req *Request, w *core.Wizard, standIns bool) (*core.Planned, error) {
	plan, err := r.wizardInput(req, w, standIns)
	if err != nil {
		return nil, err
	}
	return r.svc.CheckPlan(req.Actor, plan)
}

// wizardInput reads the set-up's answers into the input of the kind's use case.
func (r *Router) wizardInput(req *Request, w *core.Wizard, standIns bool) (core.Plan, error) {
	sub := *req
	sub.Cmd = r.wizardCommand(w, standIns)
	switch w.Kind {
	case core.KindIdeas:
		in, err := r.ideasInput(&sub)
		return core.Plan{Ideas: &in}, err
	case core.KindPoll:
		in, err := r.pollInput(&sub)
		return core.Plan{Poll: &in}, err
	case core.KindContest:
		in, err := r.contestInput(&sub)
		return core.Plan{Contest: &in}, err
	case core.KindFundraiser:
		in, err := r.fundInput(&sub)
		return core.Plan{Fundraiser: &in}, err
	case core.KindTasks:
		in, err := r.tasksInput(&sub, sub.Cmd.Arg(0))
		return core.Plan{Tasks: &in}, err
	}
	return core.Plan{}, core.Errorf(core.EINVALID, "error.bad_kind", "kind", string(w.Kind))
}

// wizardPreview shows the campaign as it will be created, with the buttons to
// create it or to give up.
func (r *Router) wizardPreview(req *Request, w *core.Wizard) (Reply, error) {
	p, err := r.wizardPlan(req, w, false)
	if err != nil {
		return Reply{}, err
	}
	c := p.Campaign
	rep := reply("wizard.preview", "kind", string(c.Kind), "title", c.Title)
	if c.Description != "" {
		rep.Lines = append(rep.Lines, M("campaign.description", "text", c.Description))
	}
	switch {
	case p.Poll != nil:
		for _, o := range p.Poll.Options {
			rep.Lines = append(rep.Lines, M("wizard.preview_option", "n", o.Index+1, "option", o.Label))
		}
		if p.Poll.Hidden {
			rep.Lines = append(rep.Lines, M("wizard.preview_hidden"))
		}
	case p.Contest != nil:
		rep.Lines = append(rep.Lines, M("wizard.preview_prize", "prize", p.Contest.Prize),
			M("contest.phase_open", "time", r.inZone(p.Contest.EntriesCloseAt, c.TimeZone)),
			M("contest.new_voting", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
	case p.Fundraiser != nil:
		rep.Lines = append(rep.Lines, M("wizard.preview_goal", "goal", p.Fundraiser.Goal), M("fund.status_mode", "mode", string(p.Fundraiser.Mode)))
	case p.Job != nil:
		if p.Job.Instructions != "" {
			rep.Lines = append(rep.Lines, M("wizard.preview_instructions", "text", p.Job.Instructions))
		}
		if p.Job.Reward.Amount > 0 {
			rep.Lines = append(rep.Lines, M("tasks.new_paid", "task_type", string(p.Job.Answer), "per_item", p.Job.PerItem, "reward", p.Job.Reward))
		} else {
			rep.Lines = append(rep.Lines, M("tasks.new", "task_type", string(p.Job.Answer), "per_item", p.Job.PerItem))
		}
	}
	if c.ClosesAt != nil && p.Contest == nil {
		rep.Lines = append(rep.Lines, M("campaign.closes_at", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
	}
	rep.Lines = append(rep.Lines, M("wizard.preview_confirm"))
	rep.Buttons = [][]Button{
		{{Msg: M("button.wizard_create"), Action: wizardAction(w, wzConfirm), Style: StyleSuccess}},
		{{Msg: M("button.wizard_cancel"), Action: wizardAction(w, wzCancel), Style: StyleSecondary}},
	}
	rep.Ephemeral = true
	return rep, nil
}

// wizardCreate ends the set-up and creates its campaign with the use case the kind's
// command runs. Of two presses only the one that ends the set-up goes on. A
// campaign refused now (a deadline passed while the admin read the preview) brings
// the set-up back, at the first question whose answer no longer holds.
func (r *Router) wizardCreate(ctx context.Context, req *Request, w *core.Wizard) ([]Reply, error) {
	ended, err := r.svc.EndWizard(ctx, w)
	if err != nil {
		return nil, err
	}
	if !ended {
		return wizardNote(req, "wizard.gone"), nil
	}
	plan, err := r.wizardInput(req, w, false)
	var out []Reply
	if err == nil {
		switch {
		case plan.Ideas != nil:
			out, err = r.makeIdeas(ctx, req, *plan.Ideas)
		case plan.Poll != nil:
			out, err = r.makePoll(ctx, req, *plan.Poll)
		case plan.Contest != nil:
			out, err = r.makeContest(ctx, req, *plan.Contest)
		case plan.Fundraiser != nil:
			out, err = r.makeFund(ctx, req, *plan.Fundraiser)
		case plan.Tasks != nil:
			out, err = r.makeTasks(ctx, req, *plan.Tasks)
		}
	}
	if core.ErrorCode(err) != core.EINVALID {
		return out, err
	}
	return r.wizardRestore(ctx, req, w, err)
}

// wizardRestore starts the set-up again with the answers of w, at the first
// question whose answer core refuses now, after the reason.
func (r *Router) wizardRestore(ctx context.Context, req *Request, w *core.Wizard, refused error) ([]Reply, error) {
	again, err := r.svc.StartWizard(ctx, req.Actor, "")
	if err != nil {
		return nil, err
	}
	if req.here != nil {
		// answered in the private chat still
		if err := r.svc.BindWizard(ctx, *req.here, again, false); err != nil {
			return nil, err
		}
	}
	again.Kind = w.Kind
	for _, q := range wizardKinds[w.Kind] {
		v, ok := w.Answers[q.name]
		if !ok {
			continue
		}
		again.Answers[q.name] = v
		if q.deadline {
			// a moment that has passed is refused by the command's own reading too
			if _, err := r.wizardDeadline(req, v); err != nil {
				delete(again.Answers, q.name)
				again.Step = q.name
				break
			}
		}
		if _, err := r.wizardPlan(req, again, true); err != nil {
			delete(again.Answers, q.name)
			again.Step = q.name
			break
		}
	}
	if again.Step == "" {
		again.Step = stepPreview
	}
	e := core.AsError(refused)
	return r.wizardSave(ctx, req, again, []Reply{{Msg: Msg{Key: e.Key, Args: e.Args}, Failure: e.Code, Ephemeral: true}})
}

// wizardEnd ends the set-up at the member's request.
func (r *Router) wizardEnd(ctx context.Context, req *Request, w *core.Wizard) ([]Reply, error) {
	ended, err := r.svc.EndWizard(ctx, w)
	if err != nil {
		return nil, err
	}
	if !ended {
		return wizardNote(req, "wizard.gone"), nil
	}
	if _, err := r.svc.PendingPrompt(ctx, req.talker(), false); err != nil {
		r.log.Warn("forget prompt", "err", err)
	}
	return replies(Reply{Msg: M("wizard.cancelled"), Edit: req.In.Action != "" && req.In.Text == ""})
}

// cancel ends what the member has under way here: a guided set-up.
func (r *Router) cancel(ctx context.Context, req *Request) ([]Reply, error) {
	w, req, err := r.wizardOf(ctx, req, 0)
	if err != nil {
		return nil, err
	}
	if w == nil {
		return replies(reply("wizard.nothing_to_cancel"))
	}
	return r.wizardEnd(ctx, req, w)
}

package bots

import (
	"context"
	"slices"
	"strings"
	"time"

	"crowdbot/core"
)

// houseCommands are the commands every campaign kind shares.
func (r *Router) houseCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	return []*Spec{
		{Name: "help", Read: true, Params: []Param{{Name: "topic", Type: ParamString, Choices: HelpTopics}}, Run: r.help},
		{Name: "start", Params: []Param{{Name: "payload", Type: ParamString}}, Run: r.start},
		{Name: "lang", Params: []Param{{Name: "language", Type: ParamString, Required: true, Choices: core.Locales}}, Run: r.lang},
		{Name: "earnings", Private: true, Read: true, Run: r.earnings},
		{Name: "campaign", Sub: "new", Admin: true, Params: []Param{
			// both left out start the guided set-up
			{Name: "kind", Type: ParamString, Choices: []string{string(core.KindIdeas)}},
			{Name: "title", Type: ParamString},
			{Name: "description", Type: ParamText},
			{Name: "closes", Type: ParamDuration, Option: true},
			{Name: "tz", Type: ParamString, Option: true},
		}, Run: r.campaignNew},
		// ends a guided set-up under way
		{Name: "cancel", Run: r.cancel},
		{Name: "campaign", Sub: "list", Read: true, Run: r.campaignList},
		{Name: "campaign", Sub: "show", Read: true, Params: []Param{code}, Run: r.campaignShow},
		// closing or cancelling asks first, unless the command says confirm
		{Name: "campaign", Sub: "close", Admin: true, Params: []Param{code, {Name: "confirm", Type: ParamFlag}}, Run: r.campaignClose},
		{Name: "campaign", Sub: "cancel", Admin: true, Params: []Param{code, {Name: "confirm", Type: ParamFlag}}, Run: r.campaignCancel},
		{Name: "campaign", Sub: "link", Admin: true, Params: []Param{code, {Name: "key", Type: ParamString, Option: true}}, Run: r.campaignLink},
		{Name: "campaign", Sub: "invite", Admin: true, Private: true, Params: []Param{code}, Run: r.campaignInvite},
		{Name: "campaign", Sub: "schedule", Admin: true, Params: []Param{code, {Name: "spec", Type: ParamString, Required: true}}, Run: r.campaignSchedule},
	}
}

// houseActions are the buttons every campaign kind shares.
func (r *Router) houseActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		"lang": func(ctx context.Context, req *Request) ([]Reply, error) {
			return r.setLang(ctx, req, req.Act.Field(0))
		},
		// cx:<code>:close|cancel|keep: the answer to "close (or cancel) this campaign?"
		"cx": r.campaignEndAnswer,
	}
}

// HelpTopics are what /help gives details on: the campaigns in general, and each
// kind of campaign.
var HelpTopics = []string{"campaign", "ideas", "poll", "contest", "fundraiser", "tasks"}

// helpAliases are other words for the topics: singulars, plurals and short forms
// (the kinds' names in each language are taken from the catalog).
var helpAliases = map[string]string{
	"campaigns": "campaign", "idea": "ideas", "polls": "poll", "contests": "contest",
	"fund": "fundraiser", "fundraisers": "fundraiser", "pledge": "fundraiser", "task": "tasks",
}

// help gives a short overview grouped by campaign kind, or with a topic (/help poll)
// that topic's commands: admin commands only for admins.
func (r *Router) help(ctx context.Context, req *Request) ([]Reply, error) {
	if arg := req.Cmd.Rest(0); arg != "" {
		topic := r.helpTopic(arg)
		if topic == "" {
			return nil, core.Errorf(core.EINVALID, "error.help_topic", "topic", quoted(arg), "topics", strings.Join(HelpTopics, ", "))
		}
		rep := reply("help.topic." + topic)
		seen := map[string]bool{}
		for _, s := range r.specs {
			if s.topic != topic || s.Admin && !req.Actor.Admin || s.Name == "start" || seen[s.HelpKey()] {
				continue
			}
			seen[s.HelpKey()] = true
			rep.Lines = append(rep.Lines, M(s.HelpKey()))
		}
		return replies(rep)
	}
	rep := reply("help.title")
	for _, t := range HelpTopics {
		rep.Lines = append(rep.Lines, M("help.overview."+t))
	}
	if req.Actor.Admin {
		rep.Lines = append(rep.Lines, M("help.admin_note"))
	}
	return replies(rep)
}

// helpTopic returns the topic a word names, in any language, or "".
func (r *Router) helpTopic(word string) string {
	word = strings.ToLower(strings.Trim(strings.TrimSpace(word), "/"))
	if slices.Contains(HelpTopics, word) {
		return word
	}
	if t, ok := helpAliases[word]; ok {
		return t
	}
	for _, l := range core.Locales {
		for _, k := range core.Kinds {
			if strings.ToLower(r.T(l, M("kind."+string(k)))) == word {
				return string(k)
			}
		}
		if strings.ToLower(r.T(l, M("help.word.campaign"))) == word {
			return "campaign"
		}
	}
	return ""
}

// start greets a member who opened a private chat with the bot, or followed a link.
func (r *Router) start(ctx context.Context, req *Request) ([]Reply, error) {
	if payload := req.Cmd.Arg(0); payload != "" {
		if _, _, ok := core.ParseWizardPayload(payload); ok {
			return r.wizardResume(ctx, req, payload)
		}
		return r.startPayload(ctx, req, payload)
	}
	return replies(reply("start.welcome"))
}

func (r *Router) lang(ctx context.Context, req *Request) ([]Reply, error) {
	return r.setLang(ctx, req, strings.ToLower(req.Cmd.Arg(0)))
}

func (r *Router) setLang(ctx context.Context, req *Request, locale string) ([]Reply, error) {
	if locale == "auto" {
		locale = ""
	}
	if err := r.svc.SetLocale(ctx, req.Actor, locale); err != nil {
		return nil, err
	}
	// answer in the language just chosen
	req.Locale = locale
	if locale == "" {
		req.Locale = core.NormalizeLocale(req.In.Locale)
		if req.Locale == "" {
			req.Locale = core.Locales[0]
		}
	}
	return replies(Reply{Msg: M("lang.set", "language", req.Locale), Ephemeral: true})
}

// campaignNew creates an ideas campaign, or with no arguments at all starts the
// guided set-up of a campaign of any kind (wizard.go).
func (r *Router) campaignNew(ctx context.Context, req *Request) ([]Reply, error) {
	if req.Cmd.NArg() == 0 && len(req.Cmd.Opts) == 0 {
		return r.wizardStart(ctx, req)
	}
	if missing := []string{"<kind>", "<title>"}[min(req.Cmd.NArg(), 2):]; len(missing) > 0 {
		usage := (&Spec{Name: "campaign", Sub: "new"}).ID()
		return nil, core.Errorf(core.EINVALID, "error.usage", "usage", usage, "missing", strings.Join(missing, " "))
	}
	in, err := r.ideasInput(req)
	if err != nil {
		return nil, err
	}
	return r.makeIdeas(ctx, req, in)
}

// ideasInput reads /campaign new's arguments and options: only ideas campaigns are
// made with it, the other kinds having commands of their own.
func (r *Router) ideasInput(req *Request) (core.NewCampaign, error) {
	kind := core.Kind(strings.ToLower(req.Cmd.Arg(0)))
	if kind != core.KindIdeas {
		if kind.Valid() {
			return core.NewCampaign{}, core.Errorf(core.EINVALID, "error.campaign_new_kind", "kind", string(kind), "usage", kindUsage[kind])
		}
		return core.NewCampaign{}, core.Errorf(core.EINVALID, "error.bad_kind", "kind", string(kind))
	}
	in := core.NewCampaign{Kind: kind, Title: req.Cmd.Arg(1), Description: req.Cmd.Rest(2), TimeZone: req.Cmd.Opts["tz"]}
	closes, err := r.optDeadline(req, "closes", in.TimeZone)
	if err != nil {
		return core.NewCampaign{}, err
	}
	in.ClosesAt = closes
	return in, nil
}

// makeIdeas creates an ideas campaign and answers the admin.
func (r *Router) makeIdeas(ctx context.Context, req *Request, in core.NewCampaign) ([]Reply, error) {
	c, err := r.svc.CreateCampaign(ctx, req.Actor, in)
	if err != nil {
		return nil, err
	}
	return replies(r.created(c))
}

// kindUsage names the command that creates each kind with its own settings.
var kindUsage = map[core.Kind]string{
	core.KindPoll: "poll.new", core.KindContest: "contest.new",
	core.KindFundraiser: "fund.new", core.KindTasks: "tasks.new",
}

// created is the reply to a new campaign of any kind.
func (r *Router) created(c *core.Campaign) Reply {
	rep := reply("campaign.created", "kind", string(c.Kind), "title", c.Title, "code", c.Code)
	if c.ClosesAt != nil {
		rep.Lines = append(rep.Lines, M("campaign.closes_at", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
	}
	return rep
}

// optDeadline reads a deadline option (closes=48h, closes=2026-12-24) in the zone
// tz, or the space's; it returns nil when the option is absent.
func (r *Router) optDeadline(req *Request, name, tz string) (*time.Time, error) {
	v, ok := req.Cmd.Opts[name]
	if !ok {
		return nil, nil
	}
	if tz == "" {
		tz = req.Actor.Space.TimeZone
	}
	loc, err := core.LoadZone(tz)
	if err != nil {
		return nil, err
	}
	t, err := ParseDeadline(v, r.svc.Now(), loc)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (r *Router) campaignList(ctx context.Context, req *Request) ([]Reply, error) {
	list, err := r.svc.Campaigns(ctx, core.CampaignFilter{SpaceID: req.Actor.Space.ID, States: core.LiveStates(), Limit: 20})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return replies(reply("campaign.list_empty"))
	}
	rep := reply("campaign.list_title", "count", len(list))
	for _, c := range list {
		rep.Lines = append(rep.Lines, M("campaign.list_item", "code", c.Code, "kind", string(c.Kind), "title", c.Title, "state", string(c.State)))
	}
	return replies(rep)
}

func (r *Router) campaignShow(ctx context.Context, req *Request) ([]Reply, error) {
	c, err := r.svc.Campaign(ctx, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	return replies(r.show(ctx, req, c))
}

// show describes a campaign: what it is, its state, its deadline and how it is going.
func (r *Router) show(ctx context.Context, req *Request, c *core.Campaign) Reply {
	rep := reply("campaign.show", "kind", string(c.Kind), "title", c.Title, "code", c.Code, "state", string(c.State))
	if c.Description != "" {
		rep.Lines = append(rep.Lines, M("campaign.description", "text", c.Description))
	}
	if m, ok := r.whenLine(c); ok {
		rep.Lines = append(rep.Lines, m)
	}
	lines, err := r.summary(ctx, req, c)
	if err != nil {
		r.log.Error("campaign summary", "code", c.Code, "err", err)
	}
	rep.Lines = append(rep.Lines, lines...)
	return rep
}

// whenLine says when a campaign closes, or when it closed: a campaign closed before
// its deadline says so, with the deadline it had.
func (r *Router) whenLine(c *core.Campaign) (Msg, bool) {
	switch {
	case c.State.Final() && c.EndedEarly():
		return M("campaign.ended_early", "time", r.inZone(*c.EndedAt, c.TimeZone), "deadline", r.inZone(*c.ClosesAt, c.TimeZone)), true
	case c.State.Final() && c.EndedAt != nil:
		return M("campaign.ended_at", "time", r.inZone(*c.EndedAt, c.TimeZone)), true
	case c.State.Final():
		return Msg{}, false
	case c.ClosesAt != nil:
		return M("campaign.closes_at", "time", r.inZone(*c.ClosesAt, c.TimeZone)), true
	}
	return Msg{}, false
}

// closedKeys name what /campaign close answers, by the state the campaign ended in.
var closedKeys = map[core.State]string{
	core.StateClosed: "campaign.closed",
	core.StateFunded: "campaign.closed_funded",
	core.StateFailed: "campaign.closed_failed",
}

// summary returns the lines that tell how a campaign is going, by kind.
func (r *Router) summary(ctx context.Context, req *Request, c *core.Campaign) ([]Msg, error) {
	switch c.Kind {
	case core.KindIdeas:
		return r.ideaSummary(ctx, req, c)
	case core.KindContest:
		return r.contestSummary(ctx, req, c)
	case core.KindFundraiser:
		return r.fundSummary(ctx, req, c)
	case core.KindPoll:
		return r.pollSummary(ctx, req, c)
	case core.KindTasks:
		return r.taskSummary(ctx, req, c)
	}
	return nil, nil
}

func (r *Router) campaignClose(ctx context.Context, req *Request) ([]Reply, error) {
	if !req.Cmd.Flag("confirm") {
		return r.confirmEnd(ctx, req, codeArg(req, 0), false)
	}
	c, err := r.svc.CloseCampaign(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	key, ok := closedKeys[c.State]
	if !ok {
		key = "campaign.closed"
	}
	return replies(reply(key, "title", c.Title, "code", c.Code, "state", string(c.State)))
}

func (r *Router) campaignCancel(ctx context.Context, req *Request) ([]Reply, error) {
	if !req.Cmd.Flag("confirm") {
		return r.confirmEnd(ctx, req, codeArg(req, 0), true)
	}
	c, err := r.svc.CancelCampaign(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	return replies(reply("campaign.cancelled", "title", c.Title, "code", c.Code))
}

func (r *Router) campaignLink(ctx context.Context, req *Request) ([]Reply, error) {
	c, err := r.svc.LinkChannel(ctx, req.Actor, codeArg(req, 0), strings.TrimSpace(req.Cmd.Opts["key"]))
	if err != nil {
		return nil, err
	}
	return replies(reply("campaign.linked", "title", c.Title, "code", c.Code))
}

// campaignInvite gives a campaign's admin the key that lets another community's
// admin link it to their channel.
func (r *Router) campaignInvite(ctx context.Context, req *Request) ([]Reply, error) {
	c, key, until, err := r.svc.LinkKey(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	return replies(reply("campaign.invite", "title", c.Title, "code", c.Code, "key", key, "until", r.inZone(until, c.TimeZone)))
}

func (r *Router) campaignSchedule(ctx context.Context, req *Request) ([]Reply, error) {
	c, err := r.svc.SetSchedule(ctx, req.Actor, codeArg(req, 0), req.Cmd.Rest(1))
	if err != nil {
		return nil, err
	}
	next, err := r.svc.NextRun(c.Schedule, c.TimeZone, r.svc.Now())
	if err != nil {
		return nil, err
	}
	return replies(reply("campaign.scheduled", "code", c.Code, "spec", c.Schedule, "next", r.inZone(next, c.TimeZone)))
}

// inZone shows a time in a campaign's zone.
func (r *Router) inZone(t time.Time, tz string) time.Time {
	if loc, err := core.LoadZone(tz); err == nil {
		return t.In(loc)
	}
	return t
}

// earnings shows the member what they earned, per campaign and currency.
func (r *Router) earnings(ctx context.Context, req *Request) ([]Reply, error) {
	list, err := r.svc.Earnings(ctx, req.Actor)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return replies(reply("earnings.none"))
	}
	rep := reply("earnings.title")
	for _, e := range list {
		rep.Lines = append(rep.Lines, M("earnings.item", "code", e.Code, "title", e.Title, "amount", e.Amount, "count", e.Count))
	}
	return replies(rep)
}

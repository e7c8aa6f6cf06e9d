package bots

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"time"

	"crowdbot/bots/i18n"
	"crowdbot/core"
)

// ParamType tells adapters how to ask for a parameter (Discord's typed options).
type ParamType int

// Parameter types.
const (
	ParamString     ParamType = iota // one word or a quoted phrase
	ParamText                        // free text to the end of the line
	ParamInt                         // a whole number
	ParamCode                        // a campaign code
	ParamAmount                      // an amount with a currency
	ParamDuration                    // a duration or a deadline
	ParamAttachment                  // a file
	ParamFlag                        // a bare word that switches something on
)

// Param describes one parameter of a command, for help and for adapters that show
// typed options.
type Param struct {
	Name     string
	Type     ParamType
	Required bool
	// Option params are given as name=value on text platforms.
	Option  bool
	Choices []string
	// Repeat is how many times a positional param may repeat (poll options); 0 is once.
	Repeat int
}

// Spec is one command (or subcommand) the Router knows.
type Spec struct {
	Name string // the command, as typed after the slash
	Sub  string // the subcommand (first argument), or "" for the command itself
	// Admin commands are refused to members who are not admins.
	Admin bool
	// Submit commands count against the member's submission rate limit.
	Submit bool
	// Private commands answer privately (share links, earnings).
	Private bool
	// Read commands change nothing: a guest runs them without becoming a member.
	Read bool
	// Later commands make one change whose store call finds or makes the member
	// itself (core.Service.IdentifyLater), as the vote buttons do: a crowd's first
	// pledges.
	Later  bool
	Params []Param
	Run    func(ctx context.Context, req *Request) ([]Reply, error)
	// topic is the help topic the command is listed under (HelpTopics)
	topic string
}

// ID returns "name" or "name.sub", the suffix of the spec's help key.
func (s *Spec) ID() string {
	if s.Sub == "" {
		return s.Name
	}
	return s.Name + "." + s.Sub
}

// HelpKey is the catalog key of the spec's one-line usage and description.
func (s *Spec) HelpKey() string { return "help." + s.ID() }

// ActionFunc handles a pressed button or an answered question.
type ActionFunc func(ctx context.Context, req *Request) ([]Reply, error)

// Request is what a command or action handler gets.
type Request struct {
	In     Input
	Actor  core.Actor
	Locale string
	Cmd    *Command // the command, for commands
	Act    Action   // the action, for buttons and answers
	Text   string   // the answer's text, for answered questions
	// here is the actor in the chat the member speaks in, when Actor acts for a
	// space elsewhere (a set-up answered in a private chat for a group)
	here *core.Actor
}

// talker is the actor in the chat the member speaks in, where questions wait for
// their answers.
func (req *Request) talker() core.Actor {
	if req.here != nil {
		return *req.here
	}
	return req.Actor
}

// Options configure a Router.
type Options struct {
	Service *core.Service
	Catalog *i18n.Catalog
	// Owners are admins everywhere, as "platform:id".
	Owners []string
	// SubmissionsPerMinute bounds each member's submissions; 0 turns it off.
	SubmissionsPerMinute int
	Metrics              *Metrics
	Logger               *slog.Logger
	// PublicURL is where the web pages are reached, for links.
	PublicURL string
	// TelegramBot is the bot's username, for t.me deep links; "" leaves them out.
	TelegramBot string
	// Deadline bounds the handling of one input, waiting for the database included;
	// 0 for DefaultDeadline.
	Deadline time.Duration
	// MaxInFlight is how many inputs are handled at once; an input past it is
	// answered at once that the bot is busy, so that a stalled database makes no
	// queue of waiting requests. 0 for DefaultMaxInFlight.
	MaxInFlight int
}

// Defaults of Options.
const (
	DefaultDeadline    = 10 * time.Second
	DefaultMaxInFlight = 512
)

// Router runs Inputs against core and answers with Replies.
type Router struct {
	svc     *core.Service
	cat     *i18n.Catalog
	owners  map[string]bool
	limiter *limiter
	metrics *Metrics
	log     *slog.Logger
	opts    Options
	specs   []*Spec
	byName  map[string][]*Spec
	actions map[string]ActionFunc
	cards   map[string]CardFunc
	pics    pictures // progress pictures and their cache (card.go)
	// inFlight holds a place for each input being handled
	inFlight chan struct{}
}

// NewRouter returns a Router with every command and action registered.
func NewRouter(o Options) *Router {
	r := &Router{
		svc:     o.Service,
		cat:     o.Catalog,
		owners:  map[string]bool{},
		limiter: newLimiter(o.SubmissionsPerMinute),
		metrics: o.Metrics,
		log:     o.Logger,
		opts:    o,
		byName:  map[string][]*Spec{},
		actions: map[string]ActionFunc{},
		cards:   map[string]CardFunc{},
	}
	if r.cat == nil {
		r.cat = i18n.MustLoad()
	}
	if r.metrics == nil {
		r.metrics = NewMetrics()
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.opts.Deadline <= 0 {
		r.opts.Deadline = DefaultDeadline
	}
	if r.opts.MaxInFlight <= 0 {
		r.opts.MaxInFlight = DefaultMaxInFlight
	}
	r.inFlight = make(chan struct{}, r.opts.MaxInFlight)
	for _, o := range o.Owners {
		r.owners[o] = true
	}
	for i, group := range [][]*Spec{
		r.houseCommands(), r.ideaCommands(), r.pollCommands(), r.contestCommands(),
		r.fundraiserCommands(), r.taskCommands(), r.spreadCommands(), r.correctionCommands(), r.recognitionCommands(),
	} {
		// the groups' help topics, in the order above: sharing and recognition are the campaigns' too;
		// the corrections name their own
		topic := []string{"campaign", "ideas", "poll", "contest", "fundraiser", "tasks", "campaign", "", "campaign"}[i]
		for _, s := range group {
			if s.topic == "" {
				s.topic = topic
			}
			r.specs = append(r.specs, s)
			r.byName[s.Name] = append(r.byName[s.Name], s)
		}
	}
	for _, group := range []map[string]ActionFunc{
		r.houseActions(), r.ideaActions(), r.pollActions(), r.contestActions(),
		r.fundraiserActions(), r.taskActions(), r.spreadActions(), r.discussionActions(),
		r.wizardActions(),
	} {
		for verb, f := range group {
			if _, dup := r.actions[verb]; dup {
				panic("bots: action verb registered twice: " + verb)
			}
			r.actions[verb] = f
		}
	}
	for _, group := range []map[string]CardFunc{
		r.pollCards(), r.contestCards(), r.fundraiserCards(), r.taskCards(), r.spreadCards(),
		r.recognitionCards(), r.discussionCards(),
	} {
		for key, f := range group {
			r.cards[key] = f
		}
	}
	return r
}

// Deadline is how long one input may take (Options.Deadline).
func (r *Router) Deadline() time.Duration { return r.opts.Deadline }

// Specs lists every command, for adapters that register them with their platform.
func (r *Router) Specs() []*Spec { return r.specs }

// Catalog returns the Router's catalog, for adapters that render announcements.
func (r *Router) Catalog() *i18n.Catalog { return r.cat }

// Handle runs one input and returns the replies, rendered in the member's language.
// It never fails: a refusal is a translated reply, an internal error is logged and
// answered with an apology, and a repeated update gets no reply at all. It runs
// under the Router's deadline, and past MaxInFlight inputs at once it answers
// straight away that the bot is busy; replies to a failure carry its code (Failure).
func (r *Router) Handle(ctx context.Context, in Input) []Reply {
	select {
	case r.inFlight <- struct{}{}:
		defer func() { <-r.inFlight }()
	default:
		req := &Request{In: in, Locale: inputLocale(in)}
		return r.render(req, r.failure(req, "busy", core.Errorf(core.EUNAVAILABLE, "error.unavailable")))
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Deadline)
	defer cancel()
	if in.ThreadsOnly && !r.inIdeaThread(ctx, in) {
		return nil
	}
	req, err := r.identify(ctx, in)
	if err != nil {
		// the member's own language is in the database that just failed: the one
		// their platform gives will do
		req := &Request{In: in, Locale: inputLocale(in)}
		return r.render(req, r.failure(req, "identify", err))
	}
	ctx = core.WithUpdate(ctx, in.Platform, in.UpdateID)
	what, replies, err := r.dispatch(ctx, req)
	r.metrics.Updates.WithLabelValues(string(in.Platform), what).Inc()
	var notices []Reply
	if err != nil {
		replies = r.failure(req, what, err)
	} else if in.Notices && in.Action == "" {
		// with a message, not a button press: a press is answered in place, and
		// a crowd's presses cost no read more
		notices = r.notices(ctx, req)
	}
	for _, rep := range replies {
		if rep.Prompt != nil && rep.Prompt.Action != "" {
			if err := r.svc.AskUntil(ctx, req.Actor, rep.Prompt.Action, rep.Prompt.TTL); err != nil {
				r.log.Error("save prompt", "err", err)
			}
		}
	}
	return r.withImages(ctx, req, append(notices, r.render(req, replies)...))
}

// notices renders the private notices waiting for the member, for a front end that
// shows them with its next answer (Input.Notices), in the member's language of now.
// They are marked delivered as they are taken: one that cannot be rendered is
// logged and left out rather than shown again and again.
func (r *Router) notices(ctx context.Context, req *Request) []Reply {
	items, err := r.svc.TakeNotices(ctx, req.Actor)
	if err != nil {
		r.log.Error("take notices", "member", req.Actor.Member.ID, "err", err)
		return nil
	}
	var out []Reply
	for _, it := range items {
		rep, err := r.Card(ctx, it.Announcement, req.Locale)
		if err != nil {
			r.log.Error("render notice", "outbox", it.ID, "key", it.Announcement.Key, "err", err)
			continue
		}
		rep.Ephemeral = true
		out = append(out, rep)
	}
	return out
}

// inputLocale is the language of an input as its platform gives it, or the first.
func inputLocale(in Input) string {
	if l := core.NormalizeLocale(in.Locale); l != "" {
		return l
	}
	return core.Locales[0]
}

// identify loads the space and member and works out language and admin rights.
func (r *Router) identify(ctx context.Context, in Input) (*Request, error) {
	identify := r.svc.Identify
	switch {
	case in.Action != "" && identifiesLater[ParseAction(in.Action).Verb], r.later(in):
		identify = r.svc.IdentifyLater
	case in.Guest && r.reads(in):
		identify = r.svc.IdentifyGuest
	}
	sp, m, err := identify(ctx, in.Space, in.Member)
	if err != nil {
		return nil, err
	}
	locale := m.Locale
	if locale == "" {
		locale = core.NormalizeLocale(in.Locale)
	}
	if locale == "" {
		locale = core.NormalizeLocale(sp.Locale)
	}
	if locale == "" {
		locale = core.Locales[0]
	}
	return &Request{
		In:     in,
		Locale: locale,
		Actor:  r.Actor(in, sp, m),
	}, nil
}

// identifiesLater lists the actions whose one change finds or makes their member
// itself, in the same statement (core.Service.IdentifyLater): the vote buttons a crowd
// of people the bot has never seen presses.
var identifiesLater = map[string]bool{"iv": true, "pv": true}

// later reports whether an input is a Later command.
func (r *Router) later(in Input) bool {
	if in.Action != "" || in.Payment != nil {
		return false
	}
	spec, _ := r.command(in)
	return spec != nil && spec.Later
}

// reads reports whether an input only reads: a Read command, or plain text, which
// answers a question a guest was never asked. A button press changes something.
func (r *Router) reads(in Input) bool {
	if in.Action != "" {
		return false
	}
	spec, text := r.command(in)
	return text || spec == nil || spec.Read
}

// command finds the spec of an input's command, or reports that its text is no
// command.
func (r *Router) command(in Input) (spec *Spec, text bool) {
	cmd := in.Command
	if cmd == nil {
		var ok bool
		if cmd, ok = ParseCommand(in.Text); !ok {
			return nil, true
		}
	}
	return r.find(cmd), false
}

// enroll makes the member row of a guest who is about to change something.
func (r *Router) enroll(ctx context.Context, req *Request) error {
	if req.Actor.Member.ID != 0 {
		return nil
	}
	_, m, err := r.svc.Identify(ctx, req.In.Space, req.In.Member)
	if err != nil {
		return err
	}
	req.Actor.Member = *m
	return nil
}

// Actor is who speaks in an input, with their rights: an owner (configured, or
// authenticated by the front end) is an admin everywhere and manages every campaign;
// the platform's admin is an admin of the space they speak in. Which campaigns an
// admin manages is core's rule (core.Actor.Manages).
func (r *Router) Actor(in Input, sp *core.Space, m *core.Member) core.Actor {
	owner := in.Owner || r.owners[string(in.Member.Platform)+":"+in.Member.ExternalID]
	return core.Actor{Member: *m, Space: *sp, Channel: in.Channel, Admin: in.Admin || owner, Owner: owner}
}

// dispatch finds the handler for an input and runs it. It returns a label for
// metrics and logs.
func (r *Router) dispatch(ctx context.Context, req *Request) (string, []Reply, error) {
	in := req.In
	if in.Payment != nil {
		return r.payment(ctx, req)
	}
	if in.Action != "" {
		return r.runAction(ctx, req, in.Action, in.Text)
	}
	if in.ThreadsOnly {
		// chat in an idea's thread is a comment, whatever it looks like
		label, replies, ok, err := r.threadComment(ctx, req)
		if !ok {
			return "text", nil, nil
		}
		return label, replies, err
	}
	cmd := in.Command
	if cmd == nil {
		var ok bool
		cmd, ok = ParseCommand(in.Text)
		if !ok {
			if strings.HasPrefix(strings.TrimSpace(in.Text), "/") {
				return "unknown", nil, core.Errorf(core.EINVALID, "error.unknown_command", "command", firstWord(in.Text))
			}
			if in.ReplyTo != "" && strings.TrimSpace(in.Text) != "" {
				// a reply to an idea's card is a comment on the idea
				if label, replies, ok, err := r.replyComment(ctx, req); ok {
					return label, replies, err
				}
			}
			if in.Thread.ID != "" && strings.TrimSpace(in.Text) != "" {
				// a message in an idea's thread is a comment on the idea
				if label, replies, ok, err := r.threadComment(ctx, req); ok {
					return label, replies, err
				}
			}
			// plain text answers a pending question, or is chat the bot ignores in a
			// group; in a private chat it gets a hint. A guest was never asked one.
			action := ""
			if req.Actor.Member.ID != 0 {
				var err error
				if action, err = r.svc.PendingPrompt(ctx, req.Actor, in.Private); err != nil {
					return "text", nil, err
				}
			}
			if action == "" {
				if in.Private && strings.TrimSpace(in.Text) != "" {
					return "text", []Reply{{Msg: M("help.hint"), Ephemeral: true}}, nil
				}
				return "text", nil, nil
			}
			label, replies, err := r.runAction(ctx, req, action, in.Text)
			if core.ErrorCode(err) == core.EINVALID {
				// a refused answer (too long, not a number) leaves the question open, so
				// the member's next try is read as its answer too
				if perr := r.svc.AskFor(ctx, req.Actor, action); perr != nil {
					r.log.Error("save prompt", "err", perr)
				}
			}
			return label, replies, err
		}
	}
	spec := r.find(cmd)
	if spec == nil {
		return "unknown", nil, core.Errorf(core.EINVALID, "error.unknown_command", "command", "/"+cmd.Name)
	}
	label := spec.ID()
	if spec.Sub != "" {
		cmd.Args = cmd.Args[1:]
	}
	if spec.Admin && !req.Actor.Admin {
		return label, nil, core.Errorf(core.EFORBIDDEN, "error.admin_only")
	}
	if err := r.checkArgs(spec, cmd); err != nil {
		return label, nil, err
	}
	later := spec.Later && req.Actor.Member.ID == 0
	if !spec.Read && !later {
		if err := r.enroll(ctx, req); err != nil {
			return label, nil, err
		}
	}
	if spec.Submit && !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
		return label, nil, core.Errorf(core.ELIMIT, "error.slow_down")
	}
	req.Cmd = cmd
	replies, err := spec.Run(ctx, req)
	if later {
		r.identified(ctx, req, err)
	}
	if spec.Private {
		for i := range replies {
			replies[i].Ephemeral = true
		}
	}
	return label, replies, err
}

// find returns the spec for a command: the subcommand named by the first argument if
// there is one, else the command itself.
func (r *Router) find(cmd *Command) *Spec {
	specs := r.byName[cmd.Name]
	if len(cmd.Args) > 0 && !cmd.Args[0].Quoted || len(cmd.Args) > 0 && cmd.raw == "" {
		sub := strings.ToLower(cmd.Arg(0))
		for _, s := range specs {
			if s.Sub != "" && s.Sub == sub {
				return s
			}
		}
	}
	for _, s := range specs {
		if s.Sub == "" {
			return s
		}
	}
	return nil
}

// checkArgs refuses a command missing a required parameter, naming every one that
// is missing (an option as "prize=", an argument as "<code>"), with its usage.
func (r *Router) checkArgs(spec *Spec, cmd *Command) error {
	pos := 0
	var missing []string
	for _, p := range spec.Params {
		switch {
		case p.Type == ParamFlag || p.Type == ParamAttachment:
		case p.Option:
			if _, ok := cmd.Opts[p.Name]; p.Required && !ok {
				missing = append(missing, p.Name+"=")
			}
		default:
			if p.Required && pos >= len(cmd.Args) {
				missing = append(missing, "<"+p.Name+">")
			}
			pos++
		}
	}
	if len(missing) > 0 {
		return core.Errorf(core.EINVALID, "error.usage", "usage", spec.ID(), "missing", strings.Join(missing, " "))
	}
	for k := range cmd.Opts {
		known := false
		for _, p := range spec.Params {
			if p.Name == k && (p.Option || p.Type == ParamFlag) {
				known = true
			}
		}
		if !known {
			return core.Errorf(core.EINVALID, "error.unknown_option", "option", k, "usage", spec.ID())
		}
	}
	return nil
}

// runAction runs the handler of an action id.
func (r *Router) runAction(ctx context.Context, req *Request, id, text string) (string, []Reply, error) {
	act := ParseAction(id)
	f, ok := r.actions[act.Verb]
	if !ok || len(id) > MaxActionLen {
		return "action", nil, core.Errorf(core.EINVALID, "error.unknown_action")
	}
	later := identifiesLater[act.Verb]
	if !later {
		if err := r.enroll(ctx, req); err != nil {
			return "action", nil, err
		}
	}
	req.Act, req.Text = act, text
	replies, err := f(ctx, req)
	if later {
		r.identified(ctx, req, err)
	}
	return "action:" + act.Verb, replies, err
}

// identified finishes an input identified later, once its change ran (err is how it
// ended): a member the change did not reach the store for is looked up, and the
// member's own language, which the store filled in, is the reply's.
func (r *Router) identified(ctx context.Context, req *Request, err error) {
	if err != nil && req.Actor.Member.ID == 0 && core.ErrorCode(err) != core.EUNAVAILABLE {
		// refused before the store found the member: who are they?
		if rerr := r.svc.Recall(ctx, &req.Actor); rerr != nil {
			r.log.Warn("recall member", "err", rerr)
		}
	}
	if l := req.Actor.Member.Locale; l != "" {
		// the member, filled in by the change, chose a language
		req.Locale = l
	}
}

// failure turns an error into the reply a member sees.
func (r *Router) failure(req *Request, what string, err error) []Reply {
	code := core.ErrorCode(err)
	r.metrics.Errors.WithLabelValues(string(req.In.Platform), string(code)).Inc()
	if code == core.EDUPLICATE {
		return nil // handled before; say nothing twice
	}
	reply := Reply{Msg: M("error.internal"), Ephemeral: true, Toast: req.In.Action != "", Failure: code}
	switch e := core.AsError(err); {
	case code == core.EUNAVAILABLE:
		// out of time or out of reach: said plainly, never "nothing was lost"
		r.log.Warn("handle", "platform", req.In.Platform, "what", what, "member", req.Actor.Member.ID, "err", err)
		reply.Msg = M("error.unavailable")
	case e != nil && code != core.EINTERNAL:
		reply.Msg = Msg{Key: e.Key, Args: e.Args}
	default:
		r.log.Error("handle", "platform", req.In.Platform, "what", what, "member", req.Actor.Member.ID, "err", err)
	}
	return []Reply{reply}
}

// render fills in the text of every reply and button label.
func (r *Router) render(req *Request, replies []Reply) []Reply {
	for i := range replies {
		rep := &replies[i]
		var b strings.Builder
		if rep.Key != "" {
			b.WriteString(r.T(req.Locale, rep.Msg))
		}
		for _, l := range rep.Lines {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(r.T(req.Locale, l))
		}
		rep.Text = b.String()
		for _, row := range rep.Buttons {
			for j := range row {
				if row[j].Label == "" {
					row[j].Label = r.T(req.Locale, row[j].Msg)
				}
			}
		}
		if rep.Prompt != nil && rep.Prompt.Key != "" {
			rep.Prompt.Text = r.T(req.Locale, rep.Prompt.Msg)
		}
		if rep.Prompt != nil && rep.Prompt.Label == "" {
			rep.Prompt.Label = r.T(req.Locale, M("button.answer"))
		}
	}
	return replies
}

// T renders a message in a locale. Arguments are made readable first: money in the
// locale's format, times as dates, a "field" or "usage" by its own key.
func (r *Router) T(locale string, m Msg) string {
	return r.cat.T(locale, m.Key, r.renderArgs(locale, m.Args))
}

func (r *Router) renderArgs(locale string, args map[string]any) map[string]any {
	if len(args) == 0 {
		return args
	}
	out := make(map[string]any, len(args))
	for k, v := range args {
		switch v := v.(type) {
		case core.Money:
			out[k] = v.Format(locale)
		case time.Time:
			out[k] = v.Format("2006-01-02 15:04 MST")
		case *time.Time:
			if v != nil {
				out[k] = v.Format("2006-01-02 15:04 MST")
			}
		case Msg:
			out[k] = r.T(locale, v)
		case float64:
			// numbers that went through the outbox's JSON come back as float64
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				out[k] = int64(v)
			} else {
				out[k] = v
			}
		case map[string]any:
			// so does money
			if m, ok := moneyFromJSON(v); ok {
				out[k] = m.Format(locale)
			} else {
				out[k] = v
			}
		case string:
			out[k] = v
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil && len(v) >= 20 {
				// and times
				out[k] = t.Format("2006-01-02 15:04 MST")
			}
			if prefix, ok := KeyedArgs[k]; ok && r.cat.Has(prefix+v) {
				out[k] = r.cat.T(locale, prefix+v, nil)
			}
			if k == "kind" && r.cat.Has("kind.a."+v) {
				// the kind with its article, as a sentence needs it: "an ideas
				// campaign", "a poll"
				out["kind_a"] = r.cat.T(locale, "kind.a."+v, nil)
			}
		default:
			out[k] = v
		}
	}
	return out
}

// KeyedArgs names message arguments whose values are words with a translation of
// their own: the value v of argument k is shown as the message KeyedArgs[k]+v. Core
// passes such values raw ("done", "fundraiser") so they survive the outbox's JSON.
var KeyedArgs = map[string]string{
	"field":    "field.",
	"usage":    "help.",
	"kind":     "kind.",
	"state":    "state.",
	"language": "lang.name.",
	"sort":     "ideas.sort.",
	"status":   "idea.status.",
	// contests
	"contest_type": "contest.type.",
	"judging":      "contest.judging.",
	"payout":       "contest.payout.",
	// fundraisers
	"mode": "fund.mode.",
	// tasks: an answer type and an answer's status
	"task_type":   "tasks.type.",
	"task_status": "tasks.status.",
}

// moneyFromJSON reads a core.Money that went through JSON.
func moneyFromJSON(v map[string]any) (core.Money, bool) {
	amount, ok1 := v["Amount"].(float64)
	currency, ok2 := v["Currency"].(string)
	if !ok1 || !ok2 || len(v) != 2 {
		return core.Money{}, false
	}
	return core.Money{Amount: int64(amount), Currency: currency}, true
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	w := f[0]
	if len(w) > 40 {
		w = w[:40]
	}
	return w
}

// reply is a shorthand for a one-message reply.
func reply(key string, args ...any) Reply { return Reply{Msg: M(key, args...)} }

// replies wraps replies in a slice with no error.
func replies(rs ...Reply) ([]Reply, error) { return rs, nil }

// codeArg reads the campaign code at positional argument i.
func codeArg(req *Request, i int) string { return strings.TrimSpace(req.Cmd.Arg(i)) }

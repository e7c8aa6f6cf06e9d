package bots

import (
	"context"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode"

	"crowdbot/core"
)

// contestCommands lists the commands of the contest area.
func (r *Router) contestCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	entry := Param{Name: "entry", Type: ParamInt, Required: true}
	return []*Spec{
		{Name: "contest", Sub: "new", Admin: true, Params: []Param{
			{Name: "title", Type: ParamString, Required: true},
			{Name: "brief", Type: ParamText, Option: true, Required: true},
			{Name: "prize", Type: ParamAmount, Option: true, Required: true},
			{Name: "entries_close", Type: ParamDuration, Option: true, Required: true},
			{Name: "voting_close", Type: ParamDuration, Option: true, Required: true},
			{Name: "type", Type: ParamString, Option: true, Choices: names(core.ContestTypes)},
			{Name: "per_member", Type: ParamInt, Option: true},
			{Name: "blind", Type: ParamFlag},
			{Name: "judging", Type: ParamString, Option: true, Choices: names(core.Judgings)},
			{Name: "finalists", Type: ParamInt, Option: true},
			{Name: "final_round", Type: ParamDuration, Option: true},
			{Name: "tz", Type: ParamString, Option: true},
		}, Run: r.contestNew},
		// the entries are one text ("12 15 18"), not a repeated number: Discord
		// offers at most 25 options, fewer than the code and MaxFinalists entries
		{Name: "contest", Sub: "finalists", Admin: true, Params: []Param{code,
			{Name: "entries", Type: ParamText, Required: true}}, Run: r.contestFinalists},
		{Name: "contest", Sub: "pick", Admin: true, Params: []Param{code, entry}, Run: r.contestPick},
		{Name: "contest", Sub: "use", Admin: true, Params: []Param{code, entry, {Name: "amount", Type: ParamAmount}}, Run: r.contestUse},
		{Name: "contest", Sub: "disqualify", Admin: true, Params: []Param{code, entry,
			{Name: "reason", Type: ParamText, Required: true}}, Run: r.contestDisqualify},
		{Name: "contest", Sub: "payouts", Admin: true, Private: true, Params: []Param{code}, Run: r.contestPayouts},
		{Name: "enter", Submit: true, Params: []Param{code,
			{Name: "title", Type: ParamString},
			{Name: "content", Type: ParamText},
			{Name: "file", Type: ParamAttachment},
		}, Run: r.enter},
		{Name: "entries", Read: true, Params: []Param{code}, Run: func(ctx context.Context, req *Request) ([]Reply, error) {
			return r.entryPage(ctx, req, codeArg(req, 0), 0, false)
		}},
	}
}

// contestActions lists the button actions of the contest area.
func (r *Router) contestActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		// cv:<entry id>: vote for an entry, or move one's vote to it
		"cv": r.contestVote,
		// ce:<code>:<index>: browse to another entry, in place
		"ce": func(ctx context.Context, req *Request) ([]Reply, error) {
			return r.entryPage(ctx, req, req.Act.Field(0), int(max(req.Act.Int(1), 0)), true)
		},
		// cb:<code>: browse from an announcement, in a new message
		"cb": func(ctx context.Context, req *Request) ([]Reply, error) {
			reps, err := r.entryPage(ctx, req, req.Act.Field(0), 0, false)
			for i := range reps {
				reps[i].Ephemeral = true
			}
			return reps, err
		},
		// ca:<code>: ask for an entry; answered with text, a link, or a picture
		"ca": func(ctx context.Context, req *Request) ([]Reply, error) {
			title, content := splitLink(req.Text)
			if len(req.In.Attachments) == 0 && title == "" && content == "" {
				return r.entryPrompt(ctx, req, req.Act.Field(0))
			}
			if !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
				return nil, core.Errorf(core.ELIMIT, "error.slow_down")
			}
			return r.submitEntry(ctx, req, req.Act.Field(0), title, content)
		},
	}
}

// contestCards lists the announcement cards of the contest area: phase changes get
// a button to browse and vote, and every argument gets its type back from the
// outbox's JSON (money is read in each channel's own format, counts pick plurals,
// entry numbers print as numbers).
func (r *Router) contestCards() map[string]CardFunc {
	return map[string]CardFunc{
		"announce.contest_voting":   contestCard(true),
		"announce.contest_final":    contestCard(true),
		"announce.contest_winner":   contestCard(false),
		"announce.contest_closed":   contestCard(false),
		"announce.contest_empty":    contestCard(false),
		"notice.contest_won":        contestCard(false),
		"notice.entry_used":         contestCard(false),
		"notice.entry_disqualified": contestCard(false),
	}
}

func contestCard(browse bool) CardFunc {
	return func(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
		rep := Reply{Msg: Msg{Key: a.Key, Args: outboxArgs(a.Args)}}
		if code, _ := a.Args["code"].(string); browse && core.ValidCode(code) {
			rep.Buttons = [][]Button{{{Msg: M("contest.button_browse"), Action: ActionID("cb", code), Style: StyleSuccess}}}
		}
		return rep, nil
	}
}

// outboxArgs undoes what the outbox's JSON did to arguments: whole numbers came
// back as float64 (which plural forms refuse) and amounts as {"Amount": 30000,
// "Currency": "EUR"} instead of core.Money.
func outboxArgs(args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			out[k] = int64(f)
			continue
		}
		if m, ok := v.(map[string]any); ok {
			amount, aok := m["Amount"].(float64)
			currency, cok := m["Currency"].(string)
			if aok && cok {
				out[k] = core.Money{Amount: int64(amount), Currency: currency}
				continue
			}
		}
		out[k] = v
	}
	return out
}

func names[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// optInt reads a whole-number option; absent is def.
func optInt(req *Request, name string, def int) (int, error) {
	v, ok := req.Cmd.Opts[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, core.Errorf(core.EINVALID, "error.contest_bad_number", "option", name, "text", quoted(v))
	}
	return n, nil
}

func (r *Router) contestNew(ctx context.Context, req *Request) ([]Reply, error) {
	in, err := r.contestInput(req)
	if err != nil {
		return nil, err
	}
	return r.makeContest(ctx, req, in)
}

// contestInput reads /contest new's arguments and options.
func (r *Router) contestInput(req *Request) (core.NewContest, error) {
	cmd := req.Cmd
	blind := cmd.Flag("blind")
	if cmd.NArg() != 1 {
		// an unquoted title or brief spills into the arguments
		return core.NewContest{}, core.Errorf(core.EINVALID, "error.usage", "usage", "contest.new")
	}
	in := core.NewContest{Title: cmd.Arg(0), Brief: cmd.Opts["brief"], Blind: blind, TimeZone: cmd.Opts["tz"],
		Type: core.ContestType(strings.ToLower(cmd.Opts["type"])), Judging: core.Judging(strings.ToLower(cmd.Opts["judging"]))}
	var err error
	if in.Prize, err = core.ParseMoney(cmd.Opts["prize"], ""); err != nil {
		return core.NewContest{}, err
	}
	if in.PerMember, err = optInt(req, "per_member", 1); err != nil {
		return core.NewContest{}, err
	}
	if in.Finalists, err = optInt(req, "finalists", 0); err != nil {
		return core.NewContest{}, err
	}
	entries, err := r.optDeadline(req, "entries_close", in.TimeZone)
	if err != nil {
		return core.NewContest{}, err
	}
	voting, err := r.optDeadline(req, "voting_close", in.TimeZone)
	if err != nil {
		return core.NewContest{}, err
	}
	in.EntriesClose, in.VotingClose = *entries, *voting
	if in.FinalAt, err = r.optDeadline(req, "final_round", in.TimeZone); err != nil {
		return core.NewContest{}, err
	}
	return in, nil
}

// makeContest creates a contest and answers the admin.
func (r *Router) makeContest(ctx context.Context, req *Request, in core.NewContest) ([]Reply, error) {
	c, k, err := r.svc.CreateContest(ctx, req.Actor, in)
	if err != nil {
		return nil, err
	}
	rep := reply("contest.new", "title", c.Title, "code", c.Code, "contest_type", string(k.Type), "prize", k.Prize,
		"judging", string(k.Judging))
	rep.Lines = append(rep.Lines, M("contest.phase_open", "time", r.inZone(k.EntriesCloseAt, c.TimeZone)))
	if k.FinalAt != nil {
		rep.Lines = append(rep.Lines, M("contest.new_final", "count", k.Finalists, "time", r.inZone(*k.FinalAt, c.TimeZone)))
	}
	rep.Lines = append(rep.Lines, M("contest.new_voting", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
	if k.Blind {
		rep.Lines = append(rep.Lines, M("contest.new_blind"))
	}
	rep.Lines = append(rep.Lines, M("contest.new_how", "code", c.Code, "count", k.PerMember))
	return replies(rep)
}

// entryID reads the entry id at positional argument i ("12" or "#12").
// entryRef reads the entry named by the first two positional arguments: the
// contest's code and the entry's number there ("3" or "#3"); usage names the
// command. A number alone is refused: numbers repeat from one contest to the next.
func (r *Router) entryRef(ctx context.Context, req *Request, usage Msg) (*core.Entry, error) {
	code := codeArg(req, 0)
	if _, ok := core.ParseNumber(code); ok && !core.ValidCode(code) {
		return nil, core.Errorf(core.EINVALID, "error.ref_needs_code", "text", quoted(code), "usage", usage)
	}
	n, err := parseEntryID(req.Cmd.Arg(1))
	if err != nil {
		return nil, err
	}
	_, e, err := r.svc.EntryByNumber(ctx, code, n)
	return e, err
}

func parseEntryID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, core.Errorf(core.EINVALID, "error.bad_entry_id", "text", quoted(s))
	}
	return id, nil
}

// quoted is member text fit to quote back in an error: one clean, short line.
func quoted(s string) string {
	return core.Clip(core.CleanLine(s), 40)
}

func (r *Router) enter(ctx context.Context, req *Request) ([]Reply, error) {
	var title, content string
	if cmd := req.Cmd; cmd.NArg() > 1 {
		if cmd.Args[1].Quoted {
			title, content = cmd.Arg(1), cmd.Rest(2)
		} else {
			title, content = splitLink(cmd.Rest(1))
		}
	}
	return r.submitEntry(ctx, req, codeArg(req, 0), title, content)
}

// splitLink splits "a title https://link" into the title and the link at its end;
// text without a link at the end is all title.
func splitLink(s string) (title, link string) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexFunc(s, unicode.IsSpace)
	if last := s[i+1:]; core.LooksLikeLink(last) {
		return strings.TrimSpace(s[:max(i, 0)]), last
	}
	return s, ""
}

// entryFile reads the picture sent with an entry, if any.
func entryFile(in Input) (*core.EntryFile, error) {
	switch len(in.Attachments) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, core.Errorf(core.EINVALID, "error.entry_one_file")
	}
	a := in.Attachments[0]
	p := a.Platform
	if p == "" {
		p = in.Platform
	}
	return &core.EntryFile{Platform: p, FileID: a.FileID, URL: a.URL, Name: a.Name, ContentType: a.ContentType,
		Size: a.Size, Width: a.Width, Height: a.Height}, nil
}

func (r *Router) submitEntry(ctx context.Context, req *Request, code, title, content string) ([]Reply, error) {
	file, err := entryFile(req.In)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(title+content) == "" && file == nil {
		return r.entryPrompt(ctx, req, code)
	}
	if strings.TrimSpace(title) == "" && file != nil {
		title = strings.TrimSuffix(file.Name, path.Ext(file.Name))
	}
	e, err := r.svc.SubmitEntry(ctx, req.Actor, code, core.NewEntry{Title: title, Content: content, File: file})
	if err != nil {
		return nil, err
	}
	return replies(reply("contest.entered", "id", e.Number, "entry_id", e.ID, "entry", e.Title, "code", code))
}

// entryPrompt asks for an entry on platforms that can wait for the answer.
func (r *Router) entryPrompt(ctx context.Context, req *Request, code string) ([]Reply, error) {
	c, k, err := r.svc.Contest(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.State != core.StateOpen {
		return nil, core.Errorf(core.ECLOSED, "error.entries_closed", "code", c.Code)
	}
	key := "contest.enter_prompt"
	if k.Type == core.ContestSlogan {
		key = "contest.enter_prompt_slogan"
	}
	m := M(key, "code", c.Code, "title", c.Title)
	return replies(Reply{Msg: m, Ephemeral: true, Prompt: &Prompt{Msg: m, Action: ActionID("ca", c.Code), Max: core.MaxEntryText}})
}

// entryPage shows one entry with previous/next buttons and, in the voting window, a
// vote button; edit replaces the message the buttons were pressed on.
func (r *Router) entryPage(ctx context.Context, req *Request, code string, index int, edit bool) ([]Reply, error) {
	v, err := r.svc.BrowseEntries(ctx, req.Actor, code, index)
	if err != nil {
		return nil, err
	}
	c, k, e := v.Campaign, v.Contest, v.Entry
	if e == nil {
		key := "contest.entries_empty"
		if c.State.Final() {
			key = "contest.entries_none_closed"
		}
		if v.Hidden {
			key = "contest.entries_blind"
		}
		rep := reply(key, "title", c.Title, "code", c.Code)
		rep.Lines = append(rep.Lines, r.phaseLine(c, k))
		rep.Edit = edit
		return replies(rep)
	}
	rep := reply("contest.entry", "title", c.Title, "code", c.Code, "pos", v.Index+1, "total", v.Total, "id", e.Number, "entry", e.Title)
	if v.ShowAuthor {
		rep.Lines = append(rep.Lines, M("contest.entry_author", "author", e.AuthorName))
	}
	var open []Button
	switch e.Kind {
	case core.EntryImage:
		rep.Lines = append(rep.Lines, M("contest.entry_image", "name", e.File.Name))
		rep.Image = entryImage(c.Code, e)
		if e.File.URL != "" {
			open = append(open, Button{Msg: M("contest.button_open"), URL: e.File.URL})
		}
	case core.EntryLink:
		rep.Lines = append(rep.Lines, M("contest.entry_link", "url", e.Link))
		open = append(open, Button{Msg: M("contest.button_open"), URL: e.Link})
	}
	if e.Text != "" {
		rep.Lines = append(rep.Lines, M("contest.entry_text", "text", e.Text))
	}
	if v.ShowVotes {
		rep.Lines = append(rep.Lines, M("contest.entry_votes", "count", e.Votes))
		if e.Finalist && k.Round == 2 {
			rep.Lines = append(rep.Lines, M("contest.entry_final_votes", "count", e.FinalVotes))
		}
	}
	switch {
	case e.Award == core.AwardPrize:
		rep.Lines = append(rep.Lines, M("contest.entry_winner"))
	case e.Award == core.AwardUsedEntry:
		rep.Lines = append(rep.Lines, M("contest.entry_used"))
	case e.Finalist:
		rep.Lines = append(rep.Lines, M("contest.entry_finalist"))
	}
	if v.Hidden {
		rep.Lines = append(rep.Lines, M("contest.entries_hidden_note"))
	}
	rep.Lines = append(rep.Lines, r.phaseLine(c, k))
	var nav []Button
	if v.Index > 0 {
		nav = append(nav, Button{Msg: M("button.prev"), Action: ActionID("ce", c.Code, v.Index-1), Style: StyleSecondary})
	}
	if v.CanVote {
		b := Button{Msg: M("contest.button_vote", "id", e.Number), Action: ActionID("cv", e.ID), Style: StyleSuccess}
		if v.MyVote == e.ID {
			b.Msg = M("contest.button_voted", "id", e.Number)
		}
		nav = append(nav, b)
	}
	if v.Index < v.Total-1 {
		nav = append(nav, Button{Msg: M("button.next"), Action: ActionID("ce", c.Code, v.Index+1), Style: StyleSecondary})
	}
	if len(nav) > 0 {
		rep.Buttons = append(rep.Buttons, nav)
	}
	if len(open) > 0 {
		rep.Buttons = append(rep.Buttons, open)
	}
	rep.Edit = edit
	return replies(rep)
}

// entryImage is the picture of an image entry: its URL when the platform gave one,
// else the web's address for it (which fetches it through the platform's file id).
func entryImage(code string, e *core.Entry) *Image {
	img := &Image{Name: e.File.Name, Path: e.File.URL}
	if img.Path == "" {
		img.Path = "/c/" + code + "/entries/" + strconv.FormatInt(e.ID, 10)
	}
	return img
}

// phaseLine says where a contest stands and until when.
func (r *Router) phaseLine(c *core.Campaign, k *core.Contest) Msg {
	switch {
	case c.State == core.StateOpen:
		return M("contest.phase_open", "time", r.inZone(k.EntriesCloseAt, c.TimeZone))
	case c.State == core.StateVoting && c.DeadlineAt != nil && k.Round == 2:
		return M("contest.phase_final", "time", r.inZone(*c.DeadlineAt, c.TimeZone))
	case c.State == core.StateVoting && c.DeadlineAt != nil:
		return M("contest.phase_voting", "time", r.inZone(*c.DeadlineAt, c.TimeZone))
	}
	return M("contest.phase_over", "state", string(c.State))
}

func (r *Router) contestVote(ctx context.Context, req *Request) ([]Reply, error) {
	e, v, err := r.svc.VoteEntry(ctx, req.Actor, req.Act.Int(0))
	if err != nil {
		return nil, err
	}
	rep := Reply{Msg: M("contest.voted", "id", e.Number, "entry", e.Title), Toast: true, Ephemeral: true}
	if v.Previous != 0 {
		prev, err := r.svc.EntryByID(ctx, v.Previous)
		if err != nil {
			return nil, err
		}
		rep.Msg = M("contest.vote_moved", "id", e.Number, "entry", e.Title, "from", prev.Number)
	}
	return replies(rep)
}

func (r *Router) contestFinalists(ctx context.Context, req *Request) ([]Reply, error) {
	// "12 15", "#12, #15", or one argument holding them all (a Discord option): the
	// entries' numbers in the contest
	var ids []int64
	for _, a := range req.Cmd.Args[1:] {
		for _, f := range strings.FieldsFunc(a.Value, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
			n, err := parseEntryID(f)
			if err != nil {
				return nil, err
			}
			_, e, err := r.svc.EntryByNumber(ctx, codeArg(req, 0), n)
			if err != nil {
				return nil, err
			}
			ids = append(ids, e.ID)
		}
	}
	c, finalists, err := r.svc.ShortlistEntries(ctx, req.Actor, codeArg(req, 0), ids)
	if err != nil {
		return nil, err
	}
	list := make([]string, len(finalists))
	for i, e := range finalists {
		list[i] = "#" + strconv.FormatInt(e.Number, 10)
	}
	return replies(reply("contest.finalists_set", "code", c.Code, "count", len(finalists), "ids", strings.Join(list, " "),
		"time", r.inZone(*c.ClosesAt, c.TimeZone)))
}

func (r *Router) contestPick(ctx context.Context, req *Request) ([]Reply, error) {
	ref, err := r.entryRef(ctx, req, M("help.contest.pick"))
	if err != nil {
		return nil, err
	}
	w, k, err := r.svc.PickWinner(ctx, req.Actor, ref.ID)
	if err != nil {
		return nil, err
	}
	return replies(reply("contest.picked", "id", w.Number, "entry", w.Title, "author", w.AuthorName, "prize", k.Prize))
}

func (r *Router) contestUse(ctx context.Context, req *Request) ([]Reply, error) {
	ref, err := r.entryRef(ctx, req, M("help.contest.use"))
	if err != nil {
		return nil, err
	}
	e, err := r.svc.UseEntry(ctx, req.Actor, ref.ID, req.Cmd.Rest(2))
	if err != nil {
		return nil, err
	}
	return replies(reply("contest.used", "id", e.Number, "entry", e.Title, "author", e.AuthorName, "amount", e.Payout))
}

func (r *Router) contestDisqualify(ctx context.Context, req *Request) ([]Reply, error) {
	ref, err := r.entryRef(ctx, req, M("help.contest.disqualify"))
	if err != nil {
		return nil, err
	}
	e, err := r.svc.DisqualifyEntry(ctx, req.Actor, ref.ID, req.Cmd.Rest(2))
	if err != nil {
		return nil, err
	}
	return replies(reply("contest.disqualified", "id", e.Number, "entry", e.Title))
}

func (r *Router) contestPayouts(ctx context.Context, req *Request) ([]Reply, error) {
	c, list, err := r.svc.ContestPayouts(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return replies(reply("contest.payouts_none", "title", c.Title, "code", c.Code))
	}
	rep := reply("contest.payouts_title", "title", c.Title, "code", c.Code, "count", len(list))
	for _, p := range list {
		rep.Lines = append(rep.Lines, M("contest.payouts_item", "id", p.EntryNumber, "entry", p.EntryTitle, "author", p.AuthorName,
			"payout", p.Reason, "amount", p.Amount))
	}
	return replies(rep)
}

// contestSummary is the contest part of /campaign show.
func (r *Router) contestSummary(ctx context.Context, req *Request, c *core.Campaign) ([]Msg, error) {
	k, p, w, err := r.svc.ContestStatus(ctx, c)
	if err != nil {
		return nil, err
	}
	lines := []Msg{
		M("contest.summary", "contest_type", string(k.Type), "prize", k.Prize, "judging", string(k.Judging)),
		r.phaseLine(c, k),
		M("contest.summary_counts", "count", p.Entries, "votes", p.Votes),
	}
	switch {
	case w != nil:
		lines = append(lines, M("contest.summary_winner", "id", w.Number, "entry", w.Title, "author", w.AuthorName, "prize", k.Prize))
	case c.State.Final():
		lines = append(lines, M("contest.summary_no_winner"))
	}
	if c.State.Final() {
		// the other entries the brand used are paid too, for everyone to see
		b, err := r.svc.ContestBoard(ctx, c, 1)
		if err != nil {
			return nil, err
		}
		for _, p := range b.Payouts {
			if p.Reason == core.AwardUsedEntry {
				lines = append(lines, M("contest.summary_used", "id", p.EntryNumber, "entry", p.EntryTitle, "author", p.AuthorName, "amount", p.Amount))
			}
		}
	}
	return lines, nil
}

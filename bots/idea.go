package bots

import (
	"context"
	"strconv"
	"strings"

	"crowdbot/core"
)

// ideasPerPage fits one row of vote buttons (five per row on Discord).
const ideasPerPage = 5

// ideaPreview bounds how much of an idea a list shows.
const ideaPreview = 200

func (r *Router) ideaCommands() []*Spec {
	// an idea is named by its campaign's code and its number there
	code := Param{Name: "code", Type: ParamCode, Required: true}
	id := Param{Name: "id", Type: ParamInt, Required: true}
	return append([]*Spec{
		{Name: "idea", Submit: true, Params: []Param{
			{Name: "code", Type: ParamCode, Required: true},
			{Name: "text", Type: ParamText, Required: true},
		}, Run: r.ideaSubmit},
		{Name: "idea", Sub: "status", Admin: true, Params: []Param{code, id,
			{Name: "status", Type: ParamString, Required: true, Choices: ideaStatusNames()}}, Run: r.ideaStatus},
		{Name: "idea", Sub: "merge", Admin: true, Params: []Param{code, id, {Name: "into", Type: ParamInt, Required: true}}, Run: r.ideaMerge},
		{Name: "idea", Sub: "tag", Admin: true, Params: []Param{code, id, {Name: "tag", Type: ParamString, Required: true}}, Run: r.ideaTag},
		{Name: "idea", Sub: "hide", Admin: true, Params: []Param{code, id}, Run: r.ideaHide(true)},
		{Name: "idea", Sub: "unhide", Admin: true, Params: []Param{code, id}, Run: r.ideaHide(false)},
		{Name: "ideas", Read: true, Params: []Param{
			{Name: "code", Type: ParamCode, Required: true},
			{Name: "sort", Type: ParamString, Choices: []string{string(core.IdeasTop), string(core.IdeasNew)}},
			{Name: "tag", Type: ParamString, Option: true},
		}, Run: r.ideasList},
	}, r.discussionCommands()...)
}

func (r *Router) ideaActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		// iv:<idea id>[:<number>]: toggle the member's up-vote; the number, for the
		// answer, is the idea's within its campaign
		"iv": r.ideaVote,
		// il:<code>:<sort>:<page>[:<tag>]: a page of the board
		"il": func(ctx context.Context, req *Request) ([]Reply, error) {
			page, _ := strconv.Atoi(req.Act.Field(2))
			return r.ideaPage(ctx, req, req.Act.Field(0), core.IdeaQuery{Sort: core.IdeaSort(req.Act.Field(1)), Page: page, Tag: req.Act.Field(3)}, true)
		},
		// ia:<code>: ask for an idea's text; answered with the text
		"ia": func(ctx context.Context, req *Request) ([]Reply, error) {
			code := req.Act.Field(0)
			if strings.TrimSpace(req.Text) == "" {
				return replies(Reply{Msg: M("idea.prompt", "code", code), Ephemeral: true,
					Prompt: &Prompt{Msg: M("idea.prompt", "code", code), Action: ActionID("ia", code), Long: true, Max: core.MaxIdeaText}})
			}
			if !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
				return nil, core.Errorf(core.ELIMIT, "error.slow_down")
			}
			return r.submitIdea(ctx, req, code, req.Text)
		},
	}
}

func ideaStatusNames() []string {
	out := make([]string, len(core.IdeaStatuses))
	for i, s := range core.IdeaStatuses {
		out[i] = string(s)
	}
	return out
}

func (r *Router) ideaSubmit(ctx context.Context, req *Request) ([]Reply, error) {
	return r.submitIdea(ctx, req, codeArg(req, 0), req.Cmd.Rest(1))
}

func (r *Router) submitIdea(ctx context.Context, req *Request, code, text string) ([]Reply, error) {
	idea, created, err := r.svc.SubmitIdea(ctx, req.Actor, code, text)
	if err != nil {
		return nil, err
	}
	if !created {
		rep := reply("idea.exists", "id", idea.Number, "idea_id", idea.ID, "votes", idea.Votes, "count", idea.Votes)
		if idea.AuthorID != req.Actor.Member.ID {
			rep.Buttons = [][]Button{{voteButton(idea)}}
		}
		return replies(rep)
	}
	return replies(reply("idea.added", "id", idea.Number, "idea_id", idea.ID, "code", code))
}

func voteButton(idea *core.Idea) Button {
	return Button{Msg: M("button.vote", "id", idea.Number, "votes", idea.Votes), Action: ActionID("iv", idea.ID, idea.Number)}
}

func (r *Router) ideaVote(ctx context.Context, req *Request) ([]Reply, error) {
	id := req.Act.Int(0)
	voted, votes, err := r.svc.ToggleIdeaVote(ctx, &req.Actor, id)
	if err != nil {
		return nil, err
	}
	number := req.Act.Int(1)
	if number <= 0 {
		// a button from before ideas had numbers of their own
		idea, err := r.svc.IdeaByID(ctx, id)
		if err != nil {
			return nil, err
		}
		number = idea.Number
	}
	key := "idea.voted"
	if !voted {
		key = "idea.unvoted"
	}
	return replies(Reply{Msg: M(key, "id", number, "count", votes), Toast: true, Ephemeral: true})
}

func (r *Router) ideasList(ctx context.Context, req *Request) ([]Reply, error) {
	q := core.IdeaQuery{Sort: core.IdeasTop, Tag: req.Cmd.Opts["tag"], Page: 1}
	if s := strings.ToLower(req.Cmd.Arg(1)); s != "" {
		if s != string(core.IdeasTop) && s != string(core.IdeasNew) {
			return nil, core.Errorf(core.EINVALID, "error.usage", "usage", "ideas")
		}
		q.Sort = core.IdeaSort(s)
	}
	return r.ideaPage(ctx, req, codeArg(req, 0), q, false)
}

// ideaPage shows one page of the board with a vote button per idea and page buttons;
// edit replaces the message the page buttons were pressed on.
func (r *Router) ideaPage(ctx context.Context, req *Request, code string, q core.IdeaQuery, edit bool) ([]Reply, error) {
	q.PerPage = ideasPerPage
	c, page, err := r.svc.Ideas(ctx, code, q)
	if err != nil {
		return nil, err
	}
	if page.Total == 0 {
		key := "ideas.empty"
		if c.State.Final() {
			key = "ideas.empty_closed"
		}
		rep := reply(key, "title", c.Title, "code", c.Code)
		if c.State == core.StateOpen {
			rep.Buttons = [][]Button{{{Msg: M("button.suggest"), Action: ActionID("ia", c.Code), Style: StyleSuccess}}}
		}
		rep.Edit = edit
		return replies(rep)
	}
	rep := reply("ideas.title", "title", c.Title, "code", c.Code, "page", page.Page, "pages", page.Pages, "sort", string(q.Sort))
	var votes []Button
	for i := range page.Ideas {
		idea := &page.Ideas[i]
		text := core.Clip(idea.Text, ideaPreview)
		rep.Lines = append(rep.Lines, M("ideas.item", "id", idea.Number, "votes", idea.Votes, "text", text,
			"status", string(idea.Status), "tags", strings.Join(idea.Tags, " #"), "comments", idea.Comments))
		if c.State == core.StateOpen {
			votes = append(votes, voteButton(idea))
		}
	}
	if len(votes) > 0 {
		rep.Buttons = append(rep.Buttons, votes)
	}
	var nav []Button
	if page.Page > 1 {
		nav = append(nav, Button{Msg: M("button.prev"), Action: pageAction(c.Code, q, page.Page-1), Style: StyleSecondary})
	}
	if page.Page < page.Pages {
		nav = append(nav, Button{Msg: M("button.next"), Action: pageAction(c.Code, q, page.Page+1), Style: StyleSecondary})
	}
	if c.State == core.StateOpen {
		nav = append(nav, Button{Msg: M("button.suggest"), Action: ActionID("ia", c.Code), Style: StyleSuccess})
	}
	if len(nav) > 0 {
		rep.Buttons = append(rep.Buttons, nav)
	}
	rep.Edit = edit
	return replies(rep)
}

func pageAction(code string, q core.IdeaQuery, page int) string {
	if q.Tag != "" {
		return ActionID("il", code, string(q.Sort), page, q.Tag)
	}
	return ActionID("il", code, string(q.Sort), page)
}

// ideaSummary is the ideas line of /campaign show.
func (r *Router) ideaSummary(ctx context.Context, req *Request, c *core.Campaign) ([]Msg, error) {
	ideas, votes, err := r.svc.IdeaTotals(ctx, c)
	if err != nil {
		return nil, err
	}
	return []Msg{M("ideas.summary", "count", ideas, "votes", votes)}, nil
}

// ideaRef reads the idea named at positional arguments i (the campaign's code) and
// i+1 (its number there, "3" or "#3"); usage names the command. A number alone is refused: numbers repeat from
// one campaign to the next.
func (r *Router) ideaRef(ctx context.Context, req *Request, i int, usage Msg) (*core.Idea, error) {
	code, arg := codeArg(req, i), req.Cmd.Arg(i+1)
	if _, ok := core.ParseNumber(code); ok && !core.ValidCode(code) {
		return nil, core.Errorf(core.EINVALID, "error.ref_needs_code", "text", quoted(code), "usage", usage)
	}
	n, ok := core.ParseNumber(arg)
	if !ok {
		return nil, core.Errorf(core.EINVALID, "error.bad_idea_id", "text", quoted(arg))
	}
	_, idea, err := r.svc.IdeaByNumber(ctx, code, n)
	return idea, err
}

func (r *Router) ideaStatus(ctx context.Context, req *Request) ([]Reply, error) {
	ref, err := r.ideaRef(ctx, req, 0, M("help.idea.status"))
	if err != nil {
		return nil, err
	}
	idea, err := r.svc.SetIdeaStatus(ctx, req.Actor, ref.ID, core.IdeaStatus(strings.ToLower(req.Cmd.Arg(2))))
	if err != nil {
		return nil, err
	}
	return replies(reply("idea.status_set", "id", idea.Number, "status", string(idea.Status)))
}

func (r *Router) ideaMerge(ctx context.Context, req *Request) ([]Reply, error) {
	from, err := r.ideaRef(ctx, req, 0, M("help.idea.merge"))
	if err != nil {
		return nil, err
	}
	n, ok := core.ParseNumber(req.Cmd.Arg(2))
	if !ok {
		return nil, core.Errorf(core.EINVALID, "error.bad_idea_id", "text", quoted(req.Cmd.Arg(2)))
	}
	_, into, err := r.svc.IdeaByNumber(ctx, codeArg(req, 0), n)
	if err != nil {
		return nil, err
	}
	idea, err := r.svc.MergeIdeas(ctx, req.Actor, from.ID, into.ID)
	if err != nil {
		return nil, err
	}
	return replies(reply("idea.merged", "from", from.Number, "id", idea.Number, "count", idea.Votes))
}

func (r *Router) ideaTag(ctx context.Context, req *Request) ([]Reply, error) {
	ref, err := r.ideaRef(ctx, req, 0, M("help.idea.tag"))
	if err != nil {
		return nil, err
	}
	idea, err := r.svc.TagIdea(ctx, req.Actor, ref.ID, req.Cmd.Rest(2))
	if err != nil {
		return nil, err
	}
	return replies(reply("idea.tagged", "id", idea.Number, "tags", strings.Join(idea.Tags, " #")))
}

func (r *Router) ideaHide(hidden bool) func(ctx context.Context, req *Request) ([]Reply, error) {
	usage := M("help.idea.hide")
	if !hidden {
		usage = M("help.idea.unhide")
	}
	return func(ctx context.Context, req *Request) ([]Reply, error) {
		ref, err := r.ideaRef(ctx, req, 0, usage)
		if err != nil {
			return nil, err
		}
		if err := r.svc.HideIdea(ctx, req.Actor, ref.ID, hidden); err != nil {
			return nil, err
		}
		key := "idea.hidden"
		if !hidden {
			key = "idea.unhidden"
		}
		return replies(reply(key, "id", ref.Number))
	}
}

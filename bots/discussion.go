package bots

import (
	"context"
	"fmt"
	"strings"

	"crowdbot/core"
)

// commentsPerPage bounds one page of an idea's comments in a chat.
const commentsPerPage = 10

// commentPreview bounds how much of a comment a list shows.
const commentPreview = 300

// discussionCommands lists the commands of an idea's discussion, listed in help
// with the ideas'.
func (r *Router) discussionCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	id := Param{Name: "id", Type: ParamInt, Required: true}
	number := Param{Name: "comment", Type: ParamInt, Required: true}
	return []*Spec{
		{Name: "comment", Submit: true, Params: []Param{code, id, {Name: "text", Type: ParamText, Required: true}}, Run: r.commentSubmit},
		{Name: "comment", Sub: "hide", Admin: true, Params: []Param{code, id, number}, Run: r.commentHide(true)},
		{Name: "comment", Sub: "unhide", Admin: true, Params: []Param{code, id, number}, Run: r.commentHide(false)},
		{Name: "comments", Read: true, Params: []Param{code, id}, Run: func(ctx context.Context, req *Request) ([]Reply, error) {
			idea, err := r.ideaRef(ctx, req, 0, M("help.comments"))
			if err != nil {
				return nil, err
			}
			return r.commentPage(ctx, idea.ID, 1, false)
		}},
	}
}

// discussionCards render the discussion's notices: the count of new comments comes
// back from the outbox's JSON as a number again, to pick its plural.
func (r *Router) discussionCards() map[string]CardFunc {
	return map[string]CardFunc{
		"notice.idea_comments": func(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
			return Reply{Msg: Msg{Key: a.Key, Args: outboxArgs(a.Args)}}, nil
		},
		core.IdeaCardKey: r.ideaCard,
		// the reason a platform refused an idea's thread is a message key of its own
		"notice.thread_refused": func(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
			reason, _ := a.Args["reason"].(string)
			return Reply{Msg: M(a.Key, "code", a.Args["code"], "title", a.Args["title"], "reason", M(reason))}, nil
		},
	}
}

// ideaCard draws a new idea's card as it is now: its text, votes and comments, a
// vote button and a button to discuss it. A reply to the posted card is a comment.
func (r *Router) ideaCard(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
	args := outboxArgs(a.Args)
	id, _ := args["idea_id"].(int64)
	idea, err := r.svc.IdeaByID(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	rep := Reply{Msg: M(core.IdeaCardKey, "id", idea.Number, "title", args["title"], "code", args["code"],
		"text", core.Clip(idea.Text, core.MaxIdeaText))}
	if idea.Hidden {
		return rep, nil
	}
	rep.Lines = []Msg{M("idea.card_counts", "votes", idea.Votes, "comments", idea.Comments), M("idea.card_discuss")}
	c, err := r.svc.CampaignByID(ctx, idea.CampaignID)
	if err != nil {
		return Reply{}, err
	}
	if c.State == core.StateOpen {
		rep.Buttons = [][]Button{{voteButton(idea), {Msg: M("button.discuss"), Action: ActionID("dk", idea.ID), Style: StyleSecondary}}}
	}
	return rep, nil
}

// discussionActions lists the button actions of an idea's discussion.
func (r *Router) discussionActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		// cm:<idea id>:<page>: a page of an idea's comments, in place
		"cm": func(ctx context.Context, req *Request) ([]Reply, error) {
			return r.commentPage(ctx, req.Act.Int(0), int(req.Act.Int(1)), true)
		},
		// ck:<idea id>: ask for a comment on an idea; answered with the text.
		// dk:<idea id>: discuss an idea from its card: its thread where the front
		// opens threads, else the same as ck
		"ck": r.commentPrompt,
		"dk": r.discuss,
	}
}

// commentPrompt asks for a comment on an idea, and takes the answer.
func (r *Router) commentPrompt(ctx context.Context, req *Request) ([]Reply, error) {
	id := req.Act.Int(0)
	if req.Text == "" {
		idea, err := r.svc.IdeaByID(ctx, id)
		if err != nil {
			return nil, err
		}
		ask := M("comment.prompt", "id", idea.Number)
		return replies(Reply{Msg: ask, Ephemeral: true,
			Prompt: &Prompt{Msg: ask, Action: ActionID("ck", id), Long: true, Max: core.MaxCommentText}})
	}
	if !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
		return nil, core.Errorf(core.ELIMIT, "error.slow_down")
	}
	return r.addComment(ctx, req, id, req.Text)
}

func (r *Router) commentSubmit(ctx context.Context, req *Request) ([]Reply, error) {
	idea, err := r.ideaRef(ctx, req, 0, M("help.comment"))
	if err != nil {
		return nil, err
	}
	return r.addComment(ctx, req, idea.ID, req.Cmd.Rest(2))
}

// addComment adds the member's comment to an idea, named by its id.
func (r *Router) addComment(ctx context.Context, req *Request, ideaID int64, text string) ([]Reply, error) {
	c, idea, err := r.svc.Comment(ctx, req.Actor, ideaID, text)
	if err != nil {
		return nil, err
	}
	return replies(reply("comment.added", "n", c.Number, "id", idea.Number, "idea_id", idea.ID))
}

// commentPage shows one page of an idea's visible comments, oldest first, with
// page buttons; edit replaces the message the buttons were pressed on.
func (r *Router) commentPage(ctx context.Context, ideaID int64, pageNo int, edit bool) ([]Reply, error) {
	idea, page, err := r.svc.Comments(ctx, ideaID, pageNo, commentsPerPage)
	if err != nil {
		return nil, err
	}
	text := core.Clip(core.CleanLine(idea.Text), ideaPreview)
	if page.Total == 0 {
		rep := reply("comments.empty", "id", idea.Number, "text", text)
		rep.Edit = edit
		return replies(rep)
	}
	rep := reply("comments.title", "id", idea.Number, "text", text, "count", page.Total, "page", page.Page, "pages", page.Pages)
	for _, c := range page.Comments {
		rep.Lines = append(rep.Lines, M("comments.item", "n", c.Number, "name", c.AuthorName, "text", core.Clip(core.CleanLine(c.Text), commentPreview)))
	}
	var nav []Button
	if page.Page > 1 {
		nav = append(nav, Button{Msg: M("button.prev"), Action: ActionID("cm", idea.ID, page.Page-1), Style: StyleSecondary})
	}
	if page.Page < page.Pages {
		nav = append(nav, Button{Msg: M("button.next"), Action: ActionID("cm", idea.ID, page.Page+1), Style: StyleSecondary})
	}
	if len(nav) > 0 {
		rep.Buttons = [][]Button{nav}
	}
	rep.Edit = edit
	return replies(rep)
}

func (r *Router) commentHide(hidden bool) func(ctx context.Context, req *Request) ([]Reply, error) {
	usage, key := M("help.comment.hide"), "comment.hidden"
	if !hidden {
		usage, key = M("help.comment.unhide"), "comment.unhidden"
	}
	return func(ctx context.Context, req *Request) ([]Reply, error) {
		idea, err := r.ideaRef(ctx, req, 0, usage)
		if err != nil {
			return nil, err
		}
		n, ok := core.ParseNumber(req.Cmd.Arg(2))
		if !ok {
			return nil, core.Errorf(core.EINVALID, "error.bad_comment_id", "text", quoted(req.Cmd.Arg(2)))
		}
		c, err := r.svc.HideComment(ctx, req.Actor, idea.ID, n, hidden)
		if err != nil {
			return nil, err
		}
		return replies(reply(key, "n", c.Number, "id", idea.Number))
	}
}

// replyComment takes a reply to an idea's posted card (Input.ReplyTo) as a comment
// on the idea; ok is false when the message replied to is no idea's card.
func (r *Router) replyComment(ctx context.Context, req *Request) (label string, replies []Reply, ok bool, err error) {
	in := req.In
	ideaID, err := r.svc.IdeaOfPost(ctx, in.Platform, in.Channel, in.ReplyTo)
	return r.commentUnder(ctx, req, ideaID, err)
}

// commentUnder takes the member's message as a comment on the idea it was posted
// under (found, or not, as ideaID and err say); ok is false when there is none.
func (r *Router) commentUnder(ctx context.Context, req *Request, ideaID int64, err error) (label string, replies []Reply, ok bool, _ error) {
	if err != nil {
		return "comment", nil, true, err
	}
	if ideaID == 0 {
		return "", nil, false, nil
	}
	if err := r.enroll(ctx, req); err != nil {
		return "comment", nil, true, err
	}
	if !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
		return "comment", nil, true, core.Errorf(core.ELIMIT, "error.slow_down")
	}
	replies, err = r.addComment(ctx, req, ideaID, req.In.Text)
	return "comment", replies, true, err
}

// discuss answers 💬 Discuss on an idea's card. Where the front opens threads, the
// first press claims the idea's thread in the channel and opens it, and every press
// gets the link to it (or, while another press opens it, word that it is coming).
// When the platform refuses the thread, the claim goes so that a later press tries
// again, the campaign's creator hears why once, and the member is asked for a
// comment as where there are no threads.
func (r *Router) discuss(ctx context.Context, req *Request) ([]Reply, error) {
	opener := req.In.Threads
	if opener == nil || req.Text != "" {
		return r.commentPrompt(ctx, req)
	}
	thread, idea, mine, err := r.svc.ClaimThread(ctx, req.In.Platform, opener.Channel(), req.Act.Int(0))
	if err != nil {
		return nil, err
	}
	if !mine {
		if !thread.Opened() {
			return replies(Reply{Msg: M("thread.opening", "id", idea.Number), Ephemeral: true, Toast: true})
		}
		return replies(r.threadLink(idea, opener, thread.ThreadID))
	}
	c, err := r.svc.CampaignByID(ctx, idea.CampaignID)
	if err != nil {
		return nil, err
	}
	// the thread is everyone's: it speaks the space's language
	space := &Request{In: req.In, Actor: req.Actor, Locale: core.NormalizeLocale(req.Actor.Space.Locale)}
	if space.Locale == "" {
		space.Locale = core.Locales[0]
	}
	intro := r.render(space, []Reply{reply("thread.intro", "id", idea.Number, "title", c.Title, "code", c.Code,
		"text", core.Clip(idea.Text, core.MaxIdeaText))})[0]
	id, cause := opener.Open(ctx, fmt.Sprintf("#%d %s", idea.Number, core.CleanLine(idea.Text)), intro)
	if cause != nil {
		r.log.Warn("open thread", "platform", req.In.Platform, "channel", opener.Channel(), "idea", idea.ID, "err", cause)
		if err := r.svc.ThreadRefused(ctx, *thread, cause); err != nil {
			r.log.Error("drop thread claim", "idea", idea.ID, "err", err)
		}
		return r.commentPrompt(ctx, req)
	}
	thread.ThreadID = id
	if thread, err = r.svc.ThreadOpened(ctx, *thread); err != nil {
		return nil, err
	}
	return replies(r.threadLink(idea, opener, thread.ThreadID))
}

// threadLink is the member's own link to an idea's thread.
func (r *Router) threadLink(idea *core.Idea, opener ThreadOpener, threadID string) Reply {
	return Reply{Msg: M("thread.opened", "id", idea.Number, "link", opener.Link(threadID)), Ephemeral: true}
}

// threadComment takes a member's message in an idea's thread (Input.Thread) as a
// comment on the idea; ok is false when the thread is no idea's.
func (r *Router) threadComment(ctx context.Context, req *Request) (label string, replies []Reply, ok bool, err error) {
	in := req.In
	ideaID, err := r.svc.IdeaOfThread(ctx, in.Platform, in.Thread.Channel, in.Thread.ID)
	return r.commentUnder(ctx, req, ideaID, err)
}

// inIdeaThread reports whether chat a front passes on for the threads of ideas
// alone (Input.ThreadsOnly) was posted in one; it looks before anyone is
// identified, so the rest of a server's chat makes no member.
func (r *Router) inIdeaThread(ctx context.Context, in Input) bool {
	if in.Thread.ID == "" || strings.TrimSpace(in.Text) == "" {
		return false
	}
	id, err := r.svc.IdeaOfThread(ctx, in.Platform, in.Thread.Channel, in.Thread.ID)
	if err != nil {
		r.log.Warn("find idea of thread", "platform", in.Platform, "thread", in.Thread.ID, "err", err)
		return false
	}
	return id != 0
}

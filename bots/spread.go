package bots

import (
	"context"
	"math"
	"net/url"
	"strings"
	"time"

	"crowdbot/core"
)

// spreadCommands lists the commands of the spread area: personal share links and
// the leaderboard.
func (r *Router) spreadCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	return []*Spec{
		{Name: "share", Private: true, Params: []Param{code}, Run: r.share},
		{Name: "top", Read: true, Params: []Param{code}, Run: r.top},
		{Name: "outbox", Admin: true, Private: true, Run: r.parked},
	}
}

// spreadActions lists the button actions of the spread area.
func (r *Router) spreadActions() map[string]ActionFunc { return nil }

// spreadCards lists the announcement cards of the spread area: scheduled progress
// posts and deadline reminders, drawn with the numbers of the moment they go out.
func (r *Router) spreadCards() map[string]CardFunc {
	cards := map[string]CardFunc{
		"remind.closes":        r.reminderCard,
		"remind.entries_close": r.reminderCard,
	}
	for _, k := range core.Kinds {
		cards[core.ProgressKey(k)] = r.progressCard
	}
	return cards
}

// share gives the member their personal links to a campaign.
func (r *Router) share(ctx context.Context, req *Request) ([]Reply, error) {
	l, err := r.svc.ShareLinks(ctx, req.Actor, codeArg(req, 0), r.opts.TelegramBot, r.opts.PublicURL)
	if err != nil {
		return nil, err
	}
	c := l.Campaign
	rep := reply("share.title", "title", c.Title, "code", c.Code)
	var buttons []Button
	if l.Telegram != "" {
		rep.Lines = append(rep.Lines, M("share.telegram", "url", l.Telegram))
		// t.me/share opens Telegram's chat picker with the link filled in
		buttons = append(buttons, Button{Msg: M("share.button_telegram"),
			URL: "https://t.me/share/url?url=" + url.QueryEscape(l.Telegram) + "&text=" + url.QueryEscape(c.Title)})
	}
	if l.Web != "" {
		rep.Lines = append(rep.Lines, M("share.web", "url", l.Web))
	}
	if points := r.svc.PointsFor(core.PointsReferral); points > 0 {
		rep.Lines = append(rep.Lines, M("share.points", "count", points))
	} else {
		rep.Lines = append(rep.Lines, M("share.counted"))
	}
	if len(buttons) > 0 {
		rep.Buttons = [][]Button{buttons}
	}
	return replies(rep)
}

// top shows a campaign's leaderboard: points, people brought in, the member's own
// standing and what each action earns.
func (r *Router) top(ctx context.Context, req *Request) ([]Reply, error) {
	b, err := r.svc.Leaderboard(ctx, req.Actor, codeArg(req, 0))
	if err != nil {
		return nil, err
	}
	c := b.Campaign
	rep := reply("top.title", "title", c.Title, "code", c.Code)
	rep.Lines = append(rep.Lines, M("top.points_title"))
	for i, s := range b.Points {
		rep.Lines = append(rep.Lines, M("top.points_item", "rank", i+1, "name", leaderName(s.Name), "count", s.Points))
	}
	// once it is over, nobody is asked to take part or to share any more
	live := c.State.Live()
	switch {
	case len(b.Points) == 0 && live:
		rep.Lines = append(rep.Lines, M("top.points_empty"))
	case len(b.Points) == 0:
		rep.Lines = append(rep.Lines, M("top.points_none"))
	}
	rep.Lines = append(rep.Lines, M("top.referrals_title"))
	for i, s := range b.Referrals {
		rep.Lines = append(rep.Lines, M("top.referrals_item", "rank", i+1, "name", leaderName(s.Name), "count", s.Referrals))
	}
	switch {
	case len(b.Referrals) == 0 && live:
		rep.Lines = append(rep.Lines, M("top.referrals_empty", "code", c.Code))
	case len(b.Referrals) == 0:
		rep.Lines = append(rep.Lines, M("top.referrals_none"))
	}
	if b.Me != nil {
		rep.Lines = append(rep.Lines, M("top.you", "count", b.Me.Points, "referrals", b.Me.Referrals))
	}
	var rules []string
	for _, a := range core.PointActions[c.Kind] {
		if n := b.Rules[a]; n != 0 {
			rules = append(rules, r.T(req.Locale, M("top.rule", "action", M("points.action."+a), "points", n)))
		}
	}
	if len(rules) > 0 {
		rep.Lines = append(rep.Lines, M("top.rules", "rules", strings.Join(rules, " · ")))
	}
	return replies(rep)
}

// parkedShown is how many parked posts /outbox lists.
const parkedShown = 10

// parked lists the posts of this space's campaigns that could not be delivered.
func (r *Router) parked(ctx context.Context, req *Request) ([]Reply, error) {
	items, err := r.svc.ParkedPosts(ctx, req.Actor, parkedShown)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return replies(reply("outbox.none"))
	}
	rep := reply("outbox.title", "count", len(items))
	for _, it := range items {
		var to any = it.ChannelID
		if it.ChannelID == "" {
			to = M("outbox.member", "id", it.MemberID)
		}
		rep.Lines = append(rep.Lines, M("outbox.item", "id", it.ID, "platform", string(it.Platform), "to", to,
			"key", it.Announcement.Key, "time", r.inZone(it.CreatedAt, req.Actor.Space.TimeZone), "error", it.LastError, "count", it.Attempts))
	}
	return replies(rep)
}

// leaderName shows a member's name, or a dash for a member without one.
func leaderName(name string) string {
	if name = core.CleanLine(name); name == "" {
		return "—"
	}
	return name
}

// startPayload handles /start with a deep-link payload: a personal share link
// ("r_<code>_<member>") records the referral and shows the campaign with its
// progress picture; a campaign link ("c_<code>") shows the campaign; anything else
// gets the welcome.
func (r *Router) startPayload(ctx context.Context, req *Request, payload string) ([]Reply, error) {
	code, referrer, ok := core.ParseStartPayload(payload)
	if !ok {
		return replies(reply("start.welcome"))
	}
	if referrer != 0 {
		if err := r.svc.Refer(ctx, req.Actor, code, referrer, string(req.In.Platform)); err != nil {
			return nil, err
		}
	}
	c, err := r.svc.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	rep := r.show(ctx, req, c)
	rep.Image = ProgressImage(c.Code)
	if c.State.Live() {
		rep.Lines = append(rep.Lines, M("start.take_part", "code", c.Code))
	}
	return replies(rep)
}

// progressCard renders a scheduled progress post with the campaign's numbers at the
// moment it goes out, and its progress picture.
func (r *Router) progressCard(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
	c, err := r.svc.CampaignByID(ctx, a.CampaignID)
	if err != nil {
		return Reply{}, err
	}
	p, err := r.svc.Progress(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	rep := Reply{Msg: progressMsg(c, p), Image: ProgressImage(c.Code)}
	if c.State.Live() {
		if c.ClosesAt != nil {
			rep.Lines = append(rep.Lines, M("campaign.closes_at", "time", r.inZone(*c.ClosesAt, c.TimeZone)))
		}
		rep.Lines = append(rep.Lines, M("progress_post.share", "code", c.Code))
	} else if m, ok := r.whenLine(c); ok {
		// a post that goes out after the close says when it closed
		rep.Lines = append(rep.Lines, m)
	}
	r.campaignPageButton(&rep, c)
	return rep, nil
}

// progressMsg is a progress post's text, by kind.
func progressMsg(c *core.Campaign, p *core.Progress) Msg {
	key := core.ProgressKey(c.Kind)
	switch {
	case p.Ideas != nil:
		return M(key, "title", c.Title, "code", c.Code, "count", p.Ideas.Ideas, "votes", p.Ideas.Votes)
	case p.Poll != nil:
		return M(key, "title", c.Title, "code", c.Code, "count", p.Poll.Ballots)
	case p.Contest != nil:
		return M(key, "title", c.Title, "code", c.Code, "count", p.Contest.Entries, "votes", p.Contest.Votes)
	case p.Fundraiser != nil:
		f := p.Fundraiser
		return M(key, "title", c.Title, "code", c.Code, "count", f.Backers, "raised", f.Raised, "goal", f.Goal, "percent", f.Percent)
	case p.Tasks != nil:
		return M(key, "title", c.Title, "code", c.Code, "count", p.Tasks.Items, "settled", p.Tasks.Settled, "answers", p.Tasks.Answers)
	}
	return M(key, "title", c.Title, "code", c.Code, "count", 0, "votes", 0)
}

// reminderCard renders a deadline reminder with the time left when it goes out.
func (r *Router) reminderCard(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
	c, err := r.svc.CampaignByID(ctx, a.CampaignID)
	if err != nil {
		return Reply{}, err
	}
	deadline := c.DeadlineAt
	if unix, ok := argInt(a.Args["deadline"]); ok {
		t := time.Unix(unix, 0).UTC()
		deadline = &t
	}
	if deadline == nil {
		return Reply{}, core.Errorf(core.EINVALID, "error.not_found")
	}
	hours := max(1, int(math.Ceil(deadline.Sub(r.svc.Now()).Hours())))
	rep := Reply{Msg: M(a.Key, "title", c.Title, "code", c.Code, "time", r.inZone(*deadline, c.TimeZone), "count", hours)}
	r.campaignPageButton(&rep, c)
	return rep, nil
}

// campaignPageButton adds a button to the campaign's web page, when there is one.
func (r *Router) campaignPageButton(rep *Reply, c *core.Campaign) {
	if r.opts.PublicURL == "" {
		return
	}
	rep.Buttons = append(rep.Buttons, []Button{{Msg: M("progress_post.open"), URL: strings.TrimRight(r.opts.PublicURL, "/") + "/c/" + c.Code}})
}

// argInt reads a whole number from an announcement argument, which went through
// JSON (so it may be a float64).
func argInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == math.Trunc(n)
	}
	return 0, false
}

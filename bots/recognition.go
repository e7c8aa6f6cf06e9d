package bots

import (
	"context"
	"strings"

	"crowdbot/core"
)

// recognitionCommands lists the commands of recognition: a member's profile, and
// the admin's recognition of a campaign's top contributors with what their space
// gives them (a Discord role, a Telegram custom title).
func (r *Router) recognitionCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	return []*Spec{
		{Name: "profile", Private: true, Read: true, Run: r.profile},
		{Name: "recognize", Admin: true, Params: []Param{code, {Name: "top", Type: ParamInt}}, Run: r.recognize},
		{Name: "recognition", Sub: "role", Admin: true, Params: []Param{{Name: "role", Type: ParamString, Required: true}}, Run: r.recognitionSet(core.RecognizeRole)},
		{Name: "recognition", Sub: "title", Admin: true, Params: []Param{{Name: "title", Type: ParamText, Required: true}}, Run: r.recognitionSet(core.RecognizeTitle)},
		{Name: "recognition", Sub: "off", Admin: true, Run: r.recognitionSet(core.RecognizeNothing)},
		{Name: "recognition", Sub: "show", Admin: true, Run: r.recognitionShow},
	}
}

// recognitionCards lists the announcements of recognition: the notice to a
// campaign's creator that a platform refused a grant.
func (r *Router) recognitionCards() map[string]CardFunc {
	return map[string]CardFunc{
		"recognition.failed_give": r.recognitionFailedCard,
		"recognition.failed_take": r.recognitionFailedCard,
	}
}

// profile shows the member's points per campaign, badges, earnings and standing
// recognitions.
func (r *Router) profile(ctx context.Context, req *Request) ([]Reply, error) {
	p, err := r.svc.Profile(ctx, req.Actor)
	if err != nil {
		return nil, err
	}
	rep := reply("profile.title", "name", leaderName(p.Member.Name), "count", p.Points)
	if len(p.Standings) == 0 && len(p.Earnings) == 0 && len(p.Recognitions) == 0 {
		rep.Lines = append(rep.Lines, M("profile.empty"))
		return replies(rep)
	}
	if len(p.Badges) > 0 {
		names := make([]string, len(p.Badges))
		for i, b := range p.Badges {
			names[i] = r.T(req.Locale, M("badge."+b))
		}
		rep.Lines = append(rep.Lines, M("profile.badges", "badges", strings.Join(names, " · ")))
	}
	for _, s := range p.Standings {
		rep.Lines = append(rep.Lines, M("profile.standing", "code", s.Code, "title", s.Title, "count", s.Points, "rank", s.Rank))
	}
	for _, rc := range p.Recognitions {
		rep.Lines = append(rep.Lines, M("profile.recognized", "code", rc.Code, "title", rc.Title, "rank", rc.Rank))
	}
	for _, e := range p.Earnings {
		rep.Lines = append(rep.Lines, M("profile.earning", "code", e.Code, "title", e.Title, "amount", e.Amount))
	}
	return replies(rep)
}

// recognize recognizes a campaign's top contributors and lists everyone it has
// recognized, with where their role or title is.
func (r *Router) recognize(ctx context.Context, req *Request) ([]Reply, error) {
	n := 0
	if arg := req.Cmd.Arg(1); arg != "" {
		v, ok := core.ParseNumber(strings.TrimPrefix(strings.ToLower(arg), "top="))
		if !ok {
			return nil, core.Errorf(core.EINVALID, "error.recognize_top", "max", core.MaxRecognizeTop)
		}
		n = int(v)
	}
	rep, err := r.svc.Recognize(ctx, req.Actor, codeArg(req, 0), n)
	if err != nil {
		return nil, err
	}
	c := rep.Campaign
	if len(rep.All) == 0 {
		return replies(reply("recognize.none", "title", c.Title, "code", c.Code))
	}
	out := reply("recognize.title", "title", c.Title, "code", c.Code, "measure", M("measure."+string(core.MeasureOf(c.Kind))))
	for _, rc := range rep.All {
		out.Lines = append(out.Lines, M("recognize.item", "rank", rc.Rank, "name", leaderName(rc.Name),
			"score", M("measure.score."+string(rc.Measure), "count", rc.Score), "grant", grantMsg(rc)))
	}
	out.Lines = append(out.Lines, M("recognize.added", "count", len(rep.Added)))
	return replies(out)
}

// grantMsg says where a recognition's role or title is.
func grantMsg(rc core.Recognition) Msg {
	switch {
	case rc.Action == core.RecognizeNothing:
		return M("recognize.grant.none")
	case rc.Revoke == core.RevokeFailed:
		return M("recognize.grant.take_failed", "reason", M(rc.LastError))
	case rc.Revoke == core.RevokeKept:
		return M("recognize.grant.kept")
	case rc.Revoke != core.RevokeNone:
		return M("recognize.grant.taken")
	case rc.State == core.GrantFailed:
		return M("recognize.grant.failed", "reason", M(rc.LastError))
	case rc.State == core.GrantPending && rc.LastError != "":
		return M("recognize.grant.retrying", "reason", M(rc.LastError))
	case rc.State == core.GrantPending:
		return M("recognize.grant.pending."+rc.Action, "value", rc.Value)
	}
	return M("recognize.grant.given."+rc.Action, "value", rc.Value)
}

// recognitionSet sets (or turns off) what this space gives top contributors.
func (r *Router) recognitionSet(action string) func(ctx context.Context, req *Request) ([]Reply, error) {
	return func(ctx context.Context, req *Request) ([]Reply, error) {
		if req.In.Private && action != core.RecognizeNothing {
			return nil, core.Errorf(core.EINVALID, "error.recognition_in_group")
		}
		if req.In.BasicGroup && action == core.RecognizeTitle {
			return nil, core.Errorf(core.EINVALID, "error.recognition_not_supergroup")
		}
		value := ""
		switch action {
		case core.RecognizeRole:
			value = req.Cmd.Arg(0)
		case core.RecognizeTitle:
			value = req.Cmd.Rest(0)
		}
		set, err := r.svc.SetRecognition(ctx, req.Actor, action, value)
		if err != nil {
			return nil, err
		}
		return replies(reply(settingKey(set, true), "role", set.RoleID, "title", set.Title))
	}
}

// recognitionShow says what this space gives top contributors.
func (r *Router) recognitionShow(ctx context.Context, req *Request) ([]Reply, error) {
	set, err := r.svc.RecognitionSetting(ctx, req.Actor)
	if err != nil {
		return nil, err
	}
	return replies(reply(settingKey(set, false), "role", set.RoleID, "title", set.Title))
}

// settingKey is the key that says what the setting gives, as just set or as shown.
func settingKey(set *core.RecognitionSetting, changed bool) string {
	action, _ := set.Action()
	keys := map[string][2]string{
		core.RecognizeRole:    {"recognition.set_role", "recognition.show_role"},
		core.RecognizeTitle:   {"recognition.set_title", "recognition.show_title"},
		core.RecognizeNothing: {"recognition.set_none", "recognition.show_none"},
	}[action]
	if changed {
		return keys[0]
	}
	return keys[1]
}

// recognitionFailedCard tells a campaign's creator that the platform refused to
// give (or take back) a top contributor's role or title, and why.
func (r *Router) recognitionFailedCard(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
	reason, _ := a.Args["reason"].(string)
	if reason == "" {
		reason = "error.recognition_failed"
	}
	return Reply{Msg: M(a.Key, "code", a.Args["code"], "title", a.Args["title"], "reason", M(reason))}, nil
}

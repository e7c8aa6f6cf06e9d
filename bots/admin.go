package bots

import (
	"context"

	"crowdbot/core"
)

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

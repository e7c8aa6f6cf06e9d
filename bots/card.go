package bots

import (
	"context"

	"crowdbot/core"
)

// CardFunc renders an announcement of a kind's own shape for one destination's
// language: a poll with its vote buttons and current tally, a contest entry with its
// vote button. It is called at delivery time, and again when a posted card is
// refreshed, so it shows the numbers of that moment.
type CardFunc func(ctx context.Context, a core.Announcement, locale string) (Reply, error)

// Card renders an outbox announcement: the card registered for its key when there
// is one, else the key's text with its arguments, with the campaign's progress image
// when the announcement asks for it.
func (r *Router) Card(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
	req := &Request{Locale: locale}
	if f, ok := r.cards[a.Key]; ok {
		rep, err := f(ctx, a, locale)
		if err != nil {
			return Reply{}, err
		}
		return r.render(req, []Reply{rep})[0], nil
	}
	rep := Reply{Msg: Msg{Key: a.Key, Args: a.Args}}
	if a.Image == "progress" && a.CampaignID != 0 {
		c, err := r.svc.CampaignByID(ctx, a.CampaignID)
		if err != nil {
			return Reply{}, err
		}
		rep.Image = ProgressImage(c.Code)
	}
	return r.render(req, []Reply{rep})[0], nil
}

// ProgressImage is the reference to a campaign's progress image; the Router fills in
// the picture for platforms that upload it, the web links to Path.
func ProgressImage(code string) *Image {
	return &Image{Name: "progress.png", Path: "/c/" + code + "/progress.png"}
}

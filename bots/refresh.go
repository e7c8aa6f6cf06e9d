package bots

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"crowdbot/core"
)

// refreshBatch bounds how many posted cards one pass edits.
const refreshBatch = 500

// Refresher keeps posted poll cards up to date. Votes do not edit the cards they are
// cast on: each pass edits every card whose tally (or campaign state) moved since it
// was last refreshed, once, with the numbers of that moment, so a burst of votes costs
// each message one edit per pass whatever its size. The pass interval is therefore the
// edit rate of one message, which keeps well inside Telegram's and Discord's limits.
type Refresher struct {
	router  *Router
	posters map[core.Platform]Poster
	log     *slog.Logger
}

// NewRefresher returns a Refresher that renders cards with router and edits them
// through the poster of their platform.
func NewRefresher(router *Router, posters map[core.Platform]Poster) *Refresher {
	return &Refresher{router: router, posters: posters, log: router.log}
}

// Tick runs one pass and returns how many messages it edited. A card is claimed in
// the database before it is edited, so passes running at once (several replicas) edit
// each message once; an edit that fails is released and tried again next pass, and
// a platform that asks to slow down is left alone until then.
func (f *Refresher) Tick(ctx context.Context) (int, error) {
	svc := f.router.svc
	cards, err := svc.StalePollCards(ctx, refreshBatch)
	if err != nil {
		return 0, err
	}
	type view struct {
		campaign int64
		locale   string
	}
	rendered := map[view]Reply{}
	limited := map[core.Platform]bool{}
	edits := 0
	for _, card := range cards {
		it := card.Item
		poster := f.posters[it.Platform]
		if poster == nil || limited[it.Platform] {
			continue
		}
		ok, err := svc.ClaimPollCard(ctx, card)
		if err != nil {
			return edits, err
		}
		if !ok {
			continue
		}
		v := view{it.Announcement.CampaignID, it.Locale}
		rep, done := rendered[v]
		if !done {
			if rep, err = f.router.Card(ctx, it.Announcement, it.Locale); err != nil {
				f.release(ctx, card, "render poll card", err)
				continue
			}
			rendered[v] = rep
		}
		err = poster.Edit(ctx, Destination{SpaceID: card.SpaceExternalID, ChannelID: it.ChannelID}, it.MessageID, rep)
		var rate *RateLimitError
		var permanent *PermanentError
		switch {
		case err == nil:
			edits++
		case errors.As(err, &permanent):
			// the message is gone or cannot be edited: retrying would not help
			f.log.Warn("poll card cannot be refreshed", "outbox", it.ID, "platform", it.Platform, "err", err)
		case errors.As(err, &rate):
			limited[it.Platform] = true
			f.release(ctx, card, "refresh poll card", err)
		default:
			f.release(ctx, card, "refresh poll card", err)
		}
	}
	return edits, nil
}

// release logs a failed refresh and gives the card's claim back.
func (f *Refresher) release(ctx context.Context, card core.PollCard, what string, err error) {
	f.log.Warn(what, "outbox", card.Item.ID, "platform", card.Item.Platform, "err", err)
	if rerr := f.router.svc.ReleasePollCard(ctx, card); rerr != nil {
		f.log.Error("release poll card", "outbox", card.Item.ID, "err", rerr)
	}
}

// Run refreshes posted cards every interval until ctx ends.
func (f *Refresher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		tctx, cancel := context.WithTimeout(ctx, JobDeadline)
		n, err := f.Tick(tctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			f.log.Error("refresh poll cards", "err", err)
		} else if n > 0 {
			f.log.Debug("poll cards refreshed", "edits", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

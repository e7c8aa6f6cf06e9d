package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/core"
)

// rateRetries bounds how often one call is retried after a 429.
const rateRetries = 3

// rest makes one REST call. discordgo keeps each route's bucket (it waits when the
// bucket is empty and for a global limit); on a 429 the adapter waits retry_after
// and tries again when that is short, and otherwise fails with a
// bots.RateLimitError so the caller can come back later.
func (a *Adapter) rest(ctx context.Context, call func(o ...discordgo.RequestOption) error) error {
	for attempt := 0; ; attempt++ {
		err := call(discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) {
			return err
		}
		wait := rl.RetryAfter
		if wait > a.maxWait || attempt >= rateRetries {
			return &bots.RateLimitError{RetryAfter: wait}
		}
		a.log.Info("rate limited", "url", rl.URL, "retry_after", wait)
		if err := core.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Platform implements bots.Poster.
func (a *Adapter) Platform() core.Platform { return core.Discord }

// Post implements bots.Poster: it sends a reply to a channel, or privately to a
// member, and returns the id of its first message.
func (a *Adapter) Post(ctx context.Context, to bots.Destination, r bots.Reply) (string, error) {
	channel, err := a.channel(ctx, to)
	if err != nil {
		return "", err
	}
	r.Ephemeral, r.Toast, r.Private = false, false, false
	var first string
	for _, m := range a.render(r) {
		var sent *discordgo.Message
		err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
			var err error
			sent, err = a.api.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
				Content: m.content, Embeds: m.embeds, Components: m.components, Files: m.discordFiles(), AllowedMentions: noMentions(),
			}, o...)
			return err
		})
		if err != nil {
			return first, deliveryError("post", err)
		}
		if first == "" && sent != nil {
			first = sent.ID
		}
	}
	return first, nil
}

// Edit implements bots.Poster: it replaces a message the bot posted.
func (a *Adapter) Edit(ctx context.Context, to bots.Destination, messageID string, r bots.Reply) error {
	channel, err := a.channel(ctx, to)
	if err != nil {
		return err
	}
	r.Ephemeral, r.Toast, r.Private = false, false, false
	m := a.renderOne(r)
	err = a.rest(ctx, func(o ...discordgo.RequestOption) error {
		e := m.edit()
		e.ID, e.Channel = messageID, channel
		_, err := a.api.ChannelMessageEditComplex(e, o...)
		return err
	})
	return deliveryError("edit", err)
}

// channel returns the channel a destination names, opening the DM channel of a
// member for a private post.
func (a *Adapter) channel(ctx context.Context, to bots.Destination) (string, error) {
	if to.ChannelID != "" {
		return to.ChannelID, nil
	}
	if to.UserID == "" {
		return "", &bots.PermanentError{Err: errors.New("discord: no channel and no user to post to")}
	}
	a.mu.Lock()
	id := a.dms[to.UserID]
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var ch *discordgo.Channel
	err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
		var err error
		ch, err = a.api.UserChannelCreate(to.UserID, o...)
		return err
	})
	if err != nil {
		return "", deliveryError("open private channel", err)
	}
	a.mu.Lock()
	a.dms[to.UserID] = ch.ID
	a.mu.Unlock()
	return ch.ID, nil
}

// deliveryError marks the errors that will not go away by trying again (the channel
// is gone, the bot may not post there, the message is refused) as permanent.
func deliveryError(what string, err error) error {
	if err == nil {
		return nil
	}
	var rl *bots.RateLimitError
	if errors.As(err, &rl) {
		return rl
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusRequestEntityTooLarge:
			return &bots.PermanentError{Err: fmt.Errorf("discord %s: %w", what, err)}
		}
	}
	return fmt.Errorf("discord %s: %w", what, err)
}

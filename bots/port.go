package bots

import (
	"context"
	"fmt"
	"strings"
	"time"

	"crowdbot/bots/i18n"
	"crowdbot/core"
)

// Conversation is the one port every front (bots/telegram, bots/discord, bots/web)
// consumes: all a front asks of the neutral layer, and nothing more. A front turns
// what its platform sent into calls of these methods and their results into its
// platform's messages; it never reaches core itself. *Router implements it.
type Conversation interface {
	// Handle runs one input and returns the replies, rendered in the member's
	// language (Router.Handle).
	Handle(ctx context.Context, in Input) []Reply
	// Specs lists every command, for fronts that register them with their platform.
	Specs() []*Spec
	// Catalog holds the words, for fronts that name commands in every language.
	Catalog() *i18n.Catalog
	// T renders a message in a language.
	T(locale string, m Msg) string
	// Deadline is how long one input may take.
	Deadline() time.Duration
	// Now is the time on the conversation's clock.
	Now() time.Time
	// Identify finds or makes the space and member of an input and returns who
	// speaks there, with their rights.
	Identify(ctx context.Context, in Input) (core.Actor, error)
	// JoinSpace records that the bot is in a space: added to a chat, or a guild
	// known at start; by is who the space is first recorded with (who added the
	// bot, the guild's owner).
	JoinSpace(ctx context.Context, space core.SpaceRef, by core.MemberRef) error
	// LeaveSpace records that the bot left a space or was removed from it.
	LeaveSpace(ctx context.Context, platform core.Platform, space string) error
	// MoveSpace follows a space to its new id on its platform (a Telegram group
	// that became a supergroup); it reports whether anything moved.
	MoveSpace(ctx context.Context, platform core.Platform, from, to string) (bool, error)
	// SuggestCodes offers the codes of the space's campaigns that start with what
	// was typed, for the fronts that complete a code as it is typed.
	SuggestCodes(ctx context.Context, space core.SpaceRef, member core.MemberRef, prefix string) []Suggestion
	// RefundStars pays back the Telegram Stars payments due, each through pay, and
	// records each try; it returns how many went back.
	RefundStars(ctx context.Context, pay func(ctx context.Context, ref core.StarRefund) error) (int, error)
}

var _ Conversation = (*Router)(nil)

// Now is the time on the service's clock.
func (r *Router) Now() time.Time { return r.svc.Now() }

// Identify finds or makes the space and member of an input and returns who speaks
// there, with their rights (Actor).
func (r *Router) Identify(ctx context.Context, in Input) (core.Actor, error) {
	sp, m, err := r.svc.Identify(ctx, in.Space, in.Member)
	if err != nil {
		return core.Actor{}, err
	}
	return r.Actor(in, sp, m), nil
}

// JoinSpace records that the bot is in a space, found or made with its title and
// language, and the member by with it.
func (r *Router) JoinSpace(ctx context.Context, space core.SpaceRef, by core.MemberRef) error {
	if _, _, err := r.svc.Identify(ctx, space, by); err != nil {
		return fmt.Errorf("join space: %w", err)
	}
	return nil
}

// LeaveSpace records that the bot is no longer in a space.
func (r *Router) LeaveSpace(ctx context.Context, platform core.Platform, space string) error {
	if err := r.svc.LeaveSpace(ctx, platform, space); err != nil {
		return fmt.Errorf("leave space: %w", err)
	}
	return nil
}

// MoveSpace moves a space, the campaigns' links to it and the posts not sent yet to
// its new id, once however often the platform says so.
func (r *Router) MoveSpace(ctx context.Context, platform core.Platform, from, to string) (bool, error) {
	return r.svc.MoveSpace(ctx, platform, from, to)
}

// Suggestion is a campaign code offered as it is typed.
type Suggestion struct {
	Code string
	// Label shows the code with its campaign's title on one line.
	Label string
	// Live is set for a campaign that is open (or voting).
	Live bool
}

// MaxSuggestions is the most codes SuggestCodes offers (Discord shows 25 choices).
const MaxSuggestions = 25

// suggestScan bounds the campaigns of a space SuggestCodes looks through, newest
// first.
const suggestScan = 100

// SuggestCodes offers the space's own campaigns whose code, title, or a word of whose
// title starts with prefix in any letter case (every campaign for an empty prefix): live
// ones first, then the others, newest first within each, at most MaxSuggestions. It
// only reads: no member is made for it. A failure is logged and offers nothing.
func (r *Router) SuggestCodes(ctx context.Context, space core.SpaceRef, member core.MemberRef, prefix string) []Suggestion {
	sp, _, err := r.svc.IdentifyGuest(ctx, space, member)
	if err != nil {
		r.log.Warn("suggest codes", "platform", space.Platform, "space", space.ExternalID, "err", err)
		return nil
	}
	list, err := r.svc.Campaigns(ctx, core.CampaignFilter{SpaceID: sp.ID, Limit: suggestScan})
	if err != nil {
		r.log.Warn("suggest codes", "platform", space.Platform, "space", space.ExternalID, "err", err)
		return nil
	}
	prefix = strings.Join(strings.Fields(strings.ToLower(prefix)), " ")
	var live, rest []Suggestion
	for _, c := range list {
		if c.SpaceID != sp.ID || !startsWith(c.Code, c.Title, prefix) {
			continue
		}
		title := strings.Join(strings.Fields(c.Title), " ")
		s := Suggestion{Code: c.Code, Label: c.Code + " · " + title, Live: c.State.Live()}
		if s.Live {
			live = append(live, s)
		} else {
			rest = append(rest, s)
		}
	}
	out := append(live, rest...)
	if len(out) > MaxSuggestions {
		out = out[:MaxSuggestions]
	}
	return out
}

// startsWith reports whether a campaign's code, its title or a word of its title
// starts with prefix, which is lower case.
func startsWith(code, title, prefix string) bool {
	if strings.HasPrefix(strings.ToLower(code), prefix) {
		return true
	}
	words := strings.Fields(strings.ToLower(title))
	if strings.HasPrefix(strings.Join(words, " "), prefix) {
		return true
	}
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

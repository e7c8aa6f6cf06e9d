package bots

import (
	"context"
	"fmt"
	"time"

	"crowdbot/core"
)

// Destination is where a post goes on a platform: a channel, or a member privately.
type Destination struct {
	SpaceID   string // the platform's id of the space (guild, chat), when known
	ChannelID string // the channel or chat; "" for a private message to UserID
	UserID    string // the member's platform id, for private messages
}

// Poster delivers the bot's own posts (announcements, refreshed tallies) to one
// platform. Each platform adapter implements it; the outbox dispatcher and the poll
// refresher use it without knowing the platform.
type Poster interface {
	// Platform names the platform the Poster posts to.
	Platform() core.Platform
	// Post sends a rendered reply and returns the platform's id of the new message.
	Post(ctx context.Context, to Destination, r Reply) (messageID string, err error)
	// Edit replaces the text, buttons (and image, where the platform can) of a message
	// the bot posted earlier.
	Edit(ctx context.Context, to Destination, messageID string, r Reply) error
}

// RateLimitError is returned by a Poster when the platform asked to wait (HTTP 429
// with retry_after) and the adapter did not wait itself.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// PermanentError marks a delivery that will never succeed (the chat is gone, the
// bot was removed, the message is malformed): the dispatcher parks it at once.
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Grant is a top contributor's recognition to give or take back on a platform: a
// Discord role in a guild, a Telegram custom title in a supergroup.
type Grant struct {
	SpaceID string // the platform's id of the guild or chat
	UserID  string // the member's platform id
	Action  string // core.RecognizeRole or core.RecognizeTitle
	Value   string // the role id, or the title
}

// Recognizer is a Poster that can also give and take back recognitions. An adapter
// that implements it has its grants carried out by the Dispatcher. A refusal that
// can be explained (a missing permission, a chat that is no supergroup) is a
// *core.Error with a message key: the grant then fails at once and the campaign's
// creator is told why; any other error is tried again later.
type Recognizer interface {
	Poster
	// Give gives g to its member.
	Give(ctx context.Context, g Grant) error
	// Take takes g back from its member.
	Take(ctx context.Context, g Grant) error
}

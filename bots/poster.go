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

package core

import (
	"context"
	"fmt"
	"time"
)

// MoveStore keeps the moves of spaces to a new platform id: a Telegram group that
// becomes a supergroup gets a new chat id, and what it had follows it.
type MoveStore interface {
	// MoveSpace moves the space a platform knows as from to the id to: the space
	// itself (merged into the space already known as to, when there is one), the
	// channel links to from and the posts to from not sent yet. A move is made once:
	// it reports false, changing nothing, when the move from that id was recorded
	// already.
	MoveSpace(ctx context.Context, platform Platform, from, to string, now time.Time) (bool, error)
}

// MoveSpace follows a space to its new platform id (a Telegram group upgraded to a
// supergroup), once however often the platform says so; it reports whether this call
// made the move.
func (s *Service) MoveSpace(ctx context.Context, platform Platform, from, to string) (bool, error) {
	if !platform.Valid() || from == "" || to == "" || from == to {
		return false, fmt.Errorf("move space: bad move %s %q to %q", platform, from, to)
	}
	moved, err := s.store.MoveSpace(ctx, platform, from, to, s.clock.Now())
	if err != nil {
		return false, fmt.Errorf("move space %s %s: %w", platform, from, err)
	}
	return moved, nil
}

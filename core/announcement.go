package core

import (
	"context"
	"fmt"
	"time"
)

// Announcement is a message the bot posts on its own: progress, milestones, phase
// changes, results, and notices to one member. It is written to the outbox in the
// same transaction as the change that causes it, and delivered later.
type Announcement struct {
	CampaignID int64
	// MemberID, when set, sends the announcement to that member privately instead of
	// to the campaign's linked channels.
	MemberID int64
	Key      string         // catalog key of the text
	Args     map[string]any // the key's arguments
	// Image names an image to attach: "" for none, or "progress" for the campaign's
	// progress image.
	Image string
	// Once, when set, makes the announcement go out at most once per destination for
	// this value (a milestone, a phase change): a second one with the same value is
	// dropped.
	Once string
}

// CampaignAnnouncement returns an announcement to all of c's linked channels.
func CampaignAnnouncement(c *Campaign, key string, args ...any) Announcement {
	return Announcement{CampaignID: c.ID, Key: key, Args: Args(args...)}
}

// MemberNotice returns an announcement to one member about campaign c.
func MemberNotice(c *Campaign, memberID int64, key string, args ...any) Announcement {
	return Announcement{CampaignID: c.ID, MemberID: memberID, Key: key, Args: Args(args...)}
}

// OutboxState is where an outbox row is in its delivery.
type OutboxState string

// Outbox states.
const (
	OutboxPending OutboxState = "pending" // waiting or retrying
	OutboxSent    OutboxState = "sent"    // delivered
	OutboxParked  OutboxState = "parked"  // failed too often; shown to admins
)

// OutboxItem is one announcement to one destination.
type OutboxItem struct {
	ID           int64
	Announcement Announcement
	Platform     Platform
	SpaceID      int64  // 0 for a private notice
	ChannelID    string // "" for a private notice: the member's platform id is used
	MemberID     int64
	Locale       string // language to render in
	State        OutboxState
	Attempts     int
	NextTryAt    time.Time
	LastError    string
	CreatedAt    time.Time
	SentAt       *time.Time
	MessageID    string // the platform's id of the posted message, once sent

	// Filled in by ClaimOutbox, for delivery:
	SpaceExternalID  string // the platform's id of SpaceID (guild, chat)
	MemberExternalID string // the member's platform id, for a private notice
	Claim            string // the token of the claim that leases the row
}

// OutboxStore queues announcements.
type OutboxStore interface {
	// Enqueue writes announcements to the outbox, one row per destination.
	Enqueue(ctx context.Context, now time.Time, anns ...Announcement) error
	// Outbox lists outbox rows in a state, newest first (for admins and tests).
	Outbox(ctx context.Context, state OutboxState, limit int) ([]OutboxItem, error)

	// ClaimOutbox leases up to limit pending rows of a platform for delivery until
	// now+lease, under token. It takes only the oldest pending row of each destination
	// (a channel, or a member's private chat), and only when that row is due and the
	// destination's last post is at least gap old, so each destination is served in
	// order and paced even across replicas. A row whose lease expired is due again.
	ClaimOutbox(ctx context.Context, platform Platform, now time.Time, gap, lease time.Duration, token string, limit int) ([]OutboxItem, error)
	// MarkSent records that a claimed row was delivered as messageID. It returns false
	// when the claim was lost (its lease expired and the row was claimed again).
	MarkSent(ctx context.Context, id int64, token, messageID string, now time.Time) (bool, error)
	// RetryOutbox gives a claimed row back to be tried again at next, recording why;
	// failed counts the try toward the row's attempts.
	RetryOutbox(ctx context.Context, id int64, token string, next time.Time, reason string, failed bool) error
	// ParkOutbox stops trying a claimed row, keeping the reason for admins.
	ParkOutbox(ctx context.Context, id int64, token, reason string) error
	// TakeNotices hands over up to limit of a member's waiting private notices on a
	// platform that has no way to push them (the web), oldest first, and marks them
	// sent: two requests at once never get the same notice.
	TakeNotices(ctx context.Context, platform Platform, memberID int64, now time.Time, limit int) ([]OutboxItem, error)
}

// MaxOutboxList bounds how many outbox rows one listing returns.
const MaxOutboxList = 500

// Outbox lists outbox rows in a state for an admin, newest first: the parked rows
// are the posts that kept failing and need a look. It spans every space, so it is for
// owners only; a space's admins see their own with ParkedPosts.
func (s *Service) Outbox(ctx context.Context, actor Actor, state OutboxState, limit int) ([]OutboxItem, error) {
	if !actor.Owner {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	if limit <= 0 || limit > MaxOutboxList {
		limit = MaxOutboxList
	}
	return s.store.Outbox(ctx, state, limit)
}

// MaxNoticesTaken bounds how many waiting notices one message of a member brings.
const MaxNoticesTaken = 20

// TakeNotices returns the private notices waiting for the actor on a platform the
// dispatcher does not post to (the web, where nothing reaches a member between two
// of their messages), and marks them delivered: the front end shows them with its
// next answer. A guest, who has no member row yet, has none.
func (s *Service) TakeNotices(ctx context.Context, actor Actor) ([]OutboxItem, error) {
	if actor.Member.ID == 0 || actor.Member.New {
		// nobody could address a notice to a member this request made
		return nil, nil
	}
	items, err := s.store.TakeNotices(ctx, actor.Member.Platform, actor.Member.ID, s.clock.Now(), MaxNoticesTaken)
	if err != nil {
		return nil, fmt.Errorf("take notices: %w", err)
	}
	return items, nil
}

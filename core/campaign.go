package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Kind is a kind of campaign.
type Kind string

// The five kinds of campaign.
const (
	KindIdeas      Kind = "ideas"
	KindPoll       Kind = "poll"
	KindContest    Kind = "contest"
	KindFundraiser Kind = "fundraiser"
	KindTasks      Kind = "tasks"
)

// Kinds lists every kind, in the order they are shown.
var Kinds = []Kind{KindIdeas, KindPoll, KindContest, KindFundraiser, KindTasks}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// State is where a campaign is in its life.
type State string

// Campaign states. See docs/DESIGN.md: draft -> open -> (voting) -> closed; fundraisers end
// funded, failed or closed; any live campaign can be cancelled.
const (
	StateDraft     State = "draft"
	StateOpen      State = "open"
	StateVoting    State = "voting"
	StateClosed    State = "closed"
	StateFunded    State = "funded"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
)

// LiveStates returns the states in which a campaign still takes part in anything:
// it takes submissions, votes or pledges, posts progress and reminders, and can be
// closed or cancelled. It is a new slice on every call.
func LiveStates() []State { return []State{StateOpen, StateVoting} }

// Live reports whether a campaign in state s still takes part in anything (one of
// LiveStates).
func (s State) Live() bool { return slices.Contains(LiveStates(), s) }

// Final reports whether s is an end state.
func (s State) Final() bool {
	return s == StateClosed || s == StateFunded || s == StateFailed || s == StateCancelled
}

// CanTransition reports whether a campaign of kind k may move from one state to another.
func CanTransition(k Kind, from, to State) bool {
	switch from {
	case StateDraft:
		return to == StateOpen || to == StateCancelled
	case StateOpen:
		switch to {
		case StateCancelled, StateClosed:
			return true
		case StateVoting:
			return k == KindContest
		case StateFunded, StateFailed:
			return k == KindFundraiser
		}
	case StateVoting:
		return k == KindContest && (to == StateClosed || to == StateCancelled)
	}
	return false
}

// Campaign is one crowdsourcing campaign of any kind. Kind-specific settings live in
// the kind's own aggregate (Poll, Contest, Fundraiser, TaskJob).
type Campaign struct {
	ID          int64
	Code        string // short public code used in commands and links
	Kind        Kind
	Title       string
	Description string
	SpaceID     int64 // the owner space
	State       State
	OpensAt     time.Time
	ClosesAt    *time.Time // the final close; nil means no deadline
	DeadlineAt  *time.Time // the next moment the state moves on its own; nil for none
	TimeZone    string     // IANA name for schedules and shown times
	Schedule    string     // cron spec for progress updates, in TimeZone
	CreatedBy   int64      // member id
	CreatedAt   time.Time
	UpdatedAt   time.Time
	EndedAt     *time.Time // when it reached its final state; nil while it runs
}

// EndedEarly reports whether the campaign ended before its planned deadline (an
// admin closed or cancelled it), so the deadline it had is not when it ended.
func (c *Campaign) EndedEarly() bool {
	return c.EndedAt != nil && c.ClosesAt != nil && c.EndedAt.Before(*c.ClosesAt)
}

// Limits for campaign fields.
const (
	MaxTitle       = 200
	MaxDescription = 4000
	CodeLength     = 5
	// DefaultSchedule posts progress daily at 18:00 in the campaign's time zone.
	DefaultSchedule = "0 18 * * *"
)

// codeAlphabet leaves out look-alikes (0/O, 1/l/I) so codes survive being read aloud.
const codeAlphabet = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// NewCode returns a random campaign code. Codes always hold a digit, so a code can
// never be mistaken for a subcommand such as "merge". Uniqueness is the store's job:
// it retries with a fresh code when the database refuses a duplicate.
func NewCode() string {
	b := make([]byte, CodeLength)
	for {
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		digit := false
		for i := range b {
			b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
			digit = digit || b[i] >= '0' && b[i] <= '9'
		}
		if digit {
			return string(b)
		}
	}
}

// ValidCode reports whether s has the shape of a campaign code.
func ValidCode(s string) bool {
	if len(s) != CodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isCodeChar(s[i]) {
			return false
		}
	}
	return true
}

func isCodeChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// LoadZone loads an IANA time zone; "" means UTC.
func LoadZone(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, Errorf(EINVALID, "error.bad_timezone", "tz", tz)
	}
	return loc, nil
}

// Validate cleans the campaign's text fields and checks every field. It is called
// before a campaign is stored; now is the time of the request, and schedules reads
// its update schedule.
func (c *Campaign) Validate(now time.Time, schedules ScheduleParser) error {
	if !c.Kind.Valid() {
		return Errorf(EINVALID, "error.bad_kind", "kind", string(c.Kind))
	}
	var err error
	if c.Title, err = checkText("title", c.Title, true, 1, MaxTitle); err != nil {
		return err
	}
	if c.Description, err = checkText("description", c.Description, false, 0, MaxDescription); err != nil {
		return err
	}
	if _, err := LoadZone(c.TimeZone); err != nil {
		return err
	}
	if c.Schedule != "" {
		if _, err := schedules.Read(c.Schedule); err != nil {
			return err
		}
	}
	if c.ClosesAt != nil {
		if !c.ClosesAt.After(now) {
			return Errorf(EINVALID, "error.deadline_past")
		}
		if !c.OpensAt.IsZero() && !c.ClosesAt.After(c.OpensAt) {
			return Errorf(EINVALID, "error.deadline_before_open")
		}
	}
	return nil
}

// NewCampaign is what an admin gives to create a campaign of any kind.
type NewCampaign struct {
	Kind        Kind
	Title       string
	Description string
	ClosesAt    *time.Time
	TimeZone    string // "" takes the space's
	Schedule    string // "" takes DefaultSchedule
}

// build turns a request into a campaign owned by the actor's space, open from now.
func (in NewCampaign) build(actor Actor, now time.Time) *Campaign {
	c := &Campaign{
		Kind:        in.Kind,
		Title:       in.Title,
		Description: in.Description,
		SpaceID:     actor.Space.ID,
		State:       StateOpen,
		OpensAt:     now,
		ClosesAt:    in.ClosesAt,
		DeadlineAt:  in.ClosesAt,
		TimeZone:    in.TimeZone,
		Schedule:    in.Schedule,
		CreatedBy:   actor.Member.ID,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	if c.TimeZone == "" {
		c.TimeZone = actor.Space.TimeZone
	}
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	return c
}

// Transition is a state change of a campaign, stored together with the announcements
// it causes and the campaign's next deadline.
type Transition struct {
	CampaignID    int64
	From, To      State
	At            time.Time
	NextDeadline  *time.Time
	Announcements []Announcement
}

// CampaignFilter selects campaigns for listing.
type CampaignFilter struct {
	SpaceID int64   // 0 for every space
	Kind    Kind    // "" for every kind
	States  []State // nil for every state
	Limit   int     // 0 for the store's default
}

// CampaignStore keeps campaigns.
type CampaignStore interface {
	// CreateCampaign stores a new campaign of a kind without settings of its own
	// (ideas), giving it a fresh unique code, and links the channel if link is set.
	CreateCampaign(ctx context.Context, c *Campaign, link *ChannelLink) error
	// Campaign returns a campaign by id.
	Campaign(ctx context.Context, id int64) (*Campaign, error)
	// CampaignByCode returns a campaign by its public code.
	CampaignByCode(ctx context.Context, code string) (*Campaign, error)
	// RecentCampaign is CampaignByCode as read a moment ago at most, for the presses
	// of a crowd whose writes check the campaign's state themselves.
	RecentCampaign(ctx context.Context, code string) (*Campaign, error)
	// Campaigns lists campaigns, newest first.
	Campaigns(ctx context.Context, f CampaignFilter) ([]Campaign, error)
	// TransitionCampaign moves a campaign from t.From to t.To if it is still in t.From,
	// and queues t's announcements in the same transaction. It fails with ECONFLICT
	// when the campaign has moved on.
	TransitionCampaign(ctx context.Context, t Transition) error
	// SetSchedule changes a campaign's update schedule.
	SetSchedule(ctx context.Context, campaignID int64, spec string) error
	// DueCampaigns returns live campaigns whose deadline is at or before now.
	DueCampaigns(ctx context.Context, now time.Time, limit int) ([]Campaign, error)
	// SetLinkKey stores the hash of a campaign's link key, replacing the last one.
	SetLinkKey(ctx context.Context, campaignID int64, hash string, until time.Time) error
	// LinkKey returns the hash of a campaign's link key and when it expires; "" when
	// none was issued.
	LinkKey(ctx context.Context, campaignID int64) (hash string, until time.Time, err error)
}

// Campaign returns the campaign with the given public code.
func (s *Service) Campaign(ctx context.Context, code string) (*Campaign, error) {
	if !ValidCode(code) {
		return nil, Errorf(ENOTFOUND, "error.campaign_not_found", "code", code)
	}
	return s.store.CampaignByCode(ctx, code)
}

// CampaignByID returns the campaign with the given id.
func (s *Service) CampaignByID(ctx context.Context, id int64) (*Campaign, error) {
	return s.store.Campaign(ctx, id)
}

// CampaignOf returns the campaign with the given code, checking that it is of kind k.
func (s *Service) CampaignOf(ctx context.Context, code string, k Kind) (*Campaign, error) {
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.Kind != k {
		return nil, Errorf(EINVALID, "error.wrong_kind", "code", c.Code, "kind", string(k))
	}
	return c, nil
}

// recentCampaignOf is CampaignOf as read a moment ago at most (RecentCampaign), for a
// change whose store call checks the campaign's state itself.
func (s *Service) recentCampaignOf(ctx context.Context, code string, k Kind) (*Campaign, error) {
	if !ValidCode(code) {
		return nil, Errorf(ENOTFOUND, "error.campaign_not_found", "code", code)
	}
	c, err := s.store.RecentCampaign(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.Kind != k {
		return nil, Errorf(EINVALID, "error.wrong_kind", "code", c.Code, "kind", string(k))
	}
	return c, nil
}

// Campaigns lists campaigns.
func (s *Service) Campaigns(ctx context.Context, f CampaignFilter) ([]Campaign, error) {
	return s.store.Campaigns(ctx, f)
}

// CreateCampaign creates a campaign of a kind that has no settings of its own (ideas).
// The channel the admin asked from is linked to it.
func (s *Service) CreateCampaign(ctx context.Context, actor Actor, in NewCampaign) (*Campaign, error) {
	now := s.clock.Now()
	c, err := in.prepare(actor, now, s.settings.Schedules)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateCampaign(ctx, c, linkFor(actor, now)); err != nil {
		return nil, fmt.Errorf("create campaign: %w", err)
	}
	return c, nil
}

// prepare checks a new ideas campaign and builds it, as CreateCampaign stores it.
func (in NewCampaign) prepare(actor Actor, now time.Time, schedules ScheduleParser) (*Campaign, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	if in.Kind != KindIdeas {
		return nil, Errorf(EINVALID, "error.bad_kind", "kind", string(in.Kind))
	}
	c := in.build(actor, now)
	if err := c.Validate(now, schedules); err != nil {
		return nil, err
	}
	return c, nil
}

// linkFor returns a link to the channel the actor spoke from, or nil on the web.
func linkFor(actor Actor, now time.Time) *ChannelLink {
	if actor.Space.Platform == Web || actor.Channel == "" {
		return nil
	}
	return &ChannelLink{Platform: actor.Space.Platform, SpaceID: actor.Space.ID, ChannelID: actor.Channel, CreatedAt: now}
}

// CloseCampaign ends a live campaign by an admin's decision: fundraisers settle,
// other kinds close and announce their result.
func (s *Service) CloseCampaign(ctx context.Context, actor Actor, code string) (*Campaign, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if !c.State.Live() {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	if err := s.finish(ctx, c, s.clock.Now()); err != nil {
		return nil, err
	}
	return s.store.Campaign(ctx, c.ID)
}

// CancelCampaign cancels a campaign that has not ended.
func (s *Service) CancelCampaign(ctx context.Context, actor Actor, code string) (*Campaign, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if c.State.Final() {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	t := Transition{CampaignID: c.ID, From: c.State, To: StateCancelled, At: s.clock.Now(),
		Announcements: []Announcement{CampaignAnnouncement(c, "announce.cancelled", "title", c.Title)}}
	if err := s.store.TransitionCampaign(ctx, t); err != nil {
		return nil, err
	}
	return s.store.Campaign(ctx, c.ID)
}

// LinkChannel links the channel the admin speaks from to the campaign, so that it
// receives the campaign's announcements. Linking needs an admin of both spaces: one
// who manages the campaign (Actor.Manages) links any space they administer; an admin
// of another space needs the link key one of its managers issued (LinkKey), which is
// how the campaign's own community vouches for the new home of its posts.
func (s *Service) LinkChannel(ctx context.Context, actor Actor, code, key string) (*Campaign, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	if !actor.Manages(c) {
		if err := s.checkLinkKey(ctx, c, key); err != nil {
			return nil, err
		}
	}
	l := linkFor(actor, s.clock.Now())
	if l == nil {
		return nil, Errorf(EINVALID, "error.link_needs_channel")
	}
	l.CampaignID = c.ID
	if _, err := s.store.LinkChannel(ctx, *l); err != nil {
		return nil, fmt.Errorf("link channel: %w", err)
	}
	return c, nil
}

// LinkKeyTTL is how long a link key lets admins of other spaces link a campaign.
const LinkKeyTTL = 24 * time.Hour

// LinkKey issues a key that lets an admin of another space link campaign code there,
// for LinkKeyTTL; a new key replaces the last. Only the key's hash is kept.
func (s *Service) LinkKey(ctx context.Context, actor Actor, code string) (*Campaign, string, time.Time, error) {
	if !actor.Admin {
		return nil, "", time.Time{}, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, "", time.Time{}, err
	}
	if c.State.Final() {
		return nil, "", time.Time{}, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	key := NewCode() + NewCode()
	until := s.clock.Now().Add(LinkKeyTTL)
	if err := s.store.SetLinkKey(ctx, c.ID, hashKey(key), until); err != nil {
		return nil, "", time.Time{}, fmt.Errorf("link key: %w", err)
	}
	return c, key, until, nil
}

// checkLinkKey accepts key as the campaign's current, unexpired link key.
func (s *Service) checkLinkKey(ctx context.Context, c *Campaign, key string) error {
	if key == "" {
		return Errorf(EFORBIDDEN, "error.link_needs_key", "code", c.Code)
	}
	hash, until, err := s.store.LinkKey(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("link key: %w", err)
	}
	if hash == "" || !s.clock.Now().Before(until) ||
		subtle.ConstantTimeCompare([]byte(hash), []byte(hashKey(key))) != 1 {
		return Errorf(EFORBIDDEN, "error.link_key_bad", "code", c.Code)
	}
	return nil
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// SetSchedule changes the campaign's progress-update schedule.
func (s *Service) SetSchedule(ctx context.Context, actor Actor, code, spec string) (*Campaign, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if _, err := s.settings.Schedules.Read(spec); err != nil {
		return nil, err
	}
	if err := s.store.SetSchedule(ctx, c.ID, spec); err != nil {
		return nil, fmt.Errorf("set schedule: %w", err)
	}
	c.Schedule = spec
	return c, nil
}

// AdvanceDue moves every campaign whose deadline has passed on to its next state, and
// returns how many moved. It is safe to run late (after downtime) and from several
// replicas at once: each transition is conditional on the state it starts from.
func (s *Service) AdvanceDue(ctx context.Context) (int, error) {
	now := s.clock.Now()
	due, err := s.store.DueCampaigns(ctx, now, 100)
	if err != nil {
		return 0, fmt.Errorf("due campaigns: %w", err)
	}
	moved := 0
	for i := range due {
		err := s.advance(ctx, &due[i], now)
		switch ErrorCode(err) {
		case "":
			moved++
		case ECONFLICT:
			// another replica got there first
		default:
			return moved, fmt.Errorf("advance campaign %s: %w", due[i].Code, err)
		}
	}
	return moved, nil
}

// advance moves one due campaign to its next state.
func (s *Service) advance(ctx context.Context, c *Campaign, now time.Time) error {
	if c.Kind == KindContest && c.State == StateOpen {
		// a contest has two deadlines: the entries' close opens the voting, and
		// only the voting's close finishes it
		return s.openContestVoting(ctx, c, now)
	}
	return s.finish(ctx, c, now)
}

// finish ends a live campaign, in whatever way its kind ends, and recognizes its
// top contributors.
func (s *Service) finish(ctx context.Context, c *Campaign, now time.Time) error {
	r, err := s.rules(c)
	if err != nil {
		return err
	}
	if err := r.finish(ctx, c, now); err != nil {
		return err
	}
	return s.recognizeEnded(ctx, c, now)
}

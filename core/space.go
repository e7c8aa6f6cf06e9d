package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Platform names a place crowdbot talks on.
type Platform string

// The platforms crowdbot speaks on.
const (
	Discord  Platform = "discord"
	Telegram Platform = "telegram"
	Web      Platform = "web"
)

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool { return p == Discord || p == Telegram || p == Web }

// Space is where the bot lives: a Discord guild, a Telegram chat, or the web.
type Space struct {
	ID         int64
	Platform   Platform
	ExternalID string // guild id, chat id, or "web"
	Title      string
	Locale     string // default language for posts in this space
	TimeZone   string // IANA name, default for campaigns created here
	Retired    bool   // the bot was removed from it
	CreatedAt  time.Time
}

// SpaceRef identifies a space as a platform sees it, with what the platform says of it.
type SpaceRef struct {
	Platform   Platform
	ExternalID string
	Title      string
	Locale     string
}

// Member is a person on one platform. Points and earnings belong to a member.
type Member struct {
	ID         int64
	Platform   Platform
	ExternalID string // platform user id, or the web name
	Name       string
	Locale     string // the language the member chose with /lang; "" follows the platform
	CreatedAt  time.Time
	// New says the request that holds this member made them: nothing can be waiting
	// for them yet (see Service.TakeNotices). It is never stored.
	New bool
}

// WebSessionPrefix starts the platform id of a web member known only by their
// session cookie (a public visitor), as opposed to a name typed in the try-out.
const WebSessionPrefix = "~"

// MemberRef identifies a member as a platform sees them.
type MemberRef struct {
	Platform   Platform
	ExternalID string
	Name       string
}

// Actor is who asks for a change, where, and with which rights. Front ends build it
// from the platform's update. Admin is the platform's notion of admin of Space (a
// Discord server's managers, a Telegram chat's administrators), true for owners too;
// Owner is one of the configured owners (CROWDBOT_ADMINS), who run the deployment.
type Actor struct {
	Member  Member
	Space   Space
	Channel string // the channel (or chat) the request came from
	Admin   bool
	Owner   bool
}

// Manages is the one rule for who may manage campaign c (close, cancel, link, change
// it, read its exports, review its work): a configured owner; an admin of the space
// the campaign was created in, speaking there; or the member who created it. Being an
// admin somewhere else gives no rights over it: a campaign's code is public, and the
// admins of any group could otherwise run another community's campaign. The creator
// keeps the rights of the space they created it in, which lets them link it into a
// space they administer too and answer its admin cards in a private chat, where a
// platform cannot say who administers which group.
func (a Actor) Manages(c *Campaign) bool {
	if c == nil {
		return false
	}
	return a.Owner ||
		a.Admin && c.SpaceID != 0 && c.SpaceID == a.Space.ID ||
		c.CreatedBy != 0 && c.CreatedBy == a.Member.ID
}

// mayManage refuses an actor that does not manage campaign c: a member who is no
// admin is told so, an admin of another space that the campaign is not theirs.
func mayManage(a Actor, c *Campaign) error {
	switch {
	case a.Manages(c):
		return nil
	case !a.Admin:
		return Errorf(EFORBIDDEN, "error.admin_only")
	default:
		return Errorf(EFORBIDDEN, "error.not_your_campaign", "code", c.Code)
	}
}

// managedCampaign loads the campaign with code for an admin's change, refusing an
// actor who is no admin before anything is read, and one who does not manage it.
func (s *Service) managedCampaign(ctx context.Context, actor Actor, code string) (*Campaign, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, err
	}
	return c, nil
}

// ChannelLink is a channel that receives a campaign's announcements.
type ChannelLink struct {
	ID         int64
	CampaignID int64
	Platform   Platform
	SpaceID    int64
	ChannelID  string
	CreatedAt  time.Time
}

// SpaceStore keeps spaces, members and channel links.
type SpaceStore interface {
	// UpsertSpace finds or creates the space, refreshing its title and un-retiring it.
	UpsertSpace(ctx context.Context, ref SpaceRef, now time.Time) (*Space, error)
	// RetireSpace marks a space as left by the bot.
	RetireSpace(ctx context.Context, platform Platform, externalID string) error
	// UpsertMember finds or creates the member, refreshing the display name.
	UpsertMember(ctx context.Context, ref MemberRef, now time.Time) (*Member, error)
	// ClaimTryoutAdmin makes name the try-out admin of space (a platform:id key) when
	// it has none, and returns the one it has.
	ClaimTryoutAdmin(ctx context.Context, space, name string, now time.Time) (string, error)
	// FindMember returns the member a platform names, or nil when there is none; it
	// creates nothing.
	FindMember(ctx context.Context, ref MemberRef) (*Member, error)
	// Member returns a member by id.
	Member(ctx context.Context, id int64) (*Member, error)
	// SetMemberLocale stores the member's chosen language ("" to follow the platform).
	SetMemberLocale(ctx context.Context, memberID int64, locale string) error
	// LinkChannel links a channel to a campaign; linking twice is not an error.
	LinkChannel(ctx context.Context, l ChannelLink) (*ChannelLink, error)
	// ChannelLinks lists a campaign's linked channels.
	ChannelLinks(ctx context.Context, campaignID int64) ([]ChannelLink, error)

	PromptStore
}

// Locales are the languages crowdbot speaks, the first being the default.
var Locales = []string{"en", "fr", "it"}

// NormalizeLocale maps a platform language tag ("fr-CA", "it_IT", "EN") to one of
// Locales, or "" when none fits.
func NormalizeLocale(tag string) string {
	if len(tag) < 2 {
		return ""
	}
	base := strings.ToLower(tag[:2])
	if len(tag) > 2 && tag[2] != '-' && tag[2] != '_' {
		return ""
	}
	if slices.Contains(Locales, base) {
		return base
	}
	return ""
}

// PromptStore keeps the questions the bot waits on a member's free text for.
type PromptStore interface {
	// SetPrompt records that the member's next text in the channel answers action.
	SetPrompt(ctx context.Context, memberID int64, platform Platform, channel, action string, expires time.Time) error
	// TakePrompt returns and forgets the member's pending question in the channel (in
	// any channel, the latest, when channel is AnyChannel), or
	// "" when there is none (or it expired).
	TakePrompt(ctx context.Context, memberID int64, platform Platform, channel string, now time.Time) (string, error)
}

// Identify finds or creates the space and the member an update comes from.
func (s *Service) Identify(ctx context.Context, space SpaceRef, member MemberRef) (*Space, *Member, error) {
	sp, err := s.identifySpace(ctx, space, member)
	if err != nil {
		return nil, nil, err
	}
	member.Name = cleanName(member.Name)
	m, err := s.store.UpsertMember(ctx, member, s.clock.Now())
	if err != nil {
		return nil, nil, fmt.Errorf("identify member: %w", err)
	}
	return sp, m, nil
}

// IdentifyGuest is Identify for a person a front end does not vouch for yet (a web
// visitor): their member row is looked up, not made. One who has none is returned
// with id 0, and Identify makes it when they first change something; until then a
// visitor who only reads leaves no trace.
func (s *Service) IdentifyGuest(ctx context.Context, space SpaceRef, member MemberRef) (*Space, *Member, error) {
	sp, err := s.identifySpace(ctx, space, member)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.store.FindMember(ctx, member)
	if err != nil {
		return nil, nil, fmt.Errorf("identify member: %w", err)
	}
	if m == nil {
		m = &Member{Platform: member.Platform, ExternalID: member.ExternalID, Name: cleanName(member.Name)}
	}
	return sp, m, nil
}

// IdentifyLater is Identify for an input whose one change makes the member itself (a
// vote button, the hot path of a crowd): it finds or creates the space, and returns
// the member not looked up, with ID 0 and the platform's name. The store call that
// records the change finds or makes the member with it, in the same statement when it
// can, so a person the bot has never seen costs the database no statement of their
// own; it fills the member in, language included.
func (s *Service) IdentifyLater(ctx context.Context, space SpaceRef, member MemberRef) (*Space, *Member, error) {
	sp, err := s.identifySpace(ctx, space, member)
	if err != nil {
		return nil, nil, err
	}
	return sp, &Member{Platform: member.Platform, ExternalID: member.ExternalID, Name: cleanName(member.Name)}, nil
}

// Enroll makes the member of an actor identified later (IdentifyLater), for a change
// that needs their id before the store call that records it; a known member is left
// as they are.
func (s *Service) Enroll(ctx context.Context, actor *Actor) error {
	if actor.Member.ID != 0 {
		return nil
	}
	m, err := s.store.UpsertMember(ctx, MemberRef{Platform: actor.Member.Platform, ExternalID: actor.Member.ExternalID, Name: actor.Member.Name}, s.clock.Now())
	if err != nil {
		return fmt.Errorf("enroll member: %w", err)
	}
	actor.Member = *m
	return nil
}

// Recall fills in the member of an actor identified later (IdentifyLater) whose change
// did not reach the store, when they are known, so that they are answered in their
// language; it makes no member.
func (s *Service) Recall(ctx context.Context, actor *Actor) error {
	if actor.Member.ID != 0 {
		return nil
	}
	m, err := s.store.FindMember(ctx, MemberRef{Platform: actor.Member.Platform, ExternalID: actor.Member.ExternalID})
	if err != nil || m == nil {
		return err
	}
	actor.Member = *m
	return nil
}

// identifySpace checks an update's references and finds or creates its space.
func (s *Service) identifySpace(ctx context.Context, space SpaceRef, member MemberRef) (*Space, error) {
	if !space.Platform.Valid() || !member.Platform.Valid() || space.ExternalID == "" || member.ExternalID == "" {
		return nil, Errorf(EINVALID, "error.bad_update")
	}
	space.Title = cleanName(space.Title)
	sp, err := s.store.UpsertSpace(ctx, space, s.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("identify space: %w", err)
	}
	return sp, nil
}

// cleanName is a platform's name for a member or a space as crowdbot keeps it: one
// clean line of at most MaxTitle characters.
func cleanName(name string) string {
	name = CleanLine(name)
	if Len(name) > MaxTitle {
		name = string([]rune(name)[:MaxTitle])
	}
	return name
}

// TryoutAdmin returns the admin of a try-out of the space: the first name to speak
// there, name when there is none yet. A try-out trusts the names typed in, so this is
// only for a front end that has made sure everyone reaching it is at this machine
// (the web's local try-out). The name is kept in the database, so restarts and
// replicas agree; once there is one it never changes.
func (s *Service) TryoutAdmin(ctx context.Context, space SpaceRef, name string) (string, error) {
	return s.store.ClaimTryoutAdmin(ctx, string(space.Platform)+":"+space.ExternalID, name, s.clock.Now())
}

// LeaveSpace records that the bot was removed from a space.
func (s *Service) LeaveSpace(ctx context.Context, platform Platform, externalID string) error {
	return s.store.RetireSpace(ctx, platform, externalID)
}

// SetLocale stores the member's chosen language; "" goes back to the platform's.
func (s *Service) SetLocale(ctx context.Context, actor Actor, locale string) error {
	if locale != "" && !slices.Contains(Locales, locale) {
		return Errorf(EINVALID, "error.bad_locale", "locale", locale, "locales", strings.Join(Locales, ", "))
	}
	return s.store.SetMemberLocale(ctx, actor.Member.ID, locale)
}

// PromptTTL is how long the bot waits for the answer to a question.
const PromptTTL = 15 * time.Minute

// AskFor records that the actor's next free text in this channel answers action.
func (s *Service) AskFor(ctx context.Context, actor Actor, action string) error {
	return s.AskUntil(ctx, actor, action, PromptTTL)
}

// AskUntil is AskFor with the wait given: ttl, or PromptTTL when ttl is 0.
func (s *Service) AskUntil(ctx context.Context, actor Actor, action string, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = PromptTTL
	}
	return s.store.SetPrompt(ctx, actor.Member.ID, actor.Member.Platform, actor.Channel, action, s.clock.Now().Add(ttl))
}

// AnyChannel asks TakePrompt for the member's latest question wherever it was asked.
const AnyChannel = "*"

// PendingPrompt returns and forgets the action the actor's free text answers, or "".
// A question is answered in the chat it was asked in; in a private chat with the bot,
// which only the member and the bot share, it may be answered wherever it was asked
// (a channel subscriber cannot write in the channel, so they answer privately).
func (s *Service) PendingPrompt(ctx context.Context, actor Actor, private bool) (string, error) {
	now := s.clock.Now()
	action, err := s.store.TakePrompt(ctx, actor.Member.ID, actor.Member.Platform, actor.Channel, now)
	if err != nil || action != "" || !private {
		return action, err
	}
	return s.store.TakePrompt(ctx, actor.Member.ID, actor.Member.Platform, AnyChannel, now)
}

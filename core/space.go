package core

import (
	"context"
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
}

// MemberRef identifies a member as a platform sees them.
type MemberRef struct {
	Platform   Platform
	ExternalID string
	Name       string
}

// Actor is who asks for a change, where, and with which rights. Front ends build it
// from the platform's update; the admin flag has already merged the platform's notion
// of admin with the configured owners.
type Actor struct {
	Member  Member
	Space   Space
	Channel string // the channel (or chat) the request came from
	Admin   bool
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
	// Member returns a member by id.
	Member(ctx context.Context, id int64) (*Member, error)
	// SetMemberLocale stores the member's chosen language ("" to follow the platform).
	SetMemberLocale(ctx context.Context, memberID int64, locale string) error
	// LinkChannel links a channel to a campaign; linking twice is not an error.
	LinkChannel(ctx context.Context, l ChannelLink) (*ChannelLink, error)
	// ChannelLinks lists a campaign's linked channels.
	ChannelLinks(ctx context.Context, campaignID int64) ([]ChannelLink, error)
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

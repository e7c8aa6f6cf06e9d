package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Session is the part of discordgo the adapter uses: only the calls it makes.
// *discordgo.Session implements it.
type Session interface {
	// REST
	InteractionRespond(i *discordgo.Interaction, r *discordgo.InteractionResponse, o ...discordgo.RequestOption) error
	InteractionResponseEdit(i *discordgo.Interaction, e *discordgo.WebhookEdit, o ...discordgo.RequestOption) (*discordgo.Message, error)
	InteractionResponseDelete(i *discordgo.Interaction, o ...discordgo.RequestOption) error
	FollowupMessageCreate(i *discordgo.Interaction, wait bool, p *discordgo.WebhookParams, o ...discordgo.RequestOption) (*discordgo.Message, error)
	ApplicationCommandBulkOverwrite(appID, guildID string, cmds []*discordgo.ApplicationCommand, o ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
	ChannelMessageSendComplex(channelID string, m *discordgo.MessageSend, o ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, o ...discordgo.RequestOption) (*discordgo.Message, error)
	UserChannelCreate(userID string, o ...discordgo.RequestOption) (*discordgo.Channel, error)
	GuildRoles(guildID string, o ...discordgo.RequestOption) ([]*discordgo.Role, error)
	GuildMemberRoleAdd(guildID, userID, roleID string, o ...discordgo.RequestOption) error
	GuildMemberRoleRemove(guildID, userID, roleID string, o ...discordgo.RequestOption) error
	MessageThreadStartComplex(channelID, messageID string, data *discordgo.ThreadStart, o ...discordgo.RequestOption) (*discordgo.Channel, error)
	MessageReactionAdd(channelID, messageID, emojiID string, o ...discordgo.RequestOption) error

	// gateway
	AddHandler(handler interface{}) func()
	Open() error
	Close() error
}

// Intents are the gateway intents the adapter identifies with: guilds, and guild
// messages with their content, for the comments in ideas' threads.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent

// DefaultAPIBase is Discord's REST API.
const DefaultAPIBase = "https://discord.com/api/v10"

// NewSession returns a discordgo session for a bot token ("" for HTTP interactions
// only, which need no token) whose REST calls go to apiBase ("" for Discord's). The
// session asks the gateway for guild events and guild messages with their content
// (the messages in ideas' threads are comments): interactions come regardless.
// Message Content is a privileged intent, turned on in the Developer Portal.
func NewSession(token, apiBase string) (*discordgo.Session, error) {
	if token != "" && !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, err
	}
	// a burst answers many interactions at once, each on a connection kept open
	// rather than a new TLS handshake (the default keeps two a host)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	rt, err := rewriteTransport(apiBase, tr)
	if err != nil {
		return nil, err
	}
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: rt}
	s.Identify.Intents = Intents
	s.StateEnabled = false
	s.LogLevel = discordgo.LogError
	return s, nil
}

// rewriteTransport sends the requests discordgo makes to https://discord.com/api/vN/...
// to base instead (a proxy or a test server), so that the API version is base's.
func rewriteTransport(base string, next http.RoundTripper) (http.RoundTripper, error) {
	if base == "" {
		base = DefaultAPIBase
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("discord api base %q is not a URL", base)
	}
	return &rewriter{base: u, next: next}, nil
}

type rewriter struct {
	base *url.URL
	next http.RoundTripper
}

func (r *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" || !strings.HasPrefix(req.URL.Path, "/api/v") {
		return r.next.RoundTrip(req)
	}
	// drop /api/vN and put base's path in its place
	rest := strings.TrimPrefix(req.URL.Path, "/api/v")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme, u.Host = r.base.Scheme, r.base.Host
	u.Path = r.base.Path + rest
	u.RawPath = ""
	if req.URL.RawPath != "" {
		rawRest := strings.TrimPrefix(req.URL.RawPath, "/api/v")
		if i := strings.IndexByte(rawRest, '/'); i >= 0 {
			u.RawPath = r.base.EscapedPath() + rawRest[i:]
		}
	}
	out.URL = &u
	out.Host = u.Host
	return r.next.RoundTrip(out)
}

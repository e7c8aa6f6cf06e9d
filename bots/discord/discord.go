// Package discord is crowdbot's Discord adapter. It turns interactions (slash
// commands, button presses, modal submits, autocomplete) into bots.Inputs, runs them
// through the neutral Router, and turns the Replies into interaction responses and
// REST calls; it posts announcements as a bots.Poster. Interactions arrive over the
// gateway (a bot token) or as signed HTTP requests (the application's public key);
// both go to one handler. It only translates: every behaviour lives in bots and core.
//
// This package is one front (front end), one place people reach the bot, as are
// Telegram and the web; it imports neither of them, tests included. A card is an
// announcement in its kind's own shape, such as a poll with its vote buttons and
// tally, drawn by bots and sent here as a Reply; this package turns it into an embed
// with buttons, and edits it when the card is refreshed. The house (what every
// campaign kind shares) and the spread (share links, leaderboards, progress posts)
// are areas of bots and core; docs/DESIGN.md has the layers and their rules.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
)

// Options configure an Adapter.
type Options struct {
	// Router is the neutral conversation (a *bots.Router).
	Router  bots.Conversation
	Session Session
	// AppID is the application id, for registering commands; "" learns it from the
	// gateway's READY.
	AppID string
	// PublicKey is the application's Ed25519 public key in hex; "" turns HTTP
	// interactions off.
	PublicKey string
	// GuildID registers the commands in one guild (development) instead of globally.
	GuildID string
	// AdminRole is a role (its id, or its name) whose members are admins, besides
	// those with Manage Server.
	AdminRole string
	// PublicURL is where the web serves progress images, for images the Router only
	// links to.
	PublicURL string
	Logger    *slog.Logger
	// QuickReply is how long an interaction's work may take before the adapter
	// defers its answer and follows up (Discord waits 3 s). 0 is 2 s; a negative
	// value defers every interaction.
	QuickReply time.Duration
	// MaxRateWait is the longest retry_after the adapter waits out itself; longer
	// ones make Post fail with a bots.RateLimitError. 0 is 10 s.
	MaxRateWait time.Duration
	// HTTPClient downloads the small text files members attach (CSV imports); nil
	// is the Session's own client when it is a *discordgo.Session.
	HTTPClient *http.Client
	// MaxDownload bounds the text attachments read into the input, in bytes; 0 is
	// 1 MB.
	MaxDownload int64
}

// defaultMaxDownload bounds the text attachments read when no bound is set.
const defaultMaxDownload = 1 << 20

// Adapter is the Discord front end.
type Adapter struct {
	router    bots.Conversation
	cmds      *commandSet
	api       Session
	log       *slog.Logger
	publicKey ed25519.PublicKey
	guildID   string
	adminRole string
	publicURL string
	quick     time.Duration
	maxWait   time.Duration
	client    *http.Client
	maxDown   int64

	mu       sync.Mutex
	appID    string
	guilds   map[string]guildInfo // what GUILD_CREATE told of each guild
	dms      map[string]string    // user id -> DM channel id
	register sync.Once
	// noContent says once that messages come without their content
	noContent sync.Once

	// work counts what still runs after its interaction was answered (follow-ups)
	work *tracker
	// base is the context of that work: it outlives the request it came from
	base   context.Context
	cancel context.CancelFunc
}

// guildInfo is what the adapter keeps of a guild: its name for the space's title, and
// its roles by name for the admin role, with when they were read.
type guildInfo struct {
	name    string
	roles   map[string]string // lowercased name -> id
	rolesAt time.Time
}

// New returns an Adapter. It checks the options but calls nothing yet.
func New(o Options) (*Adapter, error) {
	if o.Router == nil || o.Session == nil {
		return nil, errors.New("discord: a Router and a Session are needed")
	}
	a := &Adapter{
		router: o.Router, cmds: newCommandSet(o.Router.Specs()), api: o.Session, log: o.Logger,
		guildID: o.GuildID, adminRole: strings.TrimSpace(o.AdminRole), publicURL: strings.TrimRight(o.PublicURL, "/"),
		quick: o.QuickReply, maxWait: o.MaxRateWait, appID: o.AppID,
		guilds: map[string]guildInfo{}, dms: map[string]string{}, work: newTracker(),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("platform", "discord")
	if a.quick == 0 {
		a.quick = 2 * time.Second
	}
	if a.maxWait <= 0 {
		a.maxWait = 10 * time.Second
	}
	a.client, a.maxDown = o.HTTPClient, o.MaxDownload
	if a.client == nil {
		a.client = http.DefaultClient
		if s, ok := o.Session.(*discordgo.Session); ok && s.Client != nil {
			a.client = s.Client
		}
	}
	if a.maxDown <= 0 {
		a.maxDown = defaultMaxDownload
	}
	if o.PublicKey != "" {
		key, err := hex.DecodeString(o.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("discord: the public key is not %d hex bytes", ed25519.PublicKeySize)
		}
		a.publicKey = ed25519.PublicKey(key)
	}
	a.base, a.cancel = context.WithCancel(context.Background())
	return a, nil
}

// Wait blocks until the follow-ups of interactions already answered are sent. When
// ctx ends first, it stops them and returns once they have stopped.
func (a *Adapter) Wait(ctx context.Context) {
	select {
	case <-a.work.idle():
	case <-ctx.Done():
		a.cancel()
		<-a.work.idle()
	}
}

// tracker counts work in flight. Unlike a WaitGroup it may gain work while someone
// waits for it to end, as at shutdown.
type tracker struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed while n is 0
}

func newTracker() *tracker {
	t := &tracker{zero: make(chan struct{})}
	close(t.zero)
	return t
}

func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.zero = make(chan struct{})
	}
	t.n++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.zero)
	}
}

// idle returns a channel closed when no work is in flight.
func (t *tracker) idle() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.zero
}

// followUpWindow is how long an interaction token lets the bot follow up.
const followUpWindow = 15 * time.Minute

// goWork runs f in the background, tracked by Wait, with a context that lasts as
// long as Discord lets the bot follow up.
func (a *Adapter) goWork(f func(ctx context.Context)) {
	a.work.add()
	go func() {
		defer a.work.done()
		ctx, cancel := context.WithTimeout(a.base, followUpWindow-time.Minute)
		defer cancel()
		f(ctx)
	}()
}

func (a *Adapter) app() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.appID
}

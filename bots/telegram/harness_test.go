package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/i18n"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
	"crowdbot/storage/storagetest"
)

// The cast: a supergroup with a hostile title, administered by Ada; a channel Ada
// runs, whose subscriber Eve takes part through buttons; members Bob, Carol (in
// French, with a hostile name) and Dan (in Italian); Dan and the subscriber Frank
// never started the bot.
var (
	ada   = tgfake.User{ID: 1001, FirstName: "Ada", LanguageCode: "en"}
	bob   = tgfake.User{ID: 1002, FirstName: "Bob", LanguageCode: "en-GB"}
	carol = tgfake.User{ID: 1003, FirstName: `Carol <script>alert(1)</script> & "Co"`, LanguageCode: "fr"}
	dan   = tgfake.User{ID: 1004, FirstName: "Dan", LanguageCode: "it"}
	eve   = tgfake.User{ID: 1005, FirstName: "Eve", Username: "eve", LanguageCode: "en"}
	frank = tgfake.User{ID: 1006, FirstName: "Frank", LanguageCode: "en"}
	// Mallory administers a group of her own, and none of Ada's
	mallory = tgfake.User{ID: 1009, FirstName: "Mallory", LanguageCode: "en"}

	group   = tgfake.Chat{ID: -1001234567, Type: "supergroup", Title: `Fans <b>&amp;</b> "friends" </i>`}
	channel = tgfake.Chat{ID: -1009876543, Type: "channel", Title: "News <i>"}
	rivals  = tgfake.Chat{ID: -1005550001, Type: "supergroup", Title: "Rivals"}
)

// botName is the bot's username on the fake.
const botName = "crowdbot"

// Modes lists the ways updates arrive; every conversation runs in each.
var modes = []string{telegram.ModePolling, telegram.ModeWebhook}

// secret is the webhook secret of the tests.
const secret = "s3cret-Token_1"

// harness is a Telegram bot over the fake Bot API, a real Router and SQLite.
type harness struct {
	t     *testing.T
	mode  string
	fake  *tgfake.Server
	store *spyStore
	clock *core.FakeClock
	rec   *recorder
	bot   *telegram.Adapter
	logs  *botstest.SyncBuffer

	hook    *httptest.Server
	handler atomic.Pointer[http.Handler]
	cancel  context.CancelFunc
	done    chan struct{}

	mu     sync.Mutex
	sleeps []time.Duration

	vars       map[string]string
	posted     map[int64]bool // outbox rows posted by announce
	last       tgfake.Update  // the last update pushed
	botOpts    []func(*telegram.Options)
	routerOpts []func(*bots.Options)
}

// option changes a harness before its bot starts.
type option func(*harness)

// withBot changes the bot's options.
func withBot(f func(*telegram.Options)) option {
	return func(h *harness) { h.botOpts = append(h.botOpts, f) }
}

// withRouter changes the Router's options.
func withRouter(f func(*bots.Options)) option {
	return func(h *harness) { h.routerOpts = append(h.routerOpts, f) }
}

// withFake prepares the fake Bot API.
func withFake(f func(*tgfake.Server)) option {
	return func(h *harness) { f(h.fake) }
}

// newHarness starts a bot in a mode.
func newHarness(t *testing.T, mode string, opts ...option) *harness {
	t.Helper()
	h := &harness{t: t, mode: mode, fake: tgfake.New(t, botName), logs: &botstest.SyncBuffer{}, vars: map[string]string{}, posted: map[int64]bool{}}
	h.fake.AddChat(group)
	h.fake.AddChat(channel)
	h.fake.SetAdmins(group.ID, ada)
	h.fake.SetAdmins(channel.ID, ada)
	h.fake.AddChat(rivals)
	h.fake.SetAdmins(rivals.ID, mallory)
	h.fake.NeverStarted(dan.ID)
	h.fake.NeverStarted(frank.ID)
	h.store = &spyStore{Trouble: &botstest.Trouble{DB: storagetest.SQLite(t)}}
	h.clock = core.NewFakeClock(botstest.Start)
	h.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*h.handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(h.hook.Close)
	for _, o := range opts {
		o(h)
	}
	h.start()
	t.Cleanup(h.stop)
	return h
}

// start starts a new bot process: a new Router over the same database, a new
// adapter, and the web server its webhook is mounted on.
func (h *harness) start() {
	h.t.Helper()
	svc := core.NewService(h.store, h.clock, botstest.Settings())
	ro := bots.Options{Service: svc, PublicURL: "http://crowd.example", TelegramBot: botName,
		Logger: slog.New(slog.NewTextHandler(h.logs, nil))}
	for _, f := range h.routerOpts {
		f(&ro)
	}
	router := bots.NewRouter(ro)
	if h.rec == nil {
		h.rec = &recorder{}
	}
	h.rec.set(router, svc)
	ctx, cancel := context.WithCancel(context.Background())
	api, me, err := telegram.Dial(ctx, tgfake.Token, h.fake.Endpoint(), h.fake.Client())
	if err != nil {
		h.t.Fatalf("dial: %v", err)
	}
	o := telegram.Options{
		API: api, Me: me, Router: h.rec, Mode: h.mode,
		WebhookURL: h.hook.URL + telegram.WebhookPath, WebhookSecret: secret,
		PollTimeout: 5 * time.Second, Limits: telegram.NoLimits(),
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range h.botOpts {
		f(&o)
	}
	bot, err := telegram.New(o)
	if err != nil {
		h.t.Fatal(err)
	}
	bot.SetClock(h.clock.Now, func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.sleeps = append(h.sleeps, d)
		h.mu.Unlock()
		// pretend: the test clock moves instead, and nobody waits
		h.clock.Advance(d)
		return core.Sleep(ctx, time.Millisecond)
	})
	// the webhook on a mux of its own, as cmd mounts it on the web server's
	mux := http.NewServeMux()
	mux.Handle("POST "+telegram.WebhookPath, bot.WebhookHandler())
	var handler http.Handler = mux
	h.handler.Store(&handler)
	if err := bot.Start(ctx); err != nil {
		h.t.Fatalf("start: %v", err)
	}
	h.bot, h.cancel, h.done = bot, cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		if h.mode == telegram.ModePolling {
			bot.Poll(ctx)
		}
	}()
}

// stop stops the bot process.
func (h *harness) stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

// restart stops the bot and starts a new one, as after a crash or a deploy.
func (h *harness) restart() {
	h.stop()
	h.start()
}

// push delivers an update and returns once the bot has handled it.
func (h *harness) push(u tgfake.Update) int {
	h.t.Helper()
	id, status := h.fake.Push(u)
	if h.mode == telegram.ModePolling {
		h.fake.WaitConfirmed(id)
	} else if status != http.StatusOK {
		h.t.Fatalf("webhook answered %d", status)
	}
	u.UpdateID = id
	h.last = u
	return id
}

// redeliver delivers the last update again: to a webhook, as when Telegram did not
// see its answer; to a poller, as when the bot that got it died before confirming it
// (a bot that confirmed it never sees it again).
func (h *harness) redeliver() {
	h.t.Helper()
	u := h.last
	if h.mode == telegram.ModePolling {
		h.fake.Requeue(u)
		h.fake.WaitConfirmed(u.UpdateID)
		return
	}
	if _, status := h.fake.Push(u); status != http.StatusOK {
		h.t.Fatalf("webhook answered %d", status)
	}
}

func (h *harness) sleptFor() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}

// sub replaces {name} by the saved variables.
func (h *harness) sub(s string) string {
	for k, v := range h.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

var nextQuery, nextMessage atomic.Int64

// The updates members make, in the Bot API's shapes.

func textMessage(from tgfake.User, chat tgfake.Chat, text string) tgfake.Update {
	m := &tgfake.Message{MessageID: int(nextMessage.Add(1)), From: &from, Date: botstest.Start.Unix(), Chat: chat, Text: text}
	if strings.HasPrefix(text, "/") {
		n := len(strings.Fields(text)[0])
		m.Entities = []tgfake.MessageEntity{{Type: "bot_command", Offset: 0, Length: n}}
	}
	return tgfake.Update{Message: m}
}

// channelPost is a post in a channel, signed by the channel itself.
func channelPost(chat tgfake.Chat, text string) tgfake.Update {
	return tgfake.Update{ChannelPost: &tgfake.Message{MessageID: int(nextMessage.Add(1)), SenderChat: &chat, Date: botstest.Start.Unix(), Chat: chat, Text: text}}
}

// asChat is a message a group's anonymous admin sends as the group.
func asChat(chat tgfake.Chat, text string) tgfake.Update {
	anon := tgfake.User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}
	return tgfake.Update{Message: &tgfake.Message{MessageID: int(nextMessage.Add(1)), From: &anon, SenderChat: &chat, Date: botstest.Start.Unix(), Chat: chat, Text: text}}
}

func press(from tgfake.User, m tgfake.Message, data string) tgfake.Update {
	id := fmt.Sprintf("q%d", nextQuery.Add(1))
	return tgfake.Update{CallbackQuery: &tgfake.CallbackQuery{ID: id, From: from, Message: &m, ChatInstance: "ci" + id, Data: data}}
}

// attach makes a message a photo or a document, its text their caption.
func attach(u tgfake.Update, photo []tgfake.PhotoSize, doc *tgfake.Document) tgfake.Update {
	if m := u.Message; m != nil && (len(photo) > 0 || doc != nil) {
		m.Caption, m.CaptionEntities, m.Text, m.Entities = m.Text, m.Entities, "", nil
		m.Photo, m.Document = photo, doc
	}
	return u
}

func replyTo(from tgfake.User, m tgfake.Message, text string) tgfake.Update {
	u := textMessage(from, m.Chat, text)
	u.Message.ReplyToMessage = &m
	return u
}

func membership(by tgfake.User, chat tgfake.Chat, old, status string, bot tgfake.User) tgfake.Update {
	return tgfake.Update{MyChatMember: &tgfake.ChatMemberUpdated{Chat: chat, From: by, Date: botstest.Start.Unix(),
		OldChatMember: tgfake.ChatMember{Status: old, User: bot}, NewChatMember: tgfake.ChatMember{Status: status, User: bot}}}
}

// recorder is the real Router, with what went in and came out of it recorded. The
// bot sees it only as the port (bots.Conversation); the tests also reach the
// service behind it, to set the scene.
type recorder struct {
	mu      sync.Mutex
	router  *bots.Router
	svc     *core.Service
	inputs  []bots.Input
	replies []bots.Reply
}

var _ bots.Conversation = (*recorder)(nil)

func (r *recorder) set(router *bots.Router, svc *core.Service) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.router, r.svc = router, svc
}

func (r *recorder) get() *bots.Router {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.router
}

// Handle implements bots.Conversation.
func (r *recorder) Handle(ctx context.Context, in bots.Input) []bots.Reply {
	out := r.get().Handle(ctx, in)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inputs = append(r.inputs, in)
	r.replies = append(r.replies, out...)
	return out
}

func (r *recorder) Specs() []*bots.Spec { return r.get().Specs() }

func (r *recorder) Catalog() *i18n.Catalog { return r.get().Catalog() }

func (r *recorder) T(locale string, m bots.Msg) string { return r.get().T(locale, m) }

func (r *recorder) Deadline() time.Duration { return r.get().Deadline() }

func (r *recorder) Now() time.Time { return r.get().Now() }

func (r *recorder) Identify(ctx context.Context, in bots.Input) (core.Actor, error) {
	return r.get().Identify(ctx, in)
}

func (r *recorder) JoinSpace(ctx context.Context, space core.SpaceRef, by core.MemberRef) error {
	return r.get().JoinSpace(ctx, space, by)
}

func (r *recorder) LeaveSpace(ctx context.Context, platform core.Platform, space string) error {
	return r.get().LeaveSpace(ctx, platform, space)
}

func (r *recorder) MoveSpace(ctx context.Context, platform core.Platform, from, to string) (bool, error) {
	return r.get().MoveSpace(ctx, platform, from, to)
}

func (r *recorder) SuggestCodes(ctx context.Context, space core.SpaceRef, member core.MemberRef, prefix string) []bots.Suggestion {
	return r.get().SuggestCodes(ctx, space, member, prefix)
}

func (r *recorder) RefundStars(ctx context.Context, pay func(ctx context.Context, ref core.StarRefund) error) (int, error) {
	return r.get().RefundStars(ctx, pay)
}

// Service is the core service behind the Router, for the tests only.
func (r *recorder) Service() *core.Service {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.svc
}

// mark returns how many inputs and replies there were, for since.
func (r *recorder) mark() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.inputs), len(r.replies)
}

func (r *recorder) since(in, out int) ([]bots.Input, []bots.Reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bots.Input(nil), r.inputs[in:]...), append([]bots.Reply(nil), r.replies[out:]...)
}

// spyStore is the real store, with the spaces the bot joined and left noted.
type spyStore struct {
	*botstest.Trouble
	mu      sync.Mutex
	joined  []string
	retired []string
}

func (s *spyStore) UpsertSpace(ctx context.Context, ref core.SpaceRef, now time.Time) (*core.Space, error) {
	s.mu.Lock()
	s.joined = append(s.joined, ref.ExternalID+" "+ref.Title)
	s.mu.Unlock()
	return s.DB.UpsertSpace(ctx, ref, now)
}

func (s *spyStore) RetireSpace(ctx context.Context, p core.Platform, id string) error {
	s.mu.Lock()
	s.retired = append(s.retired, id)
	s.mu.Unlock()
	return s.DB.RetireSpace(ctx, p, id)
}

func (s *spyStore) events() ([]string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.joined...), append([]string(nil), s.retired...)
}

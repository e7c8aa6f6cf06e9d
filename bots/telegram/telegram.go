// Package telegram is crowdbot's Telegram adapter. It turns Bot API updates into
// bots.Input, runs them through the Router, and turns the replies into Bot API
// calls: messages in HTML with every user string escaped, inline keyboards, photos,
// documents, edits and callback answers, within Telegram's rate limits. It also posts
// announcements (bots.Poster). It holds no behaviour of its own: what a command does
// is decided in bots and core.
//
// This package is one front (front end), one place people reach the bot, as are
// Discord and the web; it imports neither of them, tests included. A card is an
// announcement in its kind's own shape, such as a poll with its vote buttons and
// tally, drawn by bots and sent here as a Reply; this package turns it into a
// message with an inline keyboard, and edits it when the card is refreshed. The
// house (what every campaign kind shares) and the spread (share links, leaderboards,
// progress posts) are areas of bots and core; docs/DESIGN.md has the layers and
// their rules.
package telegram

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
)

// Modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// WebhookPath is where the web server receives Telegram's webhook calls.
const WebhookPath = "/telegram/webhook"

// SecretHeader carries the webhook secret on every webhook call.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// allowedUpdates are the update kinds the adapter reads.
var allowedUpdates = []string{"message", "channel_post", "callback_query", "my_chat_member", "pre_checkout_query"}

// Defaults.
const (
	defaultPollTimeout = 30 * time.Second
	defaultAdminTTL    = 5 * time.Minute
	defaultMaxDownload = 1 << 20
	// handleTimeout bounds the handling of one update, replies included.
	handleTimeout = 45 * time.Second
	// replyWait is the longest a reply to a member waits on Telegram's retry_after.
	replyWait = 30 * time.Second
	// postWait is the longest an announcement waits; past it the Poster returns a
	// bots.RateLimitError and the dispatcher tries again later.
	postWait = 5 * time.Second
)

// Options configure an Adapter.
type Options struct {
	API API
	// Me is the bot's own user, as getMe returned it (Dial gives it).
	Me User
	// Router is the neutral conversation (a *bots.Router).
	Router bots.Conversation
	// Mode is ModePolling (the default) or ModeWebhook.
	Mode string
	// WebhookURL is the public URL that reaches WebhookPath, in webhook mode.
	WebhookURL string
	// WebhookSecret must come with every webhook call; webhook mode needs one
	// (WebhookSecretFor makes one from the bot token).
	WebhookSecret string
	// PollTimeout is how long one getUpdates call waits for updates.
	PollTimeout time.Duration
	// Limits bound what the bot sends; the zero value means DefaultLimits.
	Limits Limits
	// AdminTTL is how long a chat's administrator list is kept.
	AdminTTL time.Duration
	// MaxDownload bounds the CSV documents the bot reads, in bytes.
	MaxDownload int64
	// RefundEvery is how often a background round, started by Start, pays back the
	// Stars payments due; 0 starts none (RefundStars does one round).
	RefundEvery time.Duration
	Logger      *slog.Logger
}

// Adapter is the Telegram front. It is safe for concurrent use.
type Adapter struct {
	api    API
	me     User
	conv   bots.Conversation
	opts   Options
	log    *slog.Logger
	limits *limits
	admins *adminCache
	noDM   *expiring // members the bot cannot write to privately
	seen   *recent   // update ids handled lately, for redelivered webhooks
	// sleep and now are the clock; tests replace them.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// New returns an Adapter. It calls nothing yet: Start registers it with Telegram.
func New(o Options) (*Adapter, error) {
	if o.API == nil || o.Router == nil {
		return nil, errors.New("telegram: API and Router are required")
	}
	if o.Me.UserName == "" {
		return nil, errors.New("telegram: the bot's username is unknown (getMe)")
	}
	switch o.Mode {
	case "":
		o.Mode = ModePolling
	case ModePolling:
	case ModeWebhook:
		if o.WebhookURL == "" {
			return nil, errors.New("telegram: webhook mode needs a webhook URL")
		}
		if o.WebhookSecret == "" {
			// without one, anyone who finds the URL could post updates in any member's name
			return nil, errors.New("telegram: webhook mode needs a webhook secret")
		}
	default:
		return nil, fmt.Errorf("telegram: unknown mode %q", o.Mode)
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = defaultPollTimeout
	}
	if o.AdminTTL <= 0 {
		o.AdminTTL = defaultAdminTTL
	}
	if o.MaxDownload <= 0 {
		o.MaxDownload = defaultMaxDownload
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	b := &Adapter{
		api: o.API, me: o.Me, conv: o.Router, opts: o,
		log:    o.Logger.With("platform", "telegram"),
		limits: newLimits(o.Limits),
		admins: &adminCache{ttl: o.AdminTTL, chats: map[int64]adminEntry{}},
		noDM:   &expiring{ttl: 10 * time.Minute, until: map[int64]time.Time{}},
		seen:   newRecent(4096),
		sleep:  core.Sleep,
		now:    time.Now,
	}
	return b, nil
}

// Username is the bot's @username without the @, for t.me links.
func (b *Adapter) Username() string { return b.me.UserName }

// Platform implements bots.Poster.
func (b *Adapter) Platform() core.Platform { return core.Telegram }

// Start registers the bot with Telegram: its command menu in every language (a
// failure there is logged and the bot carries on) and, in webhook mode, the webhook
// (a failure there is returned). In polling mode it removes any webhook, without
// which getUpdates is refused.
func (b *Adapter) Start(ctx context.Context) error {
	b.registerCommands(ctx)
	if b.opts.RefundEvery > 0 {
		go b.refundLoop(ctx, b.opts.RefundEvery)
	}
	if b.opts.Mode == ModeWebhook {
		err := b.do(ctx, 0, replyWait, func(ctx context.Context) error {
			return b.api.SetWebhook(ctx, b.opts.WebhookURL, b.opts.WebhookSecret, allowedUpdates)
		})
		if err != nil {
			return fmt.Errorf("telegram: set webhook: %w", err)
		}
		b.log.Info("webhook registered", "bot", b.me.UserName)
		return nil
	}
	if err := b.do(ctx, 0, replyWait, b.api.DeleteWebhook); err != nil {
		b.log.Warn("delete webhook", "err", err)
	}
	return nil
}

// Run starts the bot and, in polling mode, polls until ctx ends. In webhook mode the
// updates come through WebhookHandler and Run returns once registered.
func (b *Adapter) Run(ctx context.Context) error {
	if err := b.Start(ctx); err != nil {
		return err
	}
	if b.opts.Mode == ModePolling {
		b.Poll(ctx)
	}
	return nil
}

// Poll long-polls for updates until ctx ends. Each batch is handled before its
// offset is committed (by asking for the next batch past it), so an update is never
// dropped by a crash; a redelivered one changes nothing, since the Router records
// every update it acted on.
func (b *Adapter) Poll(ctx context.Context) {
	b.log.Info("polling for updates", "bot", b.me.UserName, "timeout", b.opts.PollTimeout)
	offset, failures := 0, 0
	for ctx.Err() == nil {
		updates, err := b.api.GetUpdates(ctx, offset, b.opts.PollTimeout, allowedUpdates)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait := backoff(failures, 30*time.Second)
			var ae *Error
			if errors.As(err, &ae) && ae.RetryAfter > 0 {
				wait = ae.RetryAfter
			}
			b.log.Warn("get updates", "err", err, "retry_in", wait)
			if b.sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		failures = 0
		if len(updates) == 0 {
			continue
		}
		b.handleBatch(ctx, updates)
		for _, u := range updates {
			offset = max(offset, u.UpdateID+1)
		}
	}
}

// handleBatch handles a batch of updates: each sender's updates in one chat in
// order (a question before its answer), everything else at once, as Telegram's
// webhook delivers it; it returns when all are done. A crowd pressing buttons in one
// busy group is then handled side by side, not one press after another.
func (b *Adapter) handleBatch(ctx context.Context, updates []Update) {
	bySender := map[senderKey][]Update{}
	var order []senderKey
	for _, u := range updates {
		k := senderOf(u)
		if _, ok := bySender[k]; !ok {
			order = append(order, k)
		}
		bySender[k] = append(bySender[k], u)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, k := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, u := range bySender[k] {
				b.HandleUpdate(ctx, u)
			}
		})
	}
	wg.Wait()
}

// senderKey is a chat and a user in it; user 0 stands for the chat itself (a channel
// post, which has no sender).
type senderKey struct{ chat, user int64 }

// senderOf returns who sent an update, and where.
func senderOf(u Update) senderKey {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		k := senderKey{chat: u.Message.Chat.ID}
		if u.Message.From != nil {
			k.user = u.Message.From.ID
		}
		return k
	case u.ChannelPost != nil && u.ChannelPost.Chat != nil:
		return senderKey{chat: u.ChannelPost.Chat.ID}
	case u.CallbackQuery != nil:
		k := senderKey{}
		if u.CallbackQuery.From != nil {
			k.user = u.CallbackQuery.From.ID
		}
		if m := u.CallbackQuery.Message; m != nil && m.Chat != nil {
			k.chat = m.Chat.ID
		}
		return k
	case u.MyChatMember != nil:
		return senderKey{chat: u.MyChatMember.Chat.ID, user: u.MyChatMember.From.ID}
	case u.PreCheckoutQuery != nil && u.PreCheckoutQuery.From != nil:
		// in the payer's private chat, where the payment's message comes next
		id := u.PreCheckoutQuery.From.ID
		return senderKey{chat: id, user: id}
	}
	return senderKey{}
}

// WebhookSecretFor derives a webhook secret from the bot token, for a deployment that
// configures none: replicas sharing the token agree on it, and only those who hold the
// token can compute it. Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -.
func WebhookSecretFor(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("crowdbot telegram webhook secret"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// WebhookHandler receives Telegram's webhook calls (mount it on POST WebhookPath). A
// call without the secret is refused: 401 when it has none, 403 when it has another. The update is handled before the call is answered, so Telegram
// delivers it again if the process dies meanwhile.
func (b *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(SecretHeader)
		if got == "" {
			http.Error(w, "missing secret token", http.StatusUnauthorized)
			return
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(b.opts.WebhookSecret)) != 1 {
			http.Error(w, "wrong secret token", http.StatusForbidden)
			return
		}
		var u Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		// the work goes on if Telegram hangs up: it would only send the update again
		reply := &webhookReply{}
		b.HandleUpdate(context.WithValue(context.WithoutCancel(r.Context()), webhookReplyKey{}, reply), u)
		call := reply.close()
		if call == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(call)
	})
}

// webhookReply is the answer to one webhook call, which may carry one Bot API call,
// as Telegram allows: the press's answerCallbackQuery, which then costs the bot no
// request of its own. Telegram does not say whether such a call succeeded, and the bot
// never needs to know of a press's answer (see answer).
type webhookReply struct {
	mu     sync.Mutex
	call   *callbackAnswer
	closed bool
}

// callbackAnswer is answerCallbackQuery as a webhook's answer carries it.
type callbackAnswer struct {
	Method          string `json:"method"`
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitempty"`
	ShowAlert       bool   `json:"show_alert,omitempty"`
}

type webhookReplyKey struct{}

// answerInWebhook puts a press's answer in the answer to the webhook call that
// brought it, and reports false outside a webhook call, once the call's answer
// carries another, or once it is written.
func answerInWebhook(ctx context.Context, id, text string, alert bool) bool {
	r, _ := ctx.Value(webhookReplyKey{}).(*webhookReply)
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.call != nil || r.closed {
		return false
	}
	r.call = &callbackAnswer{Method: "answerCallbackQuery", CallbackQueryID: id, Text: text, ShowAlert: alert}
	return true
}

// close returns the call the answer carries, if any, and takes no more.
func (r *webhookReply) close() *callbackAnswer {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return r.call
}

// HandleUpdate handles one update: it runs it through the Router and delivers the
// replies. An update seen lately is skipped (a button press is still answered).
func (b *Adapter) HandleUpdate(ctx context.Context, u Update) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic handling update", "update", u.UpdateID, "panic", p, "stack", string(debug.Stack()))
			if q := u.CallbackQuery; q != nil {
				b.answer(ctx, q.ID, "", false) // the member's app would spin until it times out
			}
		}
	}()
	if !b.seen.add(u.UpdateID) {
		if q := u.CallbackQuery; q != nil {
			b.answer(ctx, q.ID, "", false)
		}
		return
	}
	update := strconv.Itoa(u.UpdateID)
	switch {
	case u.CallbackQuery != nil:
		b.onCallback(ctx, update, u.CallbackQuery)
	case u.Message != nil:
		b.onMessage(ctx, update, u.Message)
	case u.ChannelPost != nil:
		b.onMessage(ctx, update, u.ChannelPost)
	case u.MyChatMember != nil:
		b.onMembership(ctx, u.MyChatMember)
	case u.PreCheckoutQuery != nil:
		b.onPreCheckout(ctx, update, u.PreCheckoutQuery)
	}
}

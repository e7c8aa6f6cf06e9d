package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// TestEveryCommandReachable sends every command the Router has, as a Telegram
// command addressed to the bot in a group, and checks that it reaches its Spec and
// that its answer reaches the chat, and that the command menu lists it. Commands
// added later by other campaign kinds are covered without a new line here.
func TestEveryCommandReachable(t *testing.T) {
	name := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode)
			menu := map[string]bool{}
			for _, c := range h.fake.Commands("") {
				menu[c.Command] = true
			}
			specs := h.rec.Specs()
			if len(specs) < 10 {
				t.Fatalf("only %d specs", len(specs))
			}
			for _, s := range specs {
				if !name.MatchString(s.Name) {
					t.Errorf("/%s cannot be a Telegram command", s.Name)
					continue
				}
				if s.Name != "start" && !menu[s.Name] {
					t.Errorf("/%s is not in the command menu", s.Name)
				}
				text := "/" + s.Name + "@" + botName
				if s.Sub != "" {
					text += " " + s.Sub
				}
				mark := h.fake.Mark()
				in0, out0 := h.rec.mark()
				h.push(textMessage(ada, group, text))
				ins, replies := h.rec.since(in0, out0)
				if len(ins) != 1 || len(replies) == 0 {
					t.Errorf("%s: %d inputs, replies %v", text, len(ins), replies)
					continue
				}
				for _, r := range replies {
					if r.Key == "error.unknown_command" || r.Key == "error.internal" {
						t.Errorf("%s answered %s", text, r.Key)
					}
					if r.Key == "error.usage" && r.Args["usage"] != s.ID() {
						t.Errorf("%s reached %v, not %s", text, r.Args["usage"], s.ID())
					}
				}
				delivered := false
				for _, r := range h.fake.Since(mark) {
					if strings.HasPrefix(r.Method, "send") && r.Status == http.StatusOK {
						delivered = true
					}
				}
				if !delivered {
					t.Errorf("%s: nothing reached the member: %s", text, describe(h.fake.Since(mark)))
				}
			}
		})
	}
}

// TestCommandMenu checks the menu in each language, and that a server without
// setMyCommands does not stop the bot.
func TestCommandMenu(t *testing.T) {
	h := newHarness(t, telegram.ModePolling)
	en, fr, it := h.fake.Commands(""), h.fake.Commands("fr"), h.fake.Commands("it")
	if len(en) == 0 || len(fr) != len(en) || len(it) != len(en) {
		t.Fatalf("menus: %d en, %d fr, %d it", len(en), len(fr), len(it))
	}
	desc := func(cmds []tgfake.BotCommand, name string) string {
		for _, c := range cmds {
			if c.Command == name {
				return c.Description
			}
		}
		return ""
	}
	if got := desc(en, "help"); got != "this list" {
		t.Errorf("en /help: %q", got)
	}
	if got := desc(fr, "help"); got != "cette liste" {
		t.Errorf("fr /help: %q", got)
	}
	if got := desc(it, "campaign"); !strings.HasPrefix(got, "new | list | show") || !strings.Contains(got, "vedi /help") {
		t.Errorf("it /campaign: %q", got)
	}
	if desc(en, "start") != "" {
		t.Errorf("/start is in the menu")
	}

	// an older server lacks setMyCommands: logged, and the bot works
	h2 := newHarness(t, telegram.ModeWebhook, withFake(func(s *tgfake.Server) { s.Lack("setMyCommands") }))
	if !strings.Contains(h2.logs.String(), "set command menu") {
		t.Errorf("the failure is not logged:\n%s", h2.logs)
	}
	h2.run([]step{{name: "help", who: bob, say: "/help", keys: keys("help.title"), calls: calls(send(group.ID))}})
}

// TestWebhook checks the webhook's registration and its guard: a call without the
// secret, or with another, is refused and changes nothing.
func TestWebhook(t *testing.T) {
	h := newHarness(t, telegram.ModeWebhook)
	url, got := h.fake.Webhook()
	if url != h.hook.URL+telegram.WebhookPath || got != secret {
		t.Fatalf("webhook %q with secret %q", url, got)
	}
	var set tgfake.Request
	for _, r := range h.fake.Requests() {
		if r.Method == "setWebhook" {
			set = r
		}
	}
	var allowed []string
	if err := json.Unmarshal([]byte(set.Params["allowed_updates"]), &allowed); err != nil || !slices.Contains(allowed, "callback_query") || !slices.Contains(allowed, "my_chat_member") {
		t.Errorf("allowed_updates %q", set.Params["allowed_updates"])
	}

	mark := h.fake.Mark()
	u := textMessage(ada, group, "/campaign new ideas Sneaky")
	u.UpdateID = 99
	if code := h.fake.PostWebhook(u, ""); code != http.StatusUnauthorized {
		t.Errorf("no secret: %d", code)
	}
	if code := h.fake.PostWebhook(u, "guess"); code != http.StatusForbidden {
		t.Errorf("wrong secret: %d", code)
	}
	if code := h.fake.PostWebhook(u, secret[:len(secret)-1]); code != http.StatusForbidden {
		t.Errorf("a prefix of the secret: %d", code)
	}
	resp, err := http.Post(h.hook.URL+telegram.WebhookPath, "application/json", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// a bad body with the right secret is refused too
	req, _ := http.NewRequest(http.MethodPost, h.hook.URL+telegram.WebhookPath, strings.NewReader("{not json"))
	req.Header.Set(telegram.SecretHeader, secret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad body: %d", resp.StatusCode)
	}
	if resp, err := http.Get(h.hook.URL + telegram.WebhookPath); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp.StatusCode, err)
	}
	if ins, _ := h.rec.since(0, 0); len(ins) != 0 || len(h.fake.Since(mark)) != 0 {
		t.Fatalf("a refused call reached the Router (%d inputs) or Telegram: %s", len(ins), describe(h.fake.Since(mark)))
	}
	// the same update with the secret goes through
	if code := h.fake.PostWebhook(u, secret); code != http.StatusOK {
		t.Fatalf("right secret: %d", code)
	}
	if _, replies := h.rec.since(0, 0); len(replies) != 1 || replies[0].Key != "campaign.created" {
		t.Fatalf("replies %v", replies)
	}

	// polling removes any webhook first
	p := newHarness(t, telegram.ModePolling)
	if url, _ := p.fake.Webhook(); url != "" {
		t.Errorf("webhook still set in polling mode")
	}
}

// TestRateLimits checks that Telegram's 429 is honoured with its retry_after, that a
// 5xx (or a proxy's error page) is tried again with a pause, and that a reply gives
// up when Telegram asks to wait too long.
// TestWebhookNeedsSecret: webhook mode without a secret is refused, since a stranger
// who found the URL could post updates in any member's name, admins' included.
func TestWebhookNeedsSecret(t *testing.T) {
	fake := tgfake.New(t, botName)
	api, me, err := telegram.Dial(context.Background(), tgfake.Token, fake.Endpoint(), fake.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = telegram.New(telegram.Options{API: api, Me: me, Router: &recorder{},
		Mode: telegram.ModeWebhook, WebhookURL: "https://bot.example/telegram/webhook"})
	if err == nil || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("New = %v, want a refusal naming the secret", err)
	}
	if a, b := telegram.WebhookSecretFor("1:a"), telegram.WebhookSecretFor("1:b"); a == b || a != telegram.WebhookSecretFor("1:a") {
		t.Errorf("derived secrets: %q %q", a, b)
	}
}

func TestRateLimits(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode)
			G := group.ID
			h.fake.Fail("sendMessage", tgfake.Failure{Code: 429, RetryAfter: 7})
			h.run([]step{{name: "429", who: bob, say: "/help", keys: keys("help.title"),
				calls: calls(call{"sendMessage", G, 429}, send(G))}})
			if s := h.sleptFor(); !slices.Contains(s, 7*time.Second) {
				t.Errorf("slept %v, want retry_after 7s", s)
			}

			h.fake.Fail("sendMessage", tgfake.Failure{Code: 500, Description: "Internal Server Error"})
			h.fake.Fail("sendMessage", tgfake.Failure{Code: 502, Raw: "<html><body>502 Bad Gateway</body></html>"})
			before := len(h.sleptFor())
			h.run([]step{{name: "5xx", who: bob, say: "/help", keys: keys("help.title"),
				calls: calls(call{"sendMessage", G, 500}, call{"sendMessage", G, 502}, send(G))}})
			if s := h.sleptFor()[before:]; len(s) != 2 || s[0] <= 0 || s[1] <= 0 {
				t.Errorf("backoff %v", s)
			}

			h.fake.Fail("sendMessage", tgfake.Failure{Code: 429, RetryAfter: 3600})
			h.run([]step{{name: "429 for an hour: the reply gives up", who: bob, say: "/help", keys: keys("help.title"),
				calls: calls(call{"sendMessage", G, 429})}})
			if !strings.Contains(h.logs.String(), "retry after 1h0m0s") {
				t.Errorf("the dropped reply is not logged")
			}
			// the chat stays blocked meanwhile: no call until then, others go on
			h.run([]step{
				{name: "blocked", who: carol, say: "/help", keys: keys("help.title")},
				{name: "elsewhere", who: bob, in: tgfake.Private(bob), say: "/help", keys: keys("help.title"), calls: calls(send(bob.ID))},
			})
		})
	}
}

// TestPollingSurvivesErrors: a failing getUpdates is tried again after a pause, and
// no update is lost.
func TestPollingSurvivesErrors(t *testing.T) {
	h := newHarness(t, telegram.ModePolling, withFake(func(s *tgfake.Server) {
		s.Fail("getUpdates", tgfake.Failure{Code: 502, Raw: "bad gateway"})
		s.Fail("getUpdates", tgfake.Failure{Code: 429, RetryAfter: 5})
	}))
	h.run([]step{{name: "help", who: bob, say: "/help", keys: keys("help.title"), calls: calls(send(group.ID))}})
	if s := h.sleptFor(); len(s) < 2 || s[1] != 5*time.Second {
		t.Errorf("slept %v", s)
	}
}

// TestAttachments checks photos and documents: the largest photo size, a CSV read
// into the input, a large one or another type left for later.
func TestAttachments(t *testing.T) {
	csv := []byte("text,answer\nhello,world\n")
	h := newHarness(t, telegram.ModePolling,
		withFake(func(s *tgfake.Server) {
			s.AddFile("csv-1", csv)
			s.AddFile("csv-big", bytes.Repeat([]byte("x,y\n"), 1000))
		}),
		withBot(func(o *telegram.Options) { o.MaxDownload = 1000 }))
	inputs := func(u tgfake.Update) bots.Input {
		t.Helper()
		in0, out0 := h.rec.mark()
		h.push(u)
		ins, _ := h.rec.since(in0, out0)
		if len(ins) != 1 {
			t.Fatalf("%d inputs", len(ins))
		}
		return ins[0]
	}

	u := textMessage(bob, group, "")
	u.Message.Caption = "/frobnicate my photo"
	u.Message.CaptionEntities = []tgfake.MessageEntity{{Type: "bot_command", Length: 11}}
	u.Message.Photo = []tgfake.PhotoSize{
		{FileID: "p-small", FileUniqueID: "a", Width: 90, Height: 60, FileSize: 900},
		{FileID: "p-large", FileUniqueID: "b", Width: 1280, Height: 853, FileSize: 90000},
		{FileID: "p-mid", FileUniqueID: "c", Width: 320, Height: 213, FileSize: 9000},
	}
	in := inputs(u)
	if in.Text != "/frobnicate my photo" || len(in.Attachments) != 1 {
		t.Fatalf("input %+v", in)
	}
	if a := in.Attachments[0]; a.FileID != "p-large" || a.Width != 1280 || a.Size != 90000 || a.Platform != core.Telegram || a.ContentType != "image/jpeg" {
		t.Errorf("photo %+v", a)
	}

	mark := h.fake.Mark()
	u = textMessage(bob, tgfake.Private(bob), "")
	u.Message.Caption = "items"
	u.Message.Document = &tgfake.Document{FileID: "csv-1", FileUniqueID: "d", FileName: "items.csv", MimeType: "text/csv", FileSize: len(csv)}
	in = inputs(u)
	if a := in.Attachments[0]; a.Name != "items.csv" || !bytes.Equal(a.Data, csv) || a.URL != "" {
		t.Errorf("csv %+v", a)
	}
	if !slices.ContainsFunc(h.fake.Since(mark), func(r tgfake.Request) bool { return r.Method == "getFile" }) {
		t.Errorf("no getFile")
	}

	mark = h.fake.Mark()
	u = textMessage(bob, tgfake.Private(bob), "")
	u.Message.Document = &tgfake.Document{FileID: "csv-big", FileName: "BIG.CSV", MimeType: "application/octet-stream", FileSize: 4000}
	if a := inputs(u).Attachments[0]; a.Data != nil || a.Size != 4000 {
		t.Errorf("a large CSV was read: %d bytes", len(a.Data))
	}
	u = textMessage(bob, tgfake.Private(bob), "")
	u.Message.Document = &tgfake.Document{FileID: "csv-big", FileName: "no-size.csv", MimeType: "text/csv"}
	if a := inputs(u).Attachments[0]; a.Data != nil {
		t.Errorf("a CSV over the cap was read: %d bytes", len(a.Data))
	}
	u = textMessage(bob, tgfake.Private(bob), "")
	u.Message.Document = &tgfake.Document{FileID: "pdf-1", FileName: "brief.pdf", MimeType: "application/pdf", FileSize: 10}
	if a := inputs(u).Attachments[0]; a.Data != nil || a.ContentType != "application/pdf" {
		t.Errorf("pdf %+v", a)
	}
	for _, r := range h.fake.Since(mark) {
		if r.Method == "getFile" && r.Params["file_id"] != "csv-big" {
			t.Errorf("downloaded %s", r.Params["file_id"])
		}
	}
}

// TestIgnored checks the updates that are nobody's business: another bot's
// messages, a linked channel's copies, service messages, presses without data.
func TestIgnored(t *testing.T) {
	h := newHarness(t, telegram.ModeWebhook)
	other := tgfake.User{ID: 4242, IsBot: true, FirstName: "Other", Username: "otherbot"}
	forward := channelPost(channel, "/help")
	forward.ChannelPost.Chat = group
	forward.Message, forward.ChannelPost = forward.ChannelPost, nil
	forward.Message.IsAutomaticForward = true
	joins := textMessage(ada, group, "")
	joins.Message.NewChatMembers = []tgfake.User{bob}
	for _, u := range []tgfake.Update{textMessage(other, group, "/help"), forward, joins, textMessage(bob, group, "  ")} {
		mark := h.fake.Mark()
		in0, _ := h.rec.mark()
		h.push(u)
		if ins, _ := h.rec.since(in0, 0); len(ins) != 0 {
			t.Errorf("the Router saw %+v", ins[0])
		}
		if reqs := h.fake.Since(mark); len(reqs) != 0 {
			t.Errorf("calls: %s", describe(reqs))
		}
	}
	// a press without data (a game), or on an inline message, is still answered
	for _, u := range []tgfake.Update{
		press(bob, tgfake.Message{MessageID: 5, Chat: group}, ""),
		{CallbackQuery: &tgfake.CallbackQuery{ID: "inline-1", From: bob, ChatInstance: "x", Data: "iv:1"}},
	} {
		mark := h.fake.Mark()
		in0, _ := h.rec.mark()
		h.push(u)
		if ins, _ := h.rec.since(in0, 0); len(ins) != 0 {
			t.Errorf("the Router saw %+v", ins[0])
		}
		if reqs := h.fake.Since(mark); len(reqs) != 1 || reqs[0].Method != "answerCallbackQuery" || reqs[0].Status != http.StatusOK {
			t.Errorf("calls: %s", describe(reqs))
		}
	}
}

// TestAdminCache: a chat's administrators are asked once for a while, then again.
func TestAdminCache(t *testing.T) {
	h := newHarness(t, telegram.ModeWebhook)
	count := func() int {
		n := 0
		for _, r := range h.fake.Requests() {
			if r.Method == "getChatAdministrators" {
				n++
			}
		}
		return n
	}
	for _, who := range []tgfake.User{ada, bob, ada, carol} {
		h.push(textMessage(who, group, "/campaign list"))
	}
	if n := count(); n != 1 {
		t.Fatalf("%d getChatAdministrators calls, want 1", n)
	}
	ins, _ := h.rec.since(0, 0)
	if !ins[0].Admin || ins[1].Admin || !ins[2].Admin || ins[3].Admin {
		t.Fatalf("admin flags %v %v %v %v", ins[0].Admin, ins[1].Admin, ins[2].Admin, ins[3].Admin)
	}
	h.clock.Advance(6 * time.Minute)
	h.push(textMessage(bob, group, "/campaign list"))
	if n := count(); n != 2 {
		t.Fatalf("%d getChatAdministrators calls after the cache expired, want 2", n)
	}
	// private chats have no administrators to ask
	h.push(textMessage(ada, tgfake.Private(ada), "/campaign list"))
	if n := count(); n != 2 {
		t.Fatalf("asked for a private chat's administrators")
	}
	if ins, _ := h.rec.since(0, 0); ins[len(ins)-1].Admin || !ins[len(ins)-1].Private {
		t.Fatalf("private input %+v", ins[len(ins)-1])
	}
}

// TestPoster posts and edits announcements the way the outbox dispatcher does.
func TestPoster(t *testing.T) {
	h := newHarness(t, telegram.ModePolling)
	ctx := context.Background()
	var p bots.Poster = h.bot
	if p.Platform() != core.Telegram {
		t.Fatal(p.Platform())
	}
	to := bots.Destination{ChannelID: strconv.FormatInt(channel.ID, 10)}
	card := bots.Reply{Msg: bots.M("x"), Text: "Vote <now> & win\nline 2", Lines: []bots.Msg{bots.M("y")},
		Buttons: [][]bots.Button{{{Label: "👍 12", Action: "pv:1:2"}, {Label: "Open", URL: "https://crowd.example/c/k7Fq2"}}}}
	id, err := p.Post(ctx, to, card)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(id)
	m, ok := h.fake.Message(channel.ID, n)
	if !ok || m.Text != "Vote <now> & win\nline 2" || m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard[0]) != 2 {
		t.Fatalf("posted %+v", m)
	}
	card.Text = "Vote <now> & win\nline 3"
	if err := p.Edit(ctx, to, id, card); err != nil {
		t.Fatal(err)
	}
	if m, _ := h.fake.Message(channel.ID, n); m.Text != card.Text {
		t.Fatalf("edited %q", m.Text)
	}
	if err := p.Edit(ctx, to, id, card); err != nil {
		t.Fatalf("an edit that changes nothing: %v", err)
	}

	// a progress post: the picture carries the text and the buttons
	png := []byte("\x89PNG\r\n\x1a\nfake")
	post := bots.Reply{Text: "Progress: 40%", Image: &bots.Image{Name: "progress.png", PNG: png}, Buttons: card.Buttons}
	mark := h.fake.Mark()
	id, err = p.Post(ctx, to, post)
	if err != nil {
		t.Fatal(err)
	}
	reqs := h.fake.Since(mark)
	if len(reqs) != 1 || reqs[0].Method != "sendPhoto" || reqs[0].Params["caption"] != "Progress: 40%" ||
		!bytes.Equal(reqs[0].Files["photo"].Data, png) || reqs[0].Params["reply_markup"] == "" || strconv.Itoa(reqs[0].MessageID) != id {
		t.Fatalf("photo post: %s", describe(reqs))
	}
	post.Text = "Progress: 50%"
	if err := p.Edit(ctx, to, id, post); err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(id); func() string { m, _ := h.fake.Message(channel.ID, n); return m.Caption }() != "Progress: 50%" {
		t.Errorf("caption not edited")
	}
	// a text too long for a caption follows the picture
	mark = h.fake.Mark()
	post.Text = strings.Repeat("long ", 300)
	if _, err := p.Post(ctx, to, post); err != nil {
		t.Fatal(err)
	}
	if reqs := h.fake.Since(mark); len(reqs) != 2 || reqs[0].Params["caption"] != "" || reqs[1].Method != "sendMessage" || reqs[1].Params["reply_markup"] == "" {
		t.Fatalf("long caption: %s", describe(reqs))
	}
	// a document
	mark = h.fake.Mark()
	if _, err := p.Post(ctx, bots.Destination{UserID: strconv.FormatInt(ada.ID, 10)}, bots.Reply{Text: "Your export", File: &bots.File{Name: "k7Fq2.csv", Type: "text/csv", Data: []byte("a,b\n")}}); err != nil {
		t.Fatal(err)
	}
	if reqs := h.fake.Since(mark); len(reqs) != 1 || reqs[0].Method != "sendDocument" || reqs[0].Files["document"].Name != "k7Fq2.csv" || chatOf(reqs[0]) != ada.ID {
		t.Fatalf("document: %s", describe(reqs))
	}
	// a long announcement is split
	mark = h.fake.Mark()
	if _, err := p.Post(ctx, to, bots.Reply{Text: strings.Repeat("Ω mega ", 1200)}); err != nil {
		t.Fatal(err)
	}
	if reqs := h.fake.Since(mark); len(reqs) != 3 {
		t.Fatalf("split into %d", len(reqs))
	}

	var perm *bots.PermanentError
	if _, err := p.Post(ctx, bots.Destination{UserID: strconv.FormatInt(dan.ID, 10)}, bots.Reply{Text: "hi"}); !errors.As(err, &perm) {
		t.Errorf("to one who never started the bot: %v", err)
	}
	if _, err := p.Post(ctx, bots.Destination{ChannelID: "general"}, bots.Reply{Text: "hi"}); !errors.As(err, &perm) {
		t.Errorf("bad destination: %v", err)
	}
	if err := p.Edit(ctx, to, "999999", card); !errors.As(err, &perm) {
		t.Errorf("edit of a message that is not there: %v", err)
	}
	if _, err := p.Post(ctx, to, bots.Reply{}); !errors.As(err, &perm) {
		t.Errorf("an empty post: %v", err)
	}

	// Telegram asks to wait: briefly, the poster waits; long, it hands back
	h.fake.Fail("sendMessage", tgfake.Failure{Code: 429, RetryAfter: 2})
	if _, err := p.Post(ctx, to, bots.Reply{Text: "soon"}); err != nil {
		t.Errorf("after a short wait: %v", err)
	}
	h.fake.Fail("sendMessage", tgfake.Failure{Code: 429, RetryAfter: 60})
	var rl *bots.RateLimitError
	if _, err := p.Post(ctx, to, bots.Reply{Text: "later"}); !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Errorf("a long wait: %v", err)
	}
	h.fake.Fail("sendMessage", tgfake.Failure{Code: 500})
	h.fake.Fail("sendMessage", tgfake.Failure{Code: 500})
	h.fake.Fail("sendMessage", tgfake.Failure{Code: 500})
	h.fake.Fail("sendMessage", tgfake.Failure{Code: 500})
	if _, err := p.Post(ctx, to, bots.Reply{Text: "down"}); err == nil || errors.As(err, &perm) {
		t.Errorf("a server down is a passing error: %v", err)
	}
}

// gate holds the first update the Router gets until it is released.
type gate struct {
	bots.Conversation
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Handle(ctx context.Context, in bots.Input) []bots.Reply {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.Conversation.Handle(ctx, in)
}

// TestOffsetAfterHandling: while an update is being handled the poller has not
// confirmed it, so a crash then would have it delivered again.
func TestOffsetAfterHandling(t *testing.T) {
	g := &gate{entered: make(chan struct{}), release: make(chan struct{})}
	h := newHarness(t, telegram.ModePolling, withBot(func(o *telegram.Options) {
		g.Conversation = o.Router
		o.Router = g
	}))
	first, _ := h.fake.Push(textMessage(bob, group, "/help"))
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the update never reached the Router")
	}
	second, _ := h.fake.Push(textMessage(carol, group, "/help"))
	for range 30 {
		if h.fake.Confirmed(first) {
			t.Fatal("confirmed while still being handled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(g.release)
	h.fake.WaitConfirmed(first)
	h.fake.WaitConfirmed(second)
	if _, replies := h.rec.since(0, 0); len(replies) != 2 {
		t.Fatalf("%d replies", len(replies))
	}
}

// holder holds the first update of one member in the Router until released, and
// tells which updates entered the Router.
type holder struct {
	bots.Conversation
	member  string
	once    sync.Once
	entered chan string
	release chan struct{}
}

func (h *holder) Handle(ctx context.Context, in bots.Input) []bots.Reply {
	h.entered <- in.Member.ExternalID + " " + in.Text
	if in.Member.ExternalID == h.member {
		h.once.Do(func() { <-h.release })
	}
	return h.Conversation.Handle(ctx, in)
}

// TestPollingMembersAtOnce: in one answer of getUpdates, the updates of different
// members of one group are handled at once, and each member's own in order.
func TestPollingMembersAtOnce(t *testing.T) {
	held := &holder{member: fmt.Sprint(bob.ID), entered: make(chan string, 10), release: make(chan struct{})}
	h := newHarness(t, telegram.ModePolling, withBot(func(o *telegram.Options) {
		held.Conversation = o.Router
		o.Router = held
	}))
	release := sync.OnceFunc(func() { close(held.release) })
	t.Cleanup(release) // before the harness stops, even when the test fails
	ids := h.fake.Queue(textMessage(bob, group, "/help"), textMessage(bob, group, "/lang fr"), textMessage(carol, group, "/help"))
	next := func() string {
		select {
		case e := <-held.entered:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no update entered the Router while Bob's first was held")
			return ""
		}
	}
	// Bob's first and Carol's, in either order, while Bob's first is held
	got := []string{next(), next()}
	slices.Sort(got)
	if got[0] != "1002 /help" || got[1] != "1003 /help" {
		t.Fatalf("entered %q: want Bob's first and Carol's while Bob's is held", got)
	}
	release()
	if third := next(); third != "1002 /lang fr" {
		t.Fatalf("then %q", third)
	}
	for _, id := range ids {
		h.fake.WaitConfirmed(id)
	}
}

// panicky fails on every button.
type panicky struct{ bots.Conversation }

func (p panicky) Handle(ctx context.Context, in bots.Input) []bots.Reply {
	if in.Action != "" {
		panic("boom")
	}
	return p.Conversation.Handle(ctx, in)
}

// TestPressAnsweredInWebhookAnswer: in webhook mode a press's answerCallbackQuery goes
// in the answer to the webhook call that brought it, as Telegram allows, and costs the
// bot no request of its own. Polling answers with a request. Either way the press is
// answered once, with its toast.
func TestPressAnsweredInWebhookAnswer(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode)
			h.run([]step{{name: "help", who: bob, say: "/help", keys: keys("help.title"), calls: calls(send(group.ID))}})
			msg, _ := h.fake.LastMessage(group.ID, "")
			u := press(bob, msg, "iv:999")
			mark := h.fake.Mark()
			h.push(u)
			reqs := h.fake.Since(mark)
			if len(reqs) != 1 || reqs[0].Method != "answerCallbackQuery" || reqs[0].Status != http.StatusOK ||
				reqs[0].Params["callback_query_id"] != u.CallbackQuery.ID || reqs[0].Params["text"] == "" {
				t.Fatalf("calls %s", describe(reqs))
			}
			if got := reqs[0].InWebhookAnswer; got != (mode == telegram.ModeWebhook) {
				t.Errorf("in the webhook's answer %v in %s mode", got, mode)
			}
		})
	}
}

// TestPanicStillAnswers: a failure in handling a press is logged, and the press is
// still answered so the member's app stops waiting.
func TestPanicStillAnswers(t *testing.T) {
	h := newHarness(t, telegram.ModeWebhook, withBot(func(o *telegram.Options) { o.Router = panicky{o.Router} }))
	h.run([]step{{name: "help", who: bob, say: "/help", keys: keys("help.title"), calls: calls(send(group.ID))}})
	msg, _ := h.fake.LastMessage(group.ID, "")
	mark := h.fake.Mark()
	h.push(press(bob, msg, "iv:1"))
	if reqs := h.fake.Since(mark); len(reqs) != 1 || reqs[0].Method != "answerCallbackQuery" || reqs[0].Status != http.StatusOK {
		t.Errorf("calls: %s", describe(reqs))
	}
	if !strings.Contains(h.logs.String(), "panic handling update") {
		t.Errorf("not logged")
	}
}

package discord_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

// threadEnv is the adapter answering HTTP interactions and connected to the
// gateway fake, whose events it handles in the order they come.
type threadEnv struct {
	*env
	gw   *dcfake.Gateway
	st   *state
	post *bots.Dispatcher
}

func newThreadEnv(t *testing.T, opts ...func(*discord.Options)) *threadEnv {
	t.Helper()
	e := newEnv(t, append([]func(*discord.Options){func(o *discord.Options) { o.Session.(*discordgo.Session).SyncEvents = true }}, opts...)...)
	e.rest.ThreadGuild = guild
	gw := dcfake.NewGateway(t, token, appID)
	e.rest.GatewayURL = gw.WebsocketURL()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.ad.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	gw.Wait(t, dcfake.OpIdentify, 1)
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: e.h.Store, Router: e.h.Router, Posters: []bots.Poster{e.ad},
		Clock: e.h.Clock, Sleep: func(ctx context.Context, d time.Duration) error { e.h.Clock.Advance(d); return ctx.Err() },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &threadEnv{env: e, gw: gw, st: &state{v: map[string]string{}, msgs: map[string]map[string]any{}, e: e}, post: d}
}

// first is the first message a member saw of an interaction.
func (e *threadEnv) first(s shown) msg {
	e.t.Helper()
	msgs := s.messages()
	if len(msgs) == 0 {
		e.t.Fatalf("nothing shown: %+v", s.answer)
	}
	return msgs[0]
}

// card submits an idea and posts its card to the channel; it returns the card as a
// message to press on, and its 💬 Discuss button.
func (e *threadEnv) card(code, text string) (map[string]any, string) {
	e.t.Helper()
	firstKey(e.t, e.first(e.do(command(bob, here, "idea", "submit", str("code", code), str("text", text))(e.st))).text, "en", "idea.added")
	before := len(e.rest.Find("POST", `^/channels/`+channel+`/messages$`))
	e.h.Clock.Advance(time.Minute)
	if _, err := e.post.RunOnce(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	posts := e.rest.Find("POST", `^/channels/`+channel+`/messages$`)
	if len(posts) != before+1 {
		e.t.Fatalf("%d cards posted, want 1", len(posts)-before)
	}
	sent, err := e.h.Store.Outbox(context.Background(), core.OutboxSent, 1)
	if err != nil || len(sent) != 1 || sent[0].Announcement.Key != core.IdeaCardKey || sent[0].MessageID == "" {
		e.t.Fatalf("the card's outbox row: %+v, %v", sent, err)
	}
	m := toMsg("card", posts[len(posts)-1].Map(), nil)
	var comps []any
	_ = json.Unmarshal(mustJSON(posts[len(posts)-1].Map()["components"]), &comps)
	return dcfake.Message(sent[0].MessageID, channel, m.text, comps), m.button(e.t, "dk:")
}

// reacted waits for the bot's reaction to a message.
func reacted(channel, message string) func([]dcfake.Call) bool {
	prefix := "/channels/" + channel + "/messages/" + message + "/reactions/"
	return func(cs []dcfake.Call) bool {
		for _, c := range cs {
			if c.Method == "PUT" && strings.HasPrefix(c.Path, prefix) && c.Status == http.StatusNoContent {
				return true
			}
		}
		return false
	}
}

// posted waits for a message the bot posted in a channel.
func posted(channel string) func([]dcfake.Call) bool {
	return func(cs []dcfake.Call) bool {
		for _, c := range cs {
			if c.Method == "POST" && c.Path == "/channels/"+channel+"/messages" && c.Status == http.StatusOK {
				return true
			}
		}
		return false
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// say posts a member's message in a channel through the gateway.
func (e *threadEnv) say(id, in string, who dcfake.User, text string) {
	e.gw.Dispatch("MESSAGE_CREATE", dcfake.MessageCreate(id, guild, in, who, text))
}

// comments returns the texts of an idea's visible comments.
func (e *threadEnv) comments(code string, n int64) []string {
	e.t.Helper()
	_, idea, err := e.h.Service.IdeaByNumber(context.Background(), code, n)
	if err != nil {
		e.t.Fatal(err)
	}
	_, page, err := e.h.Service.Comments(context.Background(), idea.ID, 1, 50)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, c := range page.Comments {
		out = append(out, c.AuthorName+": "+c.Text)
	}
	return out
}

// TestDiscordIdeaThread: 💬 Discuss on an idea's card starts a public thread from the
// card (POST /channels/{channel}/messages/{card}/threads, named "#1 <text>",
// archived after a day) and answers with an ephemeral link to it; a second press
// links to the same thread without asking Discord again. A member's message in the
// thread (MESSAGE_CREATE) is a comment on the idea, acknowledged with a reaction,
// once however often it is delivered; the bot's own messages, a webhook's and
// messages in other channels are no comments. A hidden idea and a closed campaign
// refuse the comment with the translated reason, in the thread.
func TestDiscordIdeaThread(t *testing.T) {
	e := newThreadEnv(t)
	created := e.first(e.do(command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", "Flavours"))(e.st)))
	code := firstKey(t, created.text, "en", "campaign.created")["code"]
	text := "Pistachio & lemon, " + strings.Repeat("with a long story behind it ", 8)
	card, discuss := e.card(code, text)
	cardID := card["id"].(string)

	link := e.first(e.do(e.dc.Press(cara, here, discuss, card)))
	if args := firstKey(t, link.text, "en", "thread.opened"); args["link"] != "<#"+cardID+">" || !link.private {
		t.Fatalf("the press answered %+v", link)
	}
	starts := e.rest.Find("POST", `/threads$`)
	if len(starts) != 1 || starts[0].Path != "/channels/"+channel+"/messages/"+cardID+"/threads" || starts[0].Status != http.StatusCreated {
		t.Fatalf("thread starts %v", starts)
	}
	var body struct {
		Name    string `json:"name"`
		Archive int    `json:"auto_archive_duration"`
	}
	if err := starts[0].Decode(&body); err != nil || body.Archive != 1440 || !strings.HasPrefix(body.Name, "#1 Pistachio & lemon, with a long") ||
		len([]rune(body.Name)) != 100 || strings.Contains(body.Name, "  ") {
		t.Fatalf("thread start body %s", starts[0].Body)
	}
	again := e.first(e.do(e.dc.Press(bob, here, discuss, card)))
	if firstKey(t, again.text, "en", "thread.opened")["link"] != "<#"+cardID+">" || len(e.rest.Find("POST", `/threads$`)) != 1 {
		t.Fatalf("a second press: %+v, %d thread starts", again, len(e.rest.Find("POST", `/threads$`)))
	}

	// what is not a comment comes first; the last message waited for shows that
	// everything before it was handled (events are handled in order)
	botMsg := dcfake.MessageCreate("1400000000000000001", guild, cardID, dcfake.User{ID: "900000000000000002", Username: "crowdbot"}, "beep")
	botMsg["author"].(map[string]any)["bot"] = true
	e.gw.Dispatch("MESSAGE_CREATE", botMsg)
	hook := dcfake.MessageCreate("1400000000000000002", guild, cardID, bob, "from a webhook")
	hook["webhook_id"] = "1450000000000000001"
	e.gw.Dispatch("MESSAGE_CREATE", hook)
	e.say("1400000000000000003", channel, bob, "chat in the channel")
	e.say("1400000000000000004", "1290000000000000009", bob, "chat in another thread")
	e.say("1400000000000000005", cardID, cara, "I can draw the label")
	e.say("1400000000000000005", cardID, cara, "I can draw the label") // delivered twice
	e.say("1400000000000000006", cardID, ada, "Let's try it in June")
	e.rest.Wait(t, "the second comment's reaction", reacted(cardID, "1400000000000000006"))
	e.ad.Wait(context.Background())
	// each message is handled on its own, so the two may come in either order
	got := e.comments(code, 1)
	slices.Sort(got)
	if len(got) != 2 || got[0] != "Ada: Let's try it in June" || got[1] != "carol.k: I can draw the label" {
		t.Fatalf("comments %q", got)
	}
	if r := e.rest.Reactions(cardID, "1400000000000000005"); len(r) != 1 || r[0] != "✅" {
		t.Fatalf("reactions on the comment delivered twice: %q", r)
	}
	if calls := e.rest.Find("PUT", `^/channels/(`+channel+`|1290000000000000009)/`); len(calls) != 0 {
		t.Fatalf("chat elsewhere was acknowledged: %v", calls)
	}
	if calls := e.rest.Find("POST", `^/channels/`+cardID+`/messages$`); len(calls) != 0 {
		t.Fatalf("answers in the thread: %v", calls)
	}

	// a hidden idea takes no comment; the reason is said in the thread, replying
	e.first(e.do(command(ada, here, "idea", "hide", str("code", code), num("id", "1"))(e.st)))
	e.say("1400000000000000007", cardID, bob, "still here?")
	e.rest.Wait(t, "the refusal in the thread", posted(cardID))
	refusal := e.rest.Find("POST", `^/channels/`+cardID+`/messages$`)[0]
	firstKey(t, toMsg("refusal", refusal.Map(), nil).text, "en", "error.idea_not_found")
	if ref, _ := refusal.Map()["message_reference"].(map[string]any); ref["message_id"] != "1400000000000000007" {
		t.Fatalf("the refusal replies to %v", refusal.Map()["message_reference"])
	}

	// a closed campaign takes none either
	card2, discuss2 := e.card(code, "Mango sorbet")
	card2ID := card2["id"].(string)
	firstKey(t, e.first(e.do(e.dc.Press(bob, here, discuss2, card2))).text, "en", "thread.opened")
	e.first(e.do(command(ada, here, "campaign", "close", str("code", code), flag("confirm"))(e.st)))
	e.say("1400000000000000008", card2ID, cara, "too late")
	e.rest.Wait(t, "the refusal in the second thread", posted(card2ID))
	closed := e.rest.Find("POST", `^/channels/`+card2ID+`/messages$`)[0]
	firstKey(t, toMsg("refusal", closed.Map(), nil).text, "en", "error.campaign_closed")
	if got := e.comments(code, 2); len(got) != 0 {
		t.Fatalf("comments on a closed campaign: %q", got)
	}
	if bad := e.rest.Refused(); len(bad) > 0 {
		t.Fatalf("refused: %v", bad)
	}
}

// TestDiscordIdeaThreadRefused: when Discord refuses the thread (403, no Create
// Public Threads) 💬 Discuss asks for a comment in a modal instead, and the
// campaign's creator is told why once however many press; once the permission is
// given the next press starts the thread. A thread a member started from the card
// already (160004) is adopted: its id is the card's.
func TestDiscordIdeaThreadRefused(t *testing.T) {
	e := newThreadEnv(t)
	created := e.first(e.do(command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", "Flavours"))(e.st)))
	code := firstKey(t, created.text, "en", "campaign.created")["code"]
	card, discuss := e.card(code, "Pistachio")
	e.rest.DenyThreads(channel, true)
	for _, who := range []dcfake.User{bob, cara} {
		got := e.do(e.dc.Press(who, here, discuss, card))
		if got.answer.Type != 9 || !strings.HasPrefix(got.answer.Data["custom_id"].(string), "ck:") {
			t.Fatalf("a refused thread answered %d %v, want the comment modal", got.answer.Type, got.answer.Data)
		}
	}
	if starts := e.rest.Find("POST", `/threads$`); len(starts) != 2 || starts[0].Status != http.StatusForbidden {
		t.Fatalf("thread starts %v", starts)
	}
	items, err := e.h.Store.Outbox(context.Background(), "", core.MaxOutboxList)
	if err != nil {
		t.Fatal(err)
	}
	var notices []core.OutboxItem
	for _, it := range items {
		if it.Announcement.Key == "notice.thread_refused" {
			notices = append(notices, it)
		}
	}
	if len(notices) != 1 || notices[0].Announcement.Args["reason"] != "error.thread_forbidden_discord" {
		t.Fatalf("notices of the refusal %+v", notices)
	}
	// the notice reaches the creator privately, with the reason in words
	e.h.Clock.Advance(time.Minute)
	if _, err := e.post.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	dms := e.rest.Find("POST", `^/channels/77`+ada.ID+`/messages$`)
	if len(dms) != 1 || !strings.Contains(toMsg("dm", dms[0].Map(), nil).text, "Create Public Threads") {
		t.Fatalf("the creator's notice: %v", dms)
	}

	e.rest.DenyThreads(channel, false)
	firstKey(t, e.first(e.do(e.dc.Press(bob, here, discuss, card))).text, "en", "thread.opened")

	card2, discuss2 := e.card(code, "Mango")
	e.rest.AddThread(channel, card2["id"].(string), "mango talk")
	link := e.first(e.do(e.dc.Press(cara, here, discuss2, card2)))
	if firstKey(t, link.text, "en", "thread.opened")["link"] != "<#"+card2["id"].(string)+">" {
		t.Fatalf("the adopted thread: %+v", link)
	}
	starts := e.rest.Find("POST", `/threads$`)
	if last := starts[len(starts)-1]; last.Status != http.StatusBadRequest || last.Code != 160004 {
		t.Fatalf("the last thread start %v", last)
	}
	e.say("1400000000000000011", card2["id"].(string), cara, "adopted and heard")
	e.rest.Wait(t, "the comment's reaction", reacted(card2["id"].(string), "1400000000000000011"))
	if got := e.comments(code, 2); len(got) != 1 {
		t.Fatalf("comments in the adopted thread %q", got)
	}
}

// TestDiscordThreadNoContent: without the Message Content intent (privileged, off
// in the Developer Portal) Discord sends guild messages with empty content: nothing
// is recorded, and the log says once what to turn on.
func TestDiscordThreadNoContent(t *testing.T) {
	var log botstest.SyncBuffer
	e := newThreadEnv(t, func(o *discord.Options) {
		o.Session.(*discordgo.Session).Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages
		o.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	created := e.first(e.do(command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", "Flavours"))(e.st)))
	code := firstKey(t, created.text, "en", "campaign.created")["code"]
	card, discuss := e.card(code, "Pistachio")
	cardID := card["id"].(string)
	firstKey(t, e.first(e.do(e.dc.Press(cara, here, discuss, card))).text, "en", "thread.opened")
	e.say("1400000000000000021", cardID, bob, "lost without the intent")
	e.say("1400000000000000022", cardID, cara, "lost as well")
	// an interaction after them over the gateway: once it is answered, both
	// messages were handled (events are handled in order)
	it := e.dc.Command(bob, here, "help", "", nil)
	e.gw.Dispatch("INTERACTION_CREATE", it)
	waitCallback(t, e.rest, it)
	e.ad.Wait(context.Background())
	if got := e.comments(code, 1); len(got) != 0 {
		t.Fatalf("comments without content %q", got)
	}
	if n := strings.Count(log.String(), "Message Content intent"); n != 1 {
		t.Fatalf("the log says %d times what to turn on:\n%s", n, log.String())
	}
	if calls := e.rest.Find("PUT", `/reactions/`); len(calls) != 0 {
		t.Fatalf("acknowledged without content: %v", calls)
	}
}

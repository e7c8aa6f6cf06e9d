package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// postCards posts what the outbox holds and returns the messages sent to chat.
func postCards(t *testing.T, h *harness, chat int64) []tgfake.Message {
	t.Helper()
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.store, Router: h.rec.get(), Posters: []bots.Poster{h.bot},
		Clock: h.clock, Sleep: func(context.Context, time.Duration) error { return nil }})
	mark := h.fake.Mark()
	h.clock.Advance(time.Minute)
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []tgfake.Message
	for _, r := range sends(h.fake.Since(mark)) {
		if chatOf(r) == chat {
			m, _ := h.fake.Message(chat, r.MessageID)
			out = append(out, m)
		}
	}
	return out
}

// ideaCard submits an idea in a chat and posts its card there.
func ideaCard(t *testing.T, h *harness, chat tgfake.Chat, code, text string) tgfake.Message {
	t.Helper()
	h.push(textMessage(bob, chat, "/idea "+code+" "+text))
	cards := postCards(t, h, chat.ID)
	if len(cards) != 1 || !strings.Contains(cards[0].Text, text) {
		t.Fatalf("cards %+v", cards)
	}
	return cards[0]
}

// ofMethod returns the requests of a method.
func ofMethod(reqs []tgfake.Request, method string) []tgfake.Request {
	var out []tgfake.Request
	for _, r := range reqs {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// TestForumIdeaTopic: in a forum supergroup, 💬 Discuss on an idea's card creates a
// forum topic for the idea (createForumTopic, "#1 <text>"), posts the idea into it
// and sends the member a link to it (https://t.me/c/<id>/<topic>); a second press
// links to the same topic. A member's message in the topic is a comment on the idea,
// once however often it is delivered; a message in another topic is none, and once
// the campaign is closed the comment is refused with the reason.
func TestForumIdeaTopic(t *testing.T) {
	h := newHarness(t, telegram.ModeWebhook, withFake(withForum))
	in0, out0 := h.rec.mark()
	h.push(textMessage(ada, forum, `/campaign new ideas "Forum flavours"`))
	code := codeOf(t, h, in0, out0)
	text := "Pistachio & lemon" + strings.Repeat(" with a long story", 10)
	card := ideaCard(t, h, forum, code, text)
	discuss, ok := tgfake.Button(card, "dk:")
	if !ok {
		t.Fatal("the card has no discuss button")
	}

	mark := h.fake.Mark()
	h.push(press(eve, card, discuss))
	reqs := h.fake.Since(mark)
	created := ofMethod(reqs, "createForumTopic")
	if len(created) != 1 || created[0].Status != 200 || chatOf(created[0]) != forum.ID {
		t.Fatalf("createForumTopic: %s", describe(reqs))
	}
	name := created[0].Params["name"]
	if !strings.HasPrefix(name, "#1 Pistachio & lemon with a long story") || len([]rune(name)) != 128 {
		t.Fatalf("topic name %q", name)
	}
	var topic int
	for _, r := range sends(reqs) {
		if r.Params["message_thread_id"] != "" {
			topic, _ = strconv.Atoi(r.Params["message_thread_id"])
			if m, _ := h.fake.Message(forum.ID, r.MessageID); !strings.Contains(m.Text, "Pistachio & lemon") || !m.IsTopicMessage {
				t.Fatalf("the topic's first message %+v", m)
			}
		}
	}
	if topic == 0 || h.fake.TopicName(forum.ID, topic) != name {
		t.Fatalf("nothing posted in the topic: %s", describe(reqs))
	}
	link := "https://t.me/c/" + strings.TrimPrefix(strconv.FormatInt(forum.ID, 10), "-100") + "/" + strconv.Itoa(topic)
	dm, ok := h.fake.LastMessage(eve.ID, "")
	if !ok || !strings.Contains(dm.Text, link) {
		t.Fatalf("the member's link: %+v, want %s", dm, link)
	}
	mark = h.fake.Mark()
	h.push(press(bob, card, discuss))
	if reqs := h.fake.Since(mark); len(ofMethod(reqs, "createForumTopic")) != 0 {
		t.Fatalf("a second press: %s", describe(reqs))
	}
	if dm, _ := h.fake.LastMessage(bob.ID, ""); !strings.Contains(dm.Text, link) {
		t.Fatalf("the second member's link: %+v", dm)
	}

	in0, out0 = h.rec.mark()
	h.push(inTopic(dan, forum, topic, "I can draw the label"))
	h.redeliver()
	h.push(inTopic(eve, forum, 42, "chat in another topic"))
	if _, replies := h.rec.since(in0, out0); len(replies) != 1 || replies[0].Key != "comment.added" {
		t.Fatalf("messages in topics answered %q", texts(replies))
	}
	if got := commentsOn(t, h, code, 1); len(got) != 1 || got[0] != "Dan: I can draw the label" {
		t.Fatalf("comments %q", got)
	}

	h.push(textMessage(ada, forum, "/campaign close "+code+" confirm"))
	in0, out0 = h.rec.mark()
	mark = h.fake.Mark()
	h.push(inTopic(dan, forum, topic, "too late"))
	if _, replies := h.rec.since(in0, out0); len(replies) != 1 || replies[0].Key != "error.campaign_closed" {
		t.Fatalf("a message after the close answered %q", texts(replies))
	}
	// said privately when the member started the bot; Dan did not, so in the topic
	s := sends(h.fake.Since(mark))
	if last := s[len(s)-1]; chatOf(last) != forum.ID || last.Params["message_thread_id"] != strconv.Itoa(topic) || last.Status != 200 {
		t.Fatalf("the refusal is not in the topic: %s", describe(s))
	}
	if got := commentsOn(t, h, code, 1); len(got) != 1 {
		t.Fatalf("comments after the close %q", got)
	}
}

// TestForumTopicRefused: a bot that may not manage topics (400 "not enough rights")
// asks for a comment instead, and the campaign's creator hears why once; given the
// right, the next press creates the topic. In a group that is no forum 💬 Discuss
// asks for a comment, and no topic is asked for.
func TestForumTopicRefused(t *testing.T) {
	h := newHarness(t, telegram.ModeWebhook, withFake(withForum))
	ctx := context.Background()
	in0, out0 := h.rec.mark()
	h.push(textMessage(ada, forum, `/campaign new ideas "Forum flavours"`))
	code := codeOf(t, h, in0, out0)
	card := ideaCard(t, h, forum, code, "Pistachio")
	discuss, _ := tgfake.Button(card, "dk:")
	h.fake.DenyTopics(forum.ID, true)
	for _, who := range []tgfake.User{bob, eve} {
		in0, out0 = h.rec.mark()
		h.push(press(who, card, discuss))
		if _, replies := h.rec.since(in0, out0); len(replies) != 1 || replies[0].Key != "comment.prompt" {
			t.Fatalf("a refused topic answered %q", texts(replies))
		}
	}
	items, err := h.store.Outbox(ctx, "", core.MaxOutboxList)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, it := range items {
		if it.Announcement.Key == "notice.thread_refused" && it.Announcement.Args["reason"] == "error.thread_forbidden_telegram" {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d notices of the refusal, want 1", refused)
	}
	h.fake.DenyTopics(forum.ID, false)
	mark := h.fake.Mark()
	h.push(press(bob, card, discuss))
	if created := ofMethod(h.fake.Since(mark), "createForumTopic"); len(created) != 1 || created[0].Status != 200 {
		t.Fatalf("after the right was given: %s", describe(created))
	}

	// a group that is no forum
	in0, out0 = h.rec.mark()
	h.push(textMessage(ada, group, `/campaign new ideas "Group flavours"`))
	gcode := codeOf(t, h, in0, out0)
	gcard := ideaCard(t, h, group, gcode, "Mango")
	gdiscuss, _ := tgfake.Button(gcard, "dk:")
	mark = h.fake.Mark()
	in0, out0 = h.rec.mark()
	h.push(press(bob, gcard, gdiscuss))
	if _, replies := h.rec.since(in0, out0); len(replies) != 1 || replies[0].Key != "comment.prompt" {
		t.Fatalf("discuss in a group answered %q", texts(replies))
	}
	if created := ofMethod(h.fake.Since(mark), "createForumTopic"); len(created) != 0 {
		t.Fatalf("a topic asked for in a group: %s", describe(created))
	}
}

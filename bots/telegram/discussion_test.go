package telegram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// A new idea's card is posted to the group by the outbox's dispatcher; a reply to
// that card is a comment on the idea, once however often Telegram delivers it,
// while a reply to any other message of the bot is no comment.
func TestReplyToIdeaCardComments(t *testing.T) {
	h := newHarness(t, telegram.ModePolling)
	ctx := context.Background()
	in0, out0 := h.rec.mark()
	h.push(textMessage(ada, group, `/campaign new ideas "Next flavour"`))
	code := codeOf(t, h, in0, out0)
	h.push(textMessage(bob, group, "/idea "+code+" Pistachio & lemon"))
	added, ok := h.fake.LastMessage(group.ID, "")
	if !ok {
		t.Fatal("no answer to the idea")
	}

	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.store, Router: h.rec.get(), Posters: []bots.Poster{h.bot},
		Clock: h.clock, Sleep: func(context.Context, time.Duration) error { return nil }})
	mark := h.fake.Mark()
	if n, err := d.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("dispatched %d, %v", n, err)
	}
	reqs := sends(h.fake.Since(mark))
	if len(reqs) != 1 || chatOf(reqs[0]) != group.ID {
		t.Fatalf("card: %s", describe(reqs))
	}
	card, ok := h.fake.Message(group.ID, reqs[0].MessageID)
	if !ok || !strings.Contains(card.Text, "Pistachio & lemon") || !strings.Contains(card.Text, "▲ 0 · 💬 0") {
		t.Fatalf("the card reads %q", card.Text)
	}
	if _, ok := tgfake.Button(card, "iv:"); !ok {
		t.Errorf("the card has no vote button: %q", reqs[0].Params["reply_markup"])
	}
	if _, ok := tgfake.Button(card, "dk:"); !ok {
		t.Errorf("the card has no discuss button: %q", reqs[0].Params["reply_markup"])
	}

	in0, out0 = h.rec.mark()
	h.push(replyTo(dan, card, "I can draw the label"))
	if _, replies := h.rec.since(in0, out0); len(replies) != 1 || replies[0].Key != "comment.added" {
		t.Fatalf("the reply to the card answered %q", texts(replies))
	}
	h.redeliver()
	in0, out0 = h.rec.mark()
	h.push(replyTo(eve, added, "nice one"))
	if _, replies := h.rec.since(in0, out0); len(replies) != 0 {
		t.Fatalf("a reply to another message answered %q", texts(replies))
	}

	if got := commentsOn(t, h, code, 1); len(got) != 1 || got[0] != "Dan: I can draw the label" {
		t.Fatalf("comments %q", got)
	}
}

// commentsOn returns the visible comments on idea n of a campaign, as "name: text".
func commentsOn(t *testing.T, h *harness, code string, n int64) []string {
	t.Helper()
	ctx := context.Background()
	_, idea, err := h.rec.Service().IdeaByNumber(ctx, code, n)
	if err != nil {
		t.Fatal(err)
	}
	_, page, err := h.rec.Service().Comments(ctx, idea.ID, 1, core.MaxCommentsPerPage)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range page.Comments {
		out = append(out, c.AuthorName+": "+c.Text)
	}
	return out
}

package telegram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
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

	c, _ := h.rec.Service().Campaign(ctx, code)
	_, idea, err := h.rec.Service().IdeaByNumber(ctx, c.Code, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, page, err := h.rec.Service().Comments(ctx, idea.ID, 1, 10)
	if err != nil || page.Total != 1 || page.Comments[0].Text != "I can draw the label" || page.Comments[0].AuthorName != "Dan" {
		t.Fatalf("comments %+v, %v", page, err)
	}
}

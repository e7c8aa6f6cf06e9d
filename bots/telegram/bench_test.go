package telegram_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"crowdbot/bots/botstest"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
)

// BenchmarkFirstVotesThroughTelegram is a viral burst through the Telegram adapter:
// each operation is a callback_query, delivered to the bot's webhook by the fake Bot
// API, of a user the bot has never seen pressing the vote button under one idea's
// card in a supergroup; it is done when the fake received the press's
// answerCallbackQuery. On Postgres (CROWDBOT_TEST_POSTGRES) the schema keeps the
// server's durability, as the pgbench baseline of docs/BENCHMARKS.md does.
func BenchmarkFirstVotesThroughTelegram(b *testing.B) { votesThroughTelegram(b, false) }

// BenchmarkKnownVotesThroughTelegram is the same burst by users the bot knows: before
// the clock starts, each of them pressed the vote button of another idea the same way,
// so each is in the database and in the bot's cache. It is the known-member path that
// BenchmarkFirstVotesThroughTelegram is measured against.
func BenchmarkKnownVotesThroughTelegram(b *testing.B) { votesThroughTelegram(b, true) }

func votesThroughTelegram(b *testing.B, known bool) {
	h := botstest.ForBurst(b)
	// the campaign and its idea, in the group botstest's cast speaks in
	id, action := h.BurstIdea(botstest.Admin, botstest.Bob)
	var warm string
	if known {
		_, warm = h.BurstIdea(botstest.Admin, botstest.Bob)
	}
	chatID, _ := strconv.ParseInt(botstest.Admin.Space, 10, 64)
	chat := tgfake.Chat{ID: chatID, Type: "supergroup", Title: "Fans " + botstest.Admin.Space}

	fake := tgfake.New(b, botName)
	fake.AddChat(chat)
	fake.SetAdmins(chat.ID, tgfake.User{ID: 1001, FirstName: "Ada"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// the client the bot runs with (cmd/crowdbot)
	api, me, err := telegram.Dial(ctx, tgfake.Token, fake.Endpoint(), &http.Client{Timeout: 75 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	var handler http.Handler
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer hook.Close()
	bot, err := telegram.New(telegram.Options{API: api, Me: me, Router: h.Router, Mode: telegram.ModeWebhook,
		WebhookURL: hook.URL + telegram.WebhookPath, WebhookSecret: secret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	// mounted as cmd/crowdbot mounts it, on a mux of its own (see TestAdaptersDoNotImportEachOther)
	site := http.NewServeMux()
	site.Handle("POST "+telegram.WebhookPath, bot.WebhookHandler())
	handler = site
	if err := bot.Start(ctx); err != nil {
		b.Fatal(err)
	}
	// the card as Telegram sends it back with a press: the bot's message, its button
	card := func(action string) *tgfake.Message {
		return &tgfake.Message{MessageID: 4242, From: &fake.Me, Date: botstest.Start.Unix(), Chat: chat, Text: "The one idea",
			ReplyMarkup: &tgfake.ReplyMarkup{InlineKeyboard: [][]tgfake.InlineKeyboardButton{{{Text: "👍 0", CallbackData: action}}}}}
	}
	// press has user n press the button of msg, and tells whether the press was
	// answered
	press := func(tb testing.TB, msg *tgfake.Message, n int64, query string) bool {
		user := tgfake.User{ID: 5_000_000_000 + n, FirstName: "Voter", LastName: strconv.FormatInt(n, 36), LanguageCode: "en"}
		u := tgfake.Update{CallbackQuery: &tgfake.CallbackQuery{ID: query, From: user, Message: msg,
			ChatInstance: "-8412279157730261386", Data: msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData}}
		if _, status := fake.Push(u); status != http.StatusOK {
			tb.Errorf("webhook answered %d", status)
			return false
		}
		if !fake.Answered(query) {
			tb.Errorf("press %s answered its webhook call before its callback query", query)
			return false
		}
		return true
	}
	if known {
		msg := card(warm)
		botstest.Crowd(b, 32, b.N, func(n int) bool { return press(b, msg, int64(n), "4712"+strconv.Itoa(n)) })
	}

	msg := card(action)
	members := botstest.Members(b, h)
	sent := botstest.Burst(b, "votes/s", func(n int64) bool { return press(b, msg, n, "4711"+strconv.FormatInt(n, 10)) })
	n, err := h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", id)
	if err != nil || n != sent {
		b.Fatalf("%d votes stored of %d acknowledged: %v", n, sent, err)
	}
	members.Check(b, !known, sent)
}

package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/botstest"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
)

func TestTelegramConfig(t *testing.T) {
	cfg, err := loadConfig("", envOf(map[string]string{
		"CROWDBOT_TELEGRAM_TOKEN": "1:x", "CROWDBOT_TELEGRAM_MODE": "webhook",
		"CROWDBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
	}))
	if err != nil || cfg.Telegram.WebhookURL != "https://bot.example/telegram/webhook" {
		t.Fatalf("%+v %v", cfg.Telegram, err)
	}
	for _, env := range []map[string]string{
		{"CROWDBOT_TELEGRAM_WEBHOOK_URL": "bot.example/hook"},
		{"CROWDBOT_TELEGRAM_WEBHOOK_URL": "ftp://bot.example/hook"},
		{"CROWDBOT_TELEGRAM_TOKEN": "1:x", "CROWDBOT_TELEGRAM_MODE": "webhook"},
	} {
		if _, err := loadConfig("", envOf(env)); err == nil || !strings.Contains(err.Error(), "telegram.webhook_url") {
			t.Errorf("%v: %v", env, err)
		}
	}
	_, err = loadConfig("", envOf(map[string]string{"CROWDBOT_TELEGRAM_WEBHOOK_SECRET": "pass word!"}))
	if err == nil || !strings.Contains(err.Error(), "telegram.webhook_secret") || strings.Contains(err.Error(), "pass word") {
		t.Errorf("bad secret: %v", err)
	}
}

// serveWith runs serve with env until the returned stop is called (with cancel, it
// first tells serve to stop); stop returns the exit code and the log.
func serveWith(t *testing.T, env map[string]string) (stop func(cancel bool) (int, string)) {
	t.Helper()
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	var stderr botstest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, envOf(env), &bytes.Buffer{}, &stderr) }()
	return func(stopIt bool) (int, string) {
		if stopIt {
			cancel()
		}
		defer cancel()
		select {
		case code := <-done:
			return code, stderr.String()
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Fatalf("serve did not stop\n%s", stderr.String())
			return 0, ""
		}
	}
}

// waitFor polls cond until it holds, failing after 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 15s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sentTo(fake *tgfake.Server, chat string) bool {
	for _, r := range fake.Requests() {
		if r.Method == "sendMessage" && r.Params["chat_id"] == chat && r.Status == http.StatusOK {
			return true
		}
	}
	return false
}

func hello(id int64) tgfake.Update {
	u := tgfake.User{ID: id, FirstName: "Ada", LanguageCode: "it"}
	return tgfake.Update{Message: &tgfake.Message{MessageID: 1, From: &u, Date: time.Now().Unix(), Chat: tgfake.Private(u), Text: "/start",
		Entities: []tgfake.MessageEntity{{Type: "bot_command", Length: 6}}}}
}

// TestServeTelegramPolling starts crowdbot with a token against a fake Bot API:
// it registers its menu, polls, answers, stops cleanly and never logs the token.
func TestServeTelegramPolling(t *testing.T) {
	fake := tgfake.New(t, "crowd_test_bot")
	stop := serveWith(t, map[string]string{
		"CROWDBOT_HTTP_ADDR": freeAddr(t), "CROWDBOT_TELEGRAM_TOKEN": tgfake.Token,
		"CROWDBOT_TELEGRAM_API_ENDPOINT": fake.Endpoint(),
	})
	id, _ := fake.Push(hello(4242))
	fake.WaitConfirmed(id)
	waitFor(t, "answer", func() bool { return sentTo(fake, "4242") })
	if len(fake.Commands("")) == 0 || len(fake.Commands("it")) == 0 {
		t.Errorf("no command menu")
	}
	code, log := stop(true)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, log)
	}
	if strings.Contains(log, tgfake.Token) || strings.Contains(log, "telegram adapter off") || !strings.Contains(log, "crowd_test_bot") {
		t.Errorf("log:\n%s", log)
	}
}

// TestServeTelegramWebhook starts crowdbot in webhook mode: it registers the webhook
// with its secret and answers the updates Telegram posts to it.
func TestServeTelegramWebhook(t *testing.T) {
	fake := tgfake.New(t, "crowd_test_bot")
	addr := freeAddr(t)
	stop := serveWith(t, map[string]string{
		"CROWDBOT_HTTP_ADDR": addr, "CROWDBOT_TELEGRAM_TOKEN": tgfake.Token,
		"CROWDBOT_TELEGRAM_API_ENDPOINT": fake.Endpoint(), "CROWDBOT_TELEGRAM_MODE": "webhook",
		"CROWDBOT_TELEGRAM_WEBHOOK_URL": "http://" + addr + "/telegram/webhook", "CROWDBOT_TELEGRAM_WEBHOOK_SECRET": "hush",
	})
	waitFor(t, "webhook", func() bool { url, secret := fake.Webhook(); return url != "" && secret == "hush" })
	waitFor(t, "web server", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if _, status := fake.Push(hello(4343)); status != http.StatusOK {
		t.Fatalf("webhook answered %d", status)
	}
	if code := fake.PostWebhook(hello(4444), "guess"); code != http.StatusForbidden {
		t.Errorf("a wrong secret got %d", code)
	}
	if !sentTo(fake, "4343") || sentTo(fake, "4444") {
		t.Errorf("answers: %v", fake.Requests())
	}
	if code, log := stop(true); code != 0 {
		t.Fatalf("exit %d\n%s", code, log)
	}
}

// TestServeTelegramWebhookNoSecret: a webhook with no configured secret still gets
// one, made from the token, so a stranger who finds the URL cannot post updates.
func TestServeTelegramWebhookNoSecret(t *testing.T) {
	fake := tgfake.New(t, "crowd_test_bot")
	addr := freeAddr(t)
	stop := serveWith(t, map[string]string{
		"CROWDBOT_HTTP_ADDR": addr, "CROWDBOT_TELEGRAM_TOKEN": tgfake.Token,
		"CROWDBOT_TELEGRAM_API_ENDPOINT": fake.Endpoint(), "CROWDBOT_TELEGRAM_MODE": "webhook",
		"CROWDBOT_TELEGRAM_WEBHOOK_URL": "http://" + addr + "/telegram/webhook",
	})
	want := telegram.WebhookSecretFor(tgfake.Token)
	waitFor(t, "webhook", func() bool { url, secret := fake.Webhook(); return url != "" && secret == want })
	if strings.Contains(want, tgfake.Token) || len(want) < 32 {
		t.Errorf("derived secret %q", want)
	}
	if _, status := fake.Push(hello(4343)); status != http.StatusOK {
		t.Fatalf("webhook answered %d", status)
	}
	if code := fake.PostWebhook(hello(4444), ""); code != http.StatusUnauthorized {
		t.Errorf("a call without the secret got %d", code)
	}
	if !sentTo(fake, "4343") || sentTo(fake, "4444") {
		t.Errorf("answers: %v", fake.Requests())
	}
	if code, log := stop(true); code != 0 || strings.Contains(log, want) {
		t.Fatalf("exit %d (the log must not show the secret)\n%s", code, log)
	}
}

// TestServeTelegramBadToken: a token Telegram refuses stops start-up, without
// showing the token.
func TestServeTelegramBadToken(t *testing.T) {
	fake := tgfake.New(t, "crowd_test_bot")
	stop := serveWith(t, map[string]string{
		"CROWDBOT_HTTP_ADDR": freeAddr(t), "CROWDBOT_TELEGRAM_TOKEN": "1:wrong-token",
		"CROWDBOT_TELEGRAM_API_ENDPOINT": fake.Endpoint(),
	})
	code, log := stop(false)
	if code != 1 || !strings.Contains(log, "telegram") || strings.Contains(log, "wrong-token") {
		t.Fatalf("exit %d\n%s", code, log)
	}
}

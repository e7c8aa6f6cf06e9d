package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/web"
)

// telegramFront is the Telegram adapter as serve runs it. A nil *telegramFront is
// the adapter switched off (no token): every method then does nothing.
type telegramFront struct {
	cfg TelegramConfig
	log *slog.Logger
	api telegram.API
	me  telegram.User
	bot *telegram.Adapter
}

// dialTelegram connects to the Bot API when a token is set, to learn the bot's
// username before the Router is built (share links name the bot). A token Telegram
// refuses, or a server that does not answer, stops start-up.
func dialTelegram(ctx context.Context, cfg TelegramConfig, log *slog.Logger) (*telegramFront, error) {
	if cfg.Token == "" {
		return nil, nil
	}
	// the client's timeout covers a long poll (30 s) with room to spare; a burst
	// answers many presses at once, each on a connection kept open rather than a
	// new TLS handshake (the default keeps two a host)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Timeout: 75 * time.Second, Transport: tr}
	api, me, err := telegram.Dial(ctx, cfg.Token, cfg.APIEndpoint, client)
	if err != nil {
		return nil, fmt.Errorf("connect to telegram: %w", err)
	}
	log.Info("telegram bot connected", "bot", me.UserName, "mode", cfg.Mode)
	return &telegramFront{cfg: cfg, log: log, api: api, me: me}, nil
}

// username is the bot's username, "" when the adapter is off.
func (t *telegramFront) username() string {
	if t == nil {
		return ""
	}
	return t.me.UserName
}

// start builds the adapter over the Router, mounts its webhook on the web server in
// webhook mode, and registers it with Telegram (command menu, webhook).
func (t *telegramFront) start(ctx context.Context, router *bots.Router, site *web.Adapter) error {
	if t == nil {
		return nil
	}
	secret := t.cfg.WebhookSecret
	if secret == "" && t.cfg.Mode == telegram.ModeWebhook {
		secret = telegram.WebhookSecretFor(t.cfg.Token)
		t.log.Info("telegram webhook secret derived from the bot token (set telegram.webhook_secret_file to choose one)")
	}
	bot, err := telegram.New(telegram.Options{
		API: t.api, Me: t.me, Router: router, Mode: t.cfg.Mode,
		WebhookURL: t.cfg.WebhookURL, WebhookSecret: secret, Logger: t.log, RefundEvery: time.Minute,
	})
	if err != nil {
		return err
	}
	if t.cfg.Mode == telegram.ModeWebhook {
		site.Handle("POST "+telegram.WebhookPath, bot.WebhookHandler())
	}
	if err := bot.Start(ctx); err != nil {
		return err
	}
	t.bot = bot
	return nil
}

// run polls for updates until ctx ends, in polling mode.
func (t *telegramFront) run(ctx context.Context) {
	if t == nil || t.bot == nil || t.cfg.Mode != telegram.ModePolling {
		return
	}
	t.bot.Poll(ctx)
}

// poster is the adapter as an announcement Poster, nil when it is off.
func (t *telegramFront) poster() bots.Poster {
	if t == nil || t.bot == nil {
		return nil
	}
	return t.bot
}

package main

import (
	"context"
	"log/slog"
	"sync"

	"crowdbot/bots"
	"crowdbot/bots/discord"
	"crowdbot/bots/web"
)

// startDiscord starts the Discord adapter when a token or a public key is set:
// signed HTTP interactions on the web server (public key), the gateway and the
// slash commands' registration (token), until ctx ends. It returns the adapter as
// Discord's poster, or nil when nothing can be posted (no token).
func startDiscord(ctx context.Context, cfg Config, router *bots.Router, site *web.Adapter, log *slog.Logger, wg *sync.WaitGroup) bots.Poster {
	c := cfg.Discord
	if c.Token == "" && c.PublicKey == "" {
		return nil // serve says the adapter is off
	}
	log = log.With("platform", "discord")
	sess, err := discord.NewSession(c.Token, c.APIBase)
	if err != nil {
		log.Error("discord adapter off", "err", err)
		return nil
	}
	ad, err := discord.New(discord.Options{
		Router: router, Session: sess, AppID: c.AppID, PublicKey: c.PublicKey, GuildID: c.GuildID,
		AdminRole: c.AdminRole, PublicURL: cfg.HTTP.PublicURL, Logger: log,
	})
	if err != nil {
		log.Error("discord adapter off", "err", err)
		return nil
	}
	if c.PublicKey != "" {
		site.Handle("POST "+discord.InteractionsPath, ad)
		log.Info("discord interactions endpoint ready", "path", discord.InteractionsPath)
	}
	wg.Go(func() {
		if c.Token != "" {
			if err := ad.Run(ctx); err != nil {
				log.Error("discord gateway", "err", err)
			}
		} else {
			log.Warn("discord: no token: slash commands are not registered and announcements are not posted")
			<-ctx.Done()
		}
		// let the follow-ups of interactions already answered go out
		wctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		ad.Wait(wctx)
	})
	if c.Token == "" {
		return nil
	}
	return ad
}

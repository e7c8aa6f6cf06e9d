package discord

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"

	"crowdbot/core"
)

// Run connects to the gateway and handles its events until ctx ends: interactions
// (answered through REST), messages (those in ideas' threads are comments), and
// guilds joined and left (the Spaces). At the first
// READY it registers the slash commands, learning the application id from it when
// none was configured. discordgo reconnects, and resumes the session, by itself.
func (a *Adapter) Run(ctx context.Context) error {
	remove := []func(){
		a.api.AddHandler(func(_ *discordgo.Session, e *discordgo.Ready) { a.ready(ctx, e) }),
		a.api.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) {
			if e.Interaction != nil {
				a.goWork(func(ctx context.Context) { a.interactionCreate(ctx, e.Interaction) })
			}
		}),
		a.api.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageCreate) {
			if e.Message != nil {
				a.goWork(func(ctx context.Context) { a.messageCreate(ctx, e.Message) })
			}
		}),
		a.api.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildCreate) { a.guildCreate(ctx, e.Guild) }),
		a.api.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildDelete) { a.guildDelete(ctx, e.Guild) }),
	}
	defer func() {
		for _, r := range remove {
			r()
		}
	}()
	for attempt := 0; ; attempt++ {
		err := a.api.Open()
		if err == nil {
			break
		}
		// discordgo resumes a dropped connection by itself; a failed start is retried here
		wait := min(time.Second<<min(attempt, 7), 2*time.Minute)
		a.log.Error("gateway connect", "err", err, "retry_in", wait)
		if core.Sleep(ctx, wait) != nil {
			return nil
		}
	}
	a.log.Info("gateway connected")
	<-ctx.Done()
	return a.api.Close()
}

func (a *Adapter) ready(ctx context.Context, e *discordgo.Ready) {
	a.mu.Lock()
	if a.appID == "" && e.Application != nil {
		a.appID = e.Application.ID
	}
	a.mu.Unlock()
	a.register.Do(func() {
		a.goWork(func(context.Context) {
			if err := a.Register(ctx); err != nil {
				a.log.Error("register slash commands", "err", err)
			}
		})
	})
}

// interactionCreate answers an interaction that came over the gateway: the response
// through the interaction callback, then what follows it.
func (a *Adapter) interactionCreate(ctx context.Context, it *discordgo.Interaction) {
	ans := a.answer(ctx, it)
	err := a.rest(ctx, func(o ...discordgo.RequestOption) error { return a.api.InteractionRespond(it, ans.initial, o...) })
	if err != nil {
		a.log.Error("answer interaction", "id", it.ID, "err", err)
		return
	}
	if ans.then != nil {
		ans.then(ctx)
	}
}

// guildCreate records a guild the bot is in (at start, or when added to one).
func (a *Adapter) guildCreate(ctx context.Context, g *discordgo.Guild) {
	if g == nil || g.ID == "" || g.Unavailable {
		return
	}
	a.mu.Lock()
	info := a.guilds[g.ID]
	info.name = g.Name
	a.guilds[g.ID] = info
	a.mu.Unlock()
	if len(g.Roles) > 0 {
		a.setRoles(g.ID, g.Roles, time.Now())
	}
	if g.OwnerID == "" {
		return
	}
	space := core.SpaceRef{Platform: core.Discord, ExternalID: g.ID, Title: g.Name, Locale: core.NormalizeLocale(string(g.PreferredLocale))}
	if err := a.router.JoinSpace(ctx, space, core.MemberRef{Platform: core.Discord, ExternalID: g.OwnerID}); err != nil {
		a.log.Error("record guild", "guild", g.ID, "err", err)
	}
}

// guildDelete records that the bot left a guild or was removed; a guild that is
// only unavailable (an outage) stays.
func (a *Adapter) guildDelete(ctx context.Context, g *discordgo.Guild) {
	if g == nil || g.ID == "" || g.Unavailable {
		return
	}
	a.mu.Lock()
	delete(a.guilds, g.ID)
	a.mu.Unlock()
	if err := a.router.LeaveSpace(ctx, core.Discord, g.ID); err != nil {
		a.log.Error("record guild left", "guild", g.ID, "err", err)
	}
}

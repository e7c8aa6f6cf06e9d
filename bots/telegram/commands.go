package telegram

import (
	"context"
	"regexp"
	"strings"

	"crowdbot/bots/internal/units"
	"crowdbot/core"
)

// validCommand is what Telegram accepts as a command name.
var validCommand = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Telegram's limits on the menu: 100 commands, 256 characters of description.
const (
	maxCommands    = 100
	maxDescription = 256
)

// registerCommands sets the command menu in every language crowdbot speaks: the
// first one for everybody, the others for users whose app is in that language. A
// failure is logged and the bot carries on: the menu is a convenience.
func (b *Adapter) registerCommands(ctx context.Context) {
	for i, locale := range core.Locales {
		code := locale
		if i == 0 {
			code = ""
		}
		cmds := b.commands(locale)
		err := b.do(ctx, 0, replyWait, func(ctx context.Context) error { return b.api.SetMyCommands(ctx, cmds, code) })
		if err != nil {
			b.log.Warn("set command menu", "language", locale, "err", err)
		}
	}
}

// commands lists the Router's commands for the menu, in a locale: each top-level
// command once, described by its help line, or by its subcommands when it has no
// line of its own. /start is left out, as in /help.
func (b *Adapter) commands(locale string) []BotCommand {
	var names []string
	subs := map[string][]string{}
	for _, s := range b.conv.Specs() {
		if _, ok := subs[s.Name]; !ok {
			names = append(names, s.Name)
			subs[s.Name] = nil
		}
		if s.Sub != "" {
			subs[s.Name] = append(subs[s.Name], s.Sub)
		}
	}
	cat := b.conv.Catalog()
	out := make([]BotCommand, 0, len(names))
	for _, name := range names {
		if name == "start" {
			continue
		}
		if !validCommand.MatchString(name) {
			b.log.Warn("command left out of the menu: Telegram refuses its name", "command", name)
			continue
		}
		var desc string
		if key := "help." + name; cat.Has(key) {
			desc = cat.T(locale, key, nil)
			if _, after, ok := strings.Cut(desc, " — "); ok {
				desc = after
			}
		} else {
			desc = cat.T(locale, "telegram.command.subs", map[string]any{"subs": strings.Join(subs[name], " | ")})
		}
		desc = units.Clip(strings.TrimSpace(desc), maxDescription)
		if desc == "" {
			desc = name
		}
		out = append(out, BotCommand{Command: name, Description: desc})
	}
	if len(out) > maxCommands {
		b.log.Warn("command menu cut to Telegram's limit", "commands", len(out), "limit", maxCommands)
		out = out[:maxCommands]
	}
	return out
}

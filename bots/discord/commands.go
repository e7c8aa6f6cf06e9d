package discord

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/core"
)

// How the Router's commands become slash commands:
//
//   - Every command name is one top-level slash command.
//   - A name whose specs all have no subcommand takes the spec's params as options.
//   - A name with subcommands ("/campaign new", "/campaign list") gets one Discord
//     subcommand per spec. Discord forbids mixing subcommands and plain options, so
//     when the name also has a form without a subcommand ("/idea <code> <text>") that
//     form becomes the subcommand named by defaultSubNames ("/idea submit"); on the
//     way back it is the plain command again.
//   - Each param is one option: ParamInt an integer, ParamFlag a boolean,
//     ParamAttachment an attachment, ParamCode a string with autocomplete, the others
//     strings; choices become Discord choices. A param that repeats (Repeat = n > 1)
//     becomes n options name1..nameN. Required options come first, as Discord wants,
//     but values go back in the declared order.
//   - Going back, positional params in declared order are the args (the subcommand
//     first, as typed: "/idea status k7Fq2 3 done"), Option params are opts, a true
//     ParamFlag is opts[name] = "true", and attachments are the Input's.
//
// Descriptions are the part of the help line after its dash, in each language;
// option names and descriptions come from the discord catalog (discord.name.<param>,
// discord.desc.<param>), or else from the param's type (discord.type.<type>).
// Command and subcommand names stay as typed on every platform, so /help reads
// the same here.

// defaultSubNames are the names tried, in order, for the form of a command without
// a subcommand when the command also has subcommands.
var defaultSubNames = []string{"submit", "default", "run"}

// Discord's limits on commands.
const (
	maxOptions     = 25
	maxChoices     = 25
	maxChoiceName  = 100
	maxDescription = 100
	maxName        = 32
)

// command is one slash command: a Router command name and its specs.
type command struct {
	name    string
	def     *bots.Spec   // the form without a subcommand, or nil
	subs    []*bots.Spec // the subcommands, in the Router's order
	defName string       // def's subcommand name when there are subs
}

// commandSet is the Router's commands grouped as slash commands.
type commandSet struct {
	list   []*command
	byName map[string]*command
}

func newCommandSet(specs []*bots.Spec) *commandSet {
	cs := &commandSet{byName: map[string]*command{}}
	for _, s := range specs {
		c := cs.byName[s.Name]
		if c == nil {
			c = &command{name: s.Name}
			cs.byName[s.Name] = c
			cs.list = append(cs.list, c)
		}
		if s.Sub == "" {
			if c.def == nil {
				c.def = s
			}
			continue
		}
		c.subs = append(c.subs, s)
	}
	for _, c := range cs.list {
		if c.def != nil && len(c.subs) > 0 {
			for _, n := range defaultSubNames {
				if !slices.ContainsFunc(c.subs, func(s *bots.Spec) bool { return s.Sub == n }) {
					c.defName = n
					break
				}
			}
		}
	}
	return cs
}

// spec returns the spec a Discord subcommand name stands for ("" for none).
func (c *command) spec(sub string) *bots.Spec {
	if sub == "" {
		if len(c.subs) == 0 {
			return c.def
		}
		return nil
	}
	if sub == c.defName {
		return c.def
	}
	for _, s := range c.subs {
		if s.Sub == sub {
			return s
		}
	}
	return nil
}

// slot is one Discord option and the param (and repetition) it fills.
type slot struct {
	name   string
	param  int
	nth    int
	suffix string // the repetition's number, for a param that repeats
}

// slots lists a spec's options in declared order.
func slots(s *bots.Spec) []slot {
	var out []slot
	for i, p := range s.Params {
		n := 1
		if p.Repeat > 1 {
			n = p.Repeat
		}
		name := optionName(p.Name)
		for k := 0; k < n && len(out) < maxOptions; k++ {
			sl := slot{name: name, param: i, nth: k}
			if n > 1 {
				sl.suffix = strconv.Itoa(k + 1)
				sl.name = clip(name, maxName-len(sl.suffix)) + sl.suffix
			}
			out = append(out, sl)
		}
	}
	return out
}

// optionName makes a param name a valid Discord option name.
func optionName(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "value"
	}
	return clip(b.String(), maxName)
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// discordLocales maps crowdbot's languages to Discord's locales; the default
// language (English) is the commands' base text and needs none.
var discordLocales = map[string]discordgo.Locale{"fr": discordgo.French, "it": discordgo.Italian}

// localized renders key in every language: the base (English) text and the others.
func (a *Adapter) localized(key string, args map[string]any, max int) (string, map[discordgo.Locale]string) {
	cat := a.router.Catalog()
	base := core.Clip(cat.T(core.Locales[0], key, args), max)
	var loc map[discordgo.Locale]string
	for _, l := range core.Locales[1:] {
		dl, ok := discordLocales[l]
		if !ok {
			continue
		}
		if loc == nil {
			loc = map[discordgo.Locale]string{}
		}
		loc[dl] = core.Clip(cat.T(l, key, args), max)
	}
	return base, loc
}

// describe returns a spec's description in every language: the help line after its
// dash.
func (a *Adapter) describe(s *bots.Spec) (string, map[discordgo.Locale]string) {
	cat := a.router.Catalog()
	cut := func(l string) string {
		h := cat.T(l, s.HelpKey(), nil)
		if _, after, ok := strings.Cut(h, " — "); ok {
			h = after
		}
		return core.Clip(strings.TrimSpace(h), maxDescription)
	}
	base := cut(core.Locales[0])
	loc := map[discordgo.Locale]string{}
	for _, l := range core.Locales[1:] {
		if dl, ok := discordLocales[l]; ok {
			loc[dl] = cut(l)
		}
	}
	return base, loc
}

var paramTypeNames = map[bots.ParamType]string{
	bots.ParamString: "string", bots.ParamText: "text", bots.ParamInt: "int", bots.ParamCode: "code",
	bots.ParamAmount: "amount", bots.ParamDuration: "duration", bots.ParamAttachment: "attachment", bots.ParamFlag: "flag",
}

// Catalog key prefixes of the option texts.
const (
	keyName = "discord.name."
	keyDesc = "discord.desc."
	keyType = "discord.type."
)

// validName is Discord's rule for command and option names.
var validName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// option builds the Discord option of one slot.
func (a *Adapter) option(s *bots.Spec, sl slot) *discordgo.ApplicationCommandOption {
	cat := a.router.Catalog()
	p := s.Params[sl.param]
	o := &discordgo.ApplicationCommandOption{Name: sl.name, Required: p.Required && sl.nth == 0}
	switch p.Type {
	case bots.ParamInt:
		o.Type = discordgo.ApplicationCommandOptionInteger
	case bots.ParamFlag:
		o.Type = discordgo.ApplicationCommandOptionBoolean
	case bots.ParamAttachment:
		o.Type = discordgo.ApplicationCommandOptionAttachment
	default:
		o.Type = discordgo.ApplicationCommandOptionString
	}
	key := keyDesc + p.Name
	if !cat.Has(key) {
		key = keyType + paramTypeNames[p.Type]
	}
	o.Description, o.DescriptionLocalizations = a.localized(key, nil, maxDescription)
	if cat.Has(keyName + p.Name) {
		_, names := a.localized(keyName+p.Name, nil, maxName)
		for l, n := range names {
			n = clip(optionName(n), maxName-len(sl.suffix)) + sl.suffix
			if validName.MatchString(n) && n != sl.name {
				if o.NameLocalizations == nil {
					o.NameLocalizations = map[discordgo.Locale]string{}
				}
				o.NameLocalizations[l] = n
			}
		}
	}
	if p.Type == bots.ParamCode {
		o.Autocomplete = true
		return o
	}
	if len(p.Choices) > 0 && len(p.Choices) <= maxChoices && o.Type == discordgo.ApplicationCommandOptionString {
		prefix, keyed := bots.KeyedArgs[p.Name]
		for _, c := range p.Choices {
			ch := &discordgo.ApplicationCommandOptionChoice{Name: core.Clip(c, 100), Value: c}
			if keyed && cat.Has(prefix+c) {
				ch.Name, ch.NameLocalizations = a.localized(prefix+c, nil, 100)
			}
			o.Choices = append(o.Choices, ch)
		}
	}
	return o
}

// options builds a spec's options, required ones first.
func (a *Adapter) options(s *bots.Spec) []*discordgo.ApplicationCommandOption {
	var req, opt []*discordgo.ApplicationCommandOption
	for _, sl := range slots(s) {
		o := a.option(s, sl)
		if o.Required {
			req = append(req, o)
		} else {
			opt = append(opt, o)
		}
	}
	return append(req, opt...)
}

// Commands returns the slash commands for the Router's commands.
func (a *Adapter) Commands() []*discordgo.ApplicationCommand {
	var out []*discordgo.ApplicationCommand
	for _, c := range a.cmds.list {
		ac := &discordgo.ApplicationCommand{Name: c.name, Type: discordgo.ChatApplicationCommand}
		var loc map[discordgo.Locale]string
		if len(c.subs) == 0 {
			ac.Description, loc = a.describe(c.def)
			ac.Options = a.options(c.def)
		} else {
			if c.def != nil {
				ac.Description, loc = a.describe(c.def)
			} else {
				ac.Description, loc = a.localized("discord.group", map[string]any{"name": c.name}, maxDescription)
			}
			var all []*bots.Spec
			if c.def != nil {
				all = append(all, c.def)
			}
			all = append(all, c.subs...)
			for _, s := range all {
				name := s.Sub
				if s == c.def {
					name = c.defName
				}
				sub := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Options: a.options(s)}
				sub.Description, sub.DescriptionLocalizations = a.describe(s)
				ac.Options = append(ac.Options, sub)
			}
		}
		if len(loc) > 0 {
			ac.DescriptionLocalizations = &loc
		}
		out = append(out, ac)
	}
	return out
}

// Register replaces the application's slash commands with the Router's, globally
// or in the configured guild, so that none are left from an older version.
func (a *Adapter) Register(ctx context.Context) error {
	app := a.app()
	if app == "" {
		return fmt.Errorf("discord: register commands: the application id is unknown")
	}
	cmds := a.Commands()
	err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
		_, err := a.api.ApplicationCommandBulkOverwrite(app, a.guildID, cmds, o...)
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: register commands: %w", err)
	}
	a.log.Info("slash commands registered", "count", len(cmds), "guild", a.guildID)
	return nil
}

// invocation is a slash command as the Router sees it.
type invocation struct {
	spec        *bots.Spec
	cmd         *bots.Command
	attachments []bots.Attachment
}

// errBadCommand is an interaction the adapter cannot read: no member, or a
// subcommand the Router does not have (registered by an older version).
var errBadCommand = core.Errorf(core.EINVALID, "error.bad_update")

// invoke turns a slash command's data into the Router's command.
func (a *Adapter) invoke(cs *commandSet, data discordgo.ApplicationCommandInteractionData) (*invocation, error) {
	c := cs.byName[data.Name]
	if c == nil {
		// a command of an older version: the Router says it does not know it
		return &invocation{cmd: bots.NewCommand(data.Name, nil, nil)}, nil
	}
	opts := data.Options
	sub := ""
	if len(opts) > 0 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		sub, opts = opts[0].Name, opts[0].Options
	}
	s := c.spec(sub)
	if s == nil {
		return nil, errBadCommand
	}
	given := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range opts {
		given[o.Name] = o
	}
	inv := &invocation{spec: s}
	var args []string
	if s.Sub != "" {
		args = append(args, s.Sub)
	}
	kw := map[string]string{}
	for _, sl := range slots(s) {
		o := given[sl.name]
		if o == nil {
			continue
		}
		p := s.Params[sl.param]
		switch {
		case p.Type == bots.ParamAttachment:
			id, _ := o.Value.(string)
			if data.Resolved != nil && data.Resolved.Attachments[id] != nil {
				inv.attachments = append(inv.attachments, attachment(data.Resolved.Attachments[id]))
			}
		case p.Type == bots.ParamFlag:
			if on, _ := o.Value.(bool); on {
				kw[p.Name] = "true"
			}
		case p.Option:
			kw[p.Name] = value(o.Value)
		default:
			args = append(args, value(o.Value))
		}
	}
	inv.cmd = bots.NewCommand(s.Name, args, kw)
	return inv, nil
}

// value renders an option's value as a member would type it.
func value(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// attachment turns a file a member attached into the neutral attachment.
func attachment(at *discordgo.MessageAttachment) bots.Attachment {
	return bots.Attachment{
		Platform: core.Discord, FileID: at.URL, URL: at.URL, Name: at.Filename, ContentType: at.ContentType,
		Size: int64(at.Size), Width: at.Width, Height: at.Height,
	}
}

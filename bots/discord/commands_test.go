package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/discord/dcfake"
)

const testApp = "900000000000000001"

func newTestAdapter(t *testing.T, opts ...func(*Options)) (*Adapter, *dcfake.REST, *botstest.Harness) {
	t.Helper()
	h := botstest.New(t)
	rest := dcfake.NewREST(t, "tok")
	sess, err := NewSession("tok", rest.APIBase())
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Router: h.Router, Session: sess, AppID: testApp}
	for _, f := range opts {
		f(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Wait(context.Background()) })
	return a, rest, h
}

// registered returns the commands the fake holds, decoded as discordgo's.
func registered(t *testing.T, rest *dcfake.REST, guild string) map[string]*discordgo.ApplicationCommand {
	t.Helper()
	raw, _ := json.Marshal(rest.Commands(testApp, guild))
	var list []*discordgo.ApplicationCommand
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]*discordgo.ApplicationCommand{}
	for _, c := range list {
		out[c.Name] = c
	}
	return out
}

// TestRegister registers the Router's commands with the REST fake, which checks
// them against Discord's rules, and looks at what it holds.
func TestRegister(t *testing.T) {
	a, rest, h := newTestAdapter(t)
	if err := a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	if bad := rest.Refused(); len(bad) > 0 {
		t.Fatalf("refused: %v", bad)
	}
	put := rest.Find("PUT", `^/applications/`+testApp+`/commands$`)
	if len(put) != 1 || put[0].Header.Get("Authorization") != "Bot tok" {
		t.Fatalf("bulk overwrite calls: %v", put)
	}
	cmds := registered(t, rest, "")
	var names []string
	for _, s := range h.Router.Specs() {
		if !slices.Contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	if len(cmds) != len(names) {
		t.Fatalf("registered %v, want %v", keys(cmds), names)
	}

	idea := cmds["idea"]
	var subs []string
	for _, o := range idea.Options {
		if o.Type != discordgo.ApplicationCommandOptionSubCommand {
			t.Fatalf("/idea mixes subcommands and options: %+v", o)
		}
		subs = append(subs, o.Name)
	}
	if !slices.Equal(subs, []string{"submit", "status", "merge", "tag", "hide", "unhide"}) {
		t.Errorf("/idea subcommands %v", subs)
	}
	submit := idea.Options[0]
	if submit.Description != "suggest an idea" || submit.DescriptionLocalizations[discordgo.French] == "" {
		t.Errorf("/idea submit described %q %v", submit.Description, submit.DescriptionLocalizations)
	}
	code, text := submit.Options[0], submit.Options[1]
	if code.Name != "code" || !code.Autocomplete || !code.Required || code.Type != discordgo.ApplicationCommandOptionString {
		t.Errorf("code option %+v", code)
	}
	if text.Name != "text" || text.NameLocalizations[discordgo.French] != "texte" || text.NameLocalizations[discordgo.Italian] != "testo" {
		t.Errorf("text option %+v", text)
	}
	status := idea.Options[1].Options[2]
	if len(status.Choices) != 6 || status.Choices[1].Name != "under review" || status.Choices[1].Value != "under_review" ||
		status.Choices[1].NameLocalizations[discordgo.French] == "" {
		t.Errorf("status choices %+v", status.Choices[1])
	}
	if id := idea.Options[1].Options[1]; id.Type != discordgo.ApplicationCommandOptionInteger {
		t.Errorf("idea id is %v", id.Type)
	}
	campaign := cmds["campaign"]
	if campaign.Description != "The /campaign commands" || (*campaign.DescriptionLocalizations)[discordgo.Italian] != "I comandi /campaign" {
		t.Errorf("/campaign described %q", campaign.Description)
	}
	if o := cmds["help"].Options; len(o) != 1 || o[0].Name != "topic" || o[0].Required || len(o[0].Choices) != len(bots.HelpTopics) {
		t.Errorf("/help options %+v", o)
	}
	lang := cmds["lang"].Options[0]
	if len(lang.Choices) != 3 || lang.Choices[1].Name != "French" || lang.Choices[1].NameLocalizations[discordgo.French] != "français" {
		t.Errorf("/lang choices %+v", lang.Choices)
	}
	// /ideas <code> [sort] [tag=]: the required option first, then the others
	ideas := cmds["ideas"].Options
	if ideas[0].Name != "code" || !ideas[0].Required || ideas[1].Required || ideas[2].Required {
		t.Errorf("/ideas options %v", ideas)
	}

	// in one guild for development; a second start overwrites again, nothing piles up
	g, rest2, _ := newTestAdapter(t, func(o *Options) { o.GuildID = "800000000000000001" })
	for range 2 {
		if err := g.Register(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if put := rest2.Find("PUT", `^/applications/`+testApp+`/guilds/800000000000000001/commands$`); len(put) != 2 {
		t.Fatalf("guild overwrite calls: %v", rest2.Calls())
	}
	if len(registered(t, rest2, "800000000000000001")) != len(names) || len(rest2.Commands(testApp, "")) != 0 {
		t.Errorf("guild registration went elsewhere")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sample is a value a member could give for a param, and how Discord sends it.
func sample(p bots.Param, k int) (typed string, sent any, typ discordgo.ApplicationCommandOptionType) {
	switch p.Type {
	case bots.ParamInt:
		return fmt.Sprint(40 + k), float64(40 + k), discordgo.ApplicationCommandOptionInteger
	case bots.ParamFlag:
		return "true", true, discordgo.ApplicationCommandOptionBoolean
	case bots.ParamAttachment:
		return "", "1290000000000000001", discordgo.ApplicationCommandOptionAttachment
	case bots.ParamCode:
		return "k7Fq2", "k7Fq2", discordgo.ApplicationCommandOptionString
	}
	v := fmt.Sprintf("%s value %d", p.Name, k)
	if len(p.Choices) > 0 {
		v = p.Choices[len(p.Choices)-1]
	}
	return v, v, discordgo.ApplicationCommandOptionString
}

// roundTrip fills in every option of a spec's registered command as Discord would
// send it, and checks that the adapter gives the Router the command a member would
// type on a text platform.
func roundTrip(t *testing.T, a *Adapter, cs *commandSet, cmds map[string]*discordgo.ApplicationCommand, s *bots.Spec) {
	t.Helper()
	ac := cmds[s.Name]
	if ac == nil {
		t.Fatalf("/%s is not registered", s.Name)
	}
	options := ac.Options
	subName := ""
	if c := cs.byName[s.Name]; len(c.subs) > 0 {
		subName = s.Sub
		if s.Sub == "" {
			subName = c.defName
		}
		options = nil
		for _, o := range ac.Options {
			if o.Type == discordgo.ApplicationCommandOptionSubCommand && o.Name == subName {
				options = o.Options
			}
		}
		if options == nil && len(s.Params) > 0 {
			t.Fatalf("/%s has no subcommand %s", s.Name, subName)
		}
	}
	byName := map[string]*discordgo.ApplicationCommandOption{}
	for _, o := range options {
		byName[o.Name] = o
	}
	var args []string
	if s.Sub != "" {
		args = append(args, s.Sub)
	}
	opts := map[string]string{}
	var sent []map[string]any
	files := 0
	for _, p := range s.Params {
		n := max(1, p.Repeat)
		for k := range n {
			name := p.Name
			if n > 1 {
				name = fmt.Sprint(p.Name, k+1)
			}
			o := byName[name]
			typed, value, typ := sample(p, k)
			if o == nil || o.Type != typ {
				t.Fatalf("/%s: option %s is %+v, want type %v", s.ID(), name, o, typ)
			}
			if k > 0 && o.Required {
				t.Errorf("/%s: repeated option %s is required", s.ID(), name)
			}
			sent = append(sent, map[string]any{"name": name, "type": int(typ), "value": value})
			switch {
			case p.Type == bots.ParamAttachment:
				files++
			case p.Type == bots.ParamFlag, p.Option:
				opts[p.Name] = typed
			default:
				args = append(args, typed)
			}
		}
	}
	if len(sent) != len(options) {
		t.Errorf("/%s: %d options registered, %d params", s.ID(), len(options), len(sent))
	}
	data := map[string]any{"id": "1", "name": s.Name, "type": 1, "options": sent,
		"resolved": map[string]any{"attachments": map[string]any{"1290000000000000001": map[string]any{
			"id": "1290000000000000001", "filename": "logo.png", "size": 2048, "url": "https://cdn.discordapp.com/attachments/1/2/logo.png",
			"proxy_url": "https://media.discordapp.net/attachments/1/2/logo.png", "content_type": "image/png", "width": 64, "height": 32}}}}
	if subName != "" {
		data["options"] = []any{map[string]any{"name": subName, "type": 1, "options": sent}}
	}
	raw, _ := json.Marshal(map[string]any{"id": "2", "type": 2, "data": data, "token": "t", "application_id": testApp})
	var it discordgo.Interaction
	if err := json.Unmarshal(raw, &it); err != nil {
		t.Fatal(err)
	}
	inv, err := a.invoke(cs, it.ApplicationCommandData())
	if err != nil {
		t.Fatalf("/%s: %v", s.ID(), err)
	}
	want := bots.NewCommand(s.Name, args, opts)
	if inv.spec != s || inv.cmd.Name != want.Name || !slices.Equal(argValues(inv.cmd), argValues(want)) || fmt.Sprint(inv.cmd.Opts) != fmt.Sprint(want.Opts) {
		t.Errorf("/%s: got %s %q %v, want %s %q %v", s.ID(), inv.cmd.Name, argValues(inv.cmd), inv.cmd.Opts, want.Name, argValues(want), want.Opts)
	}
	if len(inv.attachments) != files {
		t.Errorf("/%s: %d attachments, want %d", s.ID(), len(inv.attachments), files)
	}
	for _, at := range inv.attachments {
		if at.Name != "logo.png" || at.URL == "" || at.ContentType != "image/png" || at.Size != 2048 || at.Width != 64 || at.Height != 32 {
			t.Errorf("attachment %+v", at)
		}
	}
}

func argValues(c *bots.Command) []string {
	var out []string
	for i := range c.NArg() {
		out = append(out, c.Arg(i))
	}
	return out
}

// TestEverySpecRoundTrips checks that every command the Router has is a registered
// command or subcommand with an option per param, and that filling them all in
// gives back the command a text platform would parse.
func TestEverySpecRoundTrips(t *testing.T) {
	a, rest, h := newTestAdapter(t)
	if err := a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	cmds := registered(t, rest, "")
	for _, s := range h.Router.Specs() {
		roundTrip(t, a, a.cmds, cmds, s)
	}
}

// The shapes the other kinds' commands take: repeated options, flags, attachments,
// amounts, a default form beside subcommands, one named like the default's name.
var shapes = []*bots.Spec{
	{Name: "poll", Sub: "new", Admin: true, Params: []bots.Param{
		{Name: "question", Type: bots.ParamString, Required: true},
		{Name: "options", Type: bots.ParamString, Required: true, Repeat: 10},
		{Name: "multi", Type: bots.ParamInt, Option: true},
		{Name: "anonymous", Type: bots.ParamFlag},
		{Name: "hidden", Type: bots.ParamFlag},
		{Name: "closes", Type: bots.ParamDuration, Option: true},
	}},
	{Name: "poll", Sub: "results", Params: []bots.Param{{Name: "code", Type: bots.ParamCode, Required: true}}},
	{Name: "enter", Submit: true, Params: []bots.Param{
		{Name: "code", Type: bots.ParamCode, Required: true},
		{Name: "title", Type: bots.ParamText, Required: true},
		{Name: "file", Type: bots.ParamAttachment},
	}},
	{Name: "pledge", Params: []bots.Param{
		{Name: "code", Type: bots.ParamCode, Required: true},
		{Name: "amount", Type: bots.ParamAmount, Required: true},
		{Name: "tier", Type: bots.ParamString},
	}},
	{Name: "pledge", Sub: "cancel", Params: []bots.Param{{Name: "code", Type: bots.ParamCode, Required: true}}},
	{Name: "odd", Params: []bots.Param{{Name: "x", Type: bots.ParamString}}},
	{Name: "odd", Sub: "submit", Params: []bots.Param{{Name: "y", Type: bots.ParamInt, Required: true}}},
	{Name: "many", Params: []bots.Param{{Name: "a", Type: bots.ParamString, Required: true, Repeat: 30}}},
}

// TestShapesOfOtherKinds runs the same round trip on command shapes the Router
// does not have yet, and registers them with the fake.
func TestShapesOfOtherKinds(t *testing.T) {
	a, rest, _ := newTestAdapter(t)
	cs := newCommandSet(shapes)
	a.cmds = cs
	cmds := a.Commands()
	if _, err := a.api.ApplicationCommandBulkOverwrite(testApp, "", cmds); err != nil || len(rest.Refused()) > 0 {
		t.Fatalf("refused: %v %v", err, rest.Refused())
	}
	if cs.byName["pledge"].defName != "submit" || cs.byName["odd"].defName != "default" {
		t.Fatalf("default names %q %q", cs.byName["pledge"].defName, cs.byName["odd"].defName)
	}
	byName := registered(t, rest, "")
	// required options first: question, options1; then options2.., multi, ...
	poll := byName["poll"].Options[0].Options
	if poll[0].Name != "question" || poll[1].Name != "options1" || poll[2].Name != "options2" || poll[2].Required || poll[1].Required != true {
		t.Errorf("poll new options %v %v %v", poll[0].Name, poll[1].Name, poll[2].Name)
	}
	if len(byName["many"].Options) != maxOptions {
		t.Errorf("30 repeats made %d options", len(byName["many"].Options))
	}
	for _, s := range shapes {
		if s.Name == "many" {
			continue
		}
		roundTrip(t, a, cs, byName, s)
	}
	// only some repeats filled in, and a flag left off: args close up, the flag is absent
	data := discordgo.ApplicationCommandInteractionData{Name: "poll", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
		Name: "new", Type: discordgo.ApplicationCommandOptionSubCommand, Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "question", Type: 3, Value: "Best day?"}, {Name: "options1", Type: 3, Value: "Mon"}, {Name: "options3", Type: 3, Value: "Wed"},
			{Name: "anonymous", Type: 5, Value: false}, {Name: "hidden", Type: 5, Value: true},
		}}}}
	inv, err := a.invoke(cs, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(argValues(inv.cmd), "|"); got != "new|Best day?|Mon|Wed" || inv.cmd.Opts["hidden"] != "true" || len(inv.cmd.Opts) != 1 {
		t.Errorf("got %q %v", got, inv.cmd.Opts)
	}
	if inv, err := a.invoke(cs, discordgo.ApplicationCommandInteractionData{Name: "nope"}); err != nil || inv.spec != nil || inv.cmd.Name != "nope" {
		t.Errorf("an unknown command should go to the Router as is: %+v %v", inv, err)
	}
	for _, bad := range []discordgo.ApplicationCommandInteractionData{
		{Name: "poll", Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "gone", Type: discordgo.ApplicationCommandOptionSubCommand}}},
		{Name: "poll"},
	} {
		if _, err := a.invoke(cs, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

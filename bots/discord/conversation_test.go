package discord_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

// state carries what earlier steps of a conversation learned (codes, ids, the
// message a button sits on) to later ones.
type state struct {
	v    map[string]string
	msgs map[string]map[string]any // message payloads, by name, for button presses
	e    *env
	// shown are the verbs of the buttons members saw, in answers and in posts
	shown map[string]bool
	// posted are the outbox rows already posted, by id
	posted map[int64]bool
}

func (s *state) get(k string) string {
	if v, ok := s.v[k]; ok {
		return v
	}
	panic("no value " + k)
}

// str, num, flag and file are the options a member fills in; "$x" stands for the
// value saved as x, and "{x}" inside a value for it too.
func str(name, v string) opt        { return opt{name: name, typ: 3, v: v} }
func num(name string, v string) opt { return opt{name: name, typ: 4, v: v} }
func flag(name string) opt          { return opt{name: name, typ: 5, v: "true"} }
func file(name string, a dcfake.Attachment) opt {
	return opt{name: name, typ: 11, v: a.ID, file: &a}
}

type opt struct {
	name string
	typ  int
	v    string
	file *dcfake.Attachment
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

func (s *state) expand(v string) string {
	if strings.HasPrefix(v, "$") {
		return s.get(v[1:])
	}
	return placeholder.ReplaceAllStringFunc(v, func(m string) string { return s.get(m[1 : len(m)-1]) })
}

// step is one thing a member does and what they must see.
type step struct {
	name string
	do   func(s *state) map[string]any
	// typ is the interaction response type the HTTP answer must have.
	typ int
	// key is the catalog key of the first message's first line ("" for none), in
	// lang ("en" when empty).
	key, lang string
	private   bool
	// keep saves the placeholders of the first message's key.
	keep map[string]string // placeholder -> name
	// check looks further.
	check func(t *testing.T, s *state, got shown, first msg)
	// before runs first: time passes, announcements are posted.
	before func(t *testing.T, s *state)
}

// command builds a slash command step's interaction.
func command(who dcfake.User, where dcfake.Where, name, sub string, opts ...opt) func(s *state) map[string]any {
	return func(s *state) map[string]any {
		var list []dcfake.Option
		var files []dcfake.Attachment
		for _, o := range opts {
			v := s.expand(o.v)
			var val any = v
			switch o.typ {
			case 4:
				var n int64
				fmt.Sscan(v, &n)
				val = n
			case 5:
				val = v == "true"
			case 11:
				files = append(files, *o.file)
			}
			list = append(list, dcfake.Option{Name: o.name, Type: o.typ, Value: val})
		}
		return s.e.dc.Command(who, where, name, sub, list, files...)
	}
}

// press builds a button press on a message saved earlier (as msg).
func press(who dcfake.User, where dcfake.Where, id, msg string) func(s *state) map[string]any {
	return func(s *state) map[string]any { return s.e.dc.Press(who, where, s.expand(id), s.msgs[msg]) }
}

// submit builds a modal submit.
func submit(who dcfake.User, where dcfake.Where, customID, text, msg string) func(s *state) map[string]any {
	return func(s *state) map[string]any {
		return s.e.dc.Submit(who, where, s.expand(customID), "answer", text, s.msgs[msg])
	}
}

// saveMsg keeps the first message shown, for pressing its buttons later.
func saveMsg(name string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		var comps []any
		for _, b := range first.buttons {
			comps = append(comps, map[string]any{"type": 1, "components": []any{map[string]any{"type": 2, "style": 1, "label": b.label, "custom_id": b.id}}})
		}
		s.msgs[name] = dcfake.Message("1280000000000000"+fmt.Sprint(len(s.msgs)+100), channel, first.text, comps)
	}
}

// saveButton keeps the id of a button of the first message.
func saveButton(prefix, as string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) { s.v[as] = first.button(t, prefix) }
}

// advance moves the clock by d and runs what is due, as the scheduler does.
func advance(d time.Duration) func(t *testing.T, s *state) {
	return func(t *testing.T, s *state) {
		s.e.h.Clock.Advance(d)
		if _, err := s.e.h.Service.AdvanceDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// announce posts the announcements waiting in the outbox for Discord channels
// through the adapter, as the outbox dispatcher does, and keeps the first one with
// key as msg, for pressing its buttons; the buttons count as shown.
func announce(key, as string) func(t *testing.T, s *state) {
	return func(t *testing.T, s *state) {
		ctx := context.Background()
		items, err := s.e.h.Store.Outbox(ctx, core.OutboxPending, 500)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i := len(items) - 1; i >= 0; i-- { // oldest first
			it := items[i]
			if s.posted[it.ID] || it.Platform != core.Discord || it.ChannelID == "" {
				continue
			}
			s.posted[it.ID] = true
			card, err := s.e.h.Router.Card(ctx, it.Announcement, it.Locale)
			if err != nil {
				t.Fatalf("card %s: %v", it.Announcement.Key, err)
			}
			mark := len(s.e.rest.Calls())
			id, err := s.e.ad.Post(ctx, bots.Destination{ChannelID: it.ChannelID}, card)
			if err != nil {
				t.Fatalf("post %s: %v", it.Announcement.Key, err)
			}
			if bad := s.e.rest.Refused(); len(bad) > 0 {
				t.Fatalf("Discord refused %v", bad)
			}
			post := s.e.rest.Calls()[mark]
			body := post.Map()
			m := toMsg("post", body, post.Files)
			for _, b := range m.buttons {
				if b.id != "" {
					s.shown[bots.ParseAction(b.id).Verb] = true
				}
			}
			if it.Announcement.Key == key && !found {
				found = true
				s.msgs[as] = dcfake.Message(id, it.ChannelID, fmt.Sprint(body["content"]), body["components"])
			}
		}
		if !found {
			t.Fatalf("no announcement %s waits in the outbox", key)
		}
	}
}

func all(fs ...func(t *testing.T, s *state, got shown, first msg)) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		for _, f := range fs {
			f(t, s, got, first)
		}
	}
}

// The conversation every kind adds its rows to: a command or a button press, and
// what the member must see. Steps run in order and share their state.
var house = []step{
	{name: "help", do: command(bob, here, "help", ""), typ: 4, key: "help.title",
		check: func(t *testing.T, s *state, got shown, first msg) {
			if _, ok := find(first.text, "en", "help.overview.ideas"); !ok || strings.Contains(first.text, "/idea status") {
				t.Errorf("a member's help: %q", first.text)
			}
		}},
	{name: "help admin", do: command(ada, here, "help", ""), typ: 4, key: "help.title",
		check: func(t *testing.T, s *state, got shown, first msg) {
			if _, ok := find(first.text, "en", "help.admin_note"); !ok {
				t.Errorf("an admin's help lacks the note: %q", first.text)
			}
		}},
	{name: "start", do: command(bob, dm, "start", ""), typ: 4, key: "start.welcome"},
	{name: "start payload", do: command(bob, dm, "start", "", str("payload", "hello")), typ: 4, key: "start.welcome"},
	{name: "lang fr", do: command(cara, here, "lang", "", str("language", "fr")), typ: 4, key: "lang.set", lang: "fr", private: true},
	{name: "lang button", do: press(cara, here, "lang:en", ""), typ: 4, key: "lang.set", private: true},
	{name: "earnings", do: command(bob, here, "earnings", ""), typ: 4, key: "earnings.none", private: true},
	{name: "earnings dm", do: command(bob, dm, "earnings", ""), typ: 4, key: "earnings.none", private: true},
	{name: "not admin", do: command(bob, here, "campaign", "new", str("kind", "ideas"), str("title", "Nope")), typ: 4, key: "error.admin_only", private: true},
	{name: "campaign new", do: command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", "Next flavour"),
		str("description", "Tell us what to make next"), str("closes", "7d"), str("tz", "Europe/Rome")),
		typ: 4, key: "campaign.created", keep: map[string]string{"code": "code"}},
	{name: "campaign new 2", do: command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", "Spare")),
		typ: 4, key: "campaign.created", keep: map[string]string{"code": "spare"}},
	{name: "set-up", do: command(ada, here, "campaign", "new"), typ: 4, key: "wizard.kind", private: true,
		check: all(saveMsg("wizard"), saveButton("wz:", "wzkind"))},
	{name: "set-up kind: the first question is a modal", do: press(ada, here, "$wzkind", "wizard"), typ: 9},
	{name: "set-up cancel", do: command(ada, here, "cancel", ""), typ: 4, key: "wizard.cancelled"},
	{name: "campaign list", do: command(bob, here, "campaign", "list"), typ: 4, key: "campaign.list_title"},
	{name: "campaign show", do: command(bob, here, "campaign", "show", str("code", "$code")), typ: 4, key: "campaign.show"},
	{name: "campaign link", do: command(ada, here, "campaign", "link", str("code", "$code")), typ: 4, key: "campaign.linked"},
	{name: "campaign invite", do: command(ada, here, "campaign", "invite", str("code", "$code")), typ: 4, key: "campaign.invite", private: true},
	{name: "campaign schedule", do: command(ada, here, "campaign", "schedule", str("code", "$code"), str("spec", "0 18 * * *")), typ: 4, key: "campaign.scheduled"},
	{name: "campaign cancel", do: command(ada, here, "campaign", "cancel", str("code", "$spare"), flag("confirm")), typ: 4, key: "campaign.cancelled"},
	{name: "unknown code", do: command(bob, here, "campaign", "show", str("code", "zzzz9")), typ: 4, key: "error.campaign_not_found", private: true},
	{name: "unknown button", do: press(bob, here, "zz:1", ""), typ: 4, key: "error.unknown_action", private: true},
}

var ideas = []step{
	{name: "ideas empty", do: command(bob, here, "ideas", "", str("code", "$code")), typ: 4, key: "ideas.empty",
		check: all(saveMsg("empty"), saveButton("ia:", "suggest"))},
	{name: "suggest opens a modal", do: press(bob, here, "$suggest", "empty"), typ: 9,
		check: func(t *testing.T, s *state, got shown, first msg) {
			d := got.answer.Data
			if d["custom_id"] != s.get("suggest") || !strings.Contains(fmt.Sprint(d["title"]), s.get("code")) {
				t.Errorf("modal %v", d)
			}
			in := d["components"].([]any)[0].(map[string]any)["components"].([]any)[0].(map[string]any)
			if in["style"] != float64(2) || in["max_length"] != float64(1000) || in["required"] != true {
				t.Errorf("text input %v", in)
			}
		}},
	{name: "modal submit", do: submit(bob, here, "$suggest", "Pistachio and lemon", "empty"), typ: 4, key: "idea.added",
		keep: map[string]string{"id": "first"}},
	{name: "idea submit", do: command(cara, here, "idea", "submit", str("code", "$code"), str("text", "Mango sorbet 🥭")), typ: 4, key: "idea.added",
		keep: map[string]string{"id": "second"}},
	{name: "idea twin", do: command(cara, here, "idea", "submit", str("code", "$code"), str("text", "pistachio AND lemon!!")), typ: 4, key: "idea.exists",
		check: all(saveMsg("twin"), saveButton("iv:", "vote"))},
	{name: "vote", do: press(cara, here, "$vote", "twin"), typ: 4, key: "idea.voted", private: true},
	{name: "unvote", do: press(cara, here, "$vote", "twin"), typ: 4, key: "idea.unvoted", private: true},
	{name: "own vote", do: press(bob, here, "$vote", "twin"), typ: 4, key: "error.idea_own_vote", private: true},
	{name: "mentions stay text", do: command(bob, here, "idea", "submit", str("code", "$code"), str("text", "@everyone *bold* idea_x <@700000000000000001>")),
		typ: 4, key: "idea.added",
		check: func(t *testing.T, s *state, got shown, first msg) {
			if am, _ := got.answer.Data["allowed_mentions"].(map[string]any); am == nil || len(am["parse"].([]any)) != 0 {
				t.Errorf("mentions allowed: %v", got.answer.Data["allowed_mentions"])
			}
		}},
	{name: "more ideas", do: command(ada, here, "idea", "submit", str("code", "$code"), str("text", "Salted caramel")), typ: 4, key: "idea.added"},
	{name: "even more", do: command(ada, here, "idea", "submit", str("code", "$code"), str("text", "Lemon basil")), typ: 4, key: "idea.added"},
	{name: "sixth", do: command(ada, here, "idea", "submit", str("code", "$code"), str("text", "Fig and honey")), typ: 4, key: "idea.added"},
	{name: "ideas list", do: command(bob, here, "ideas", "", str("code", "$code"), str("sort", "new")), typ: 4, key: "ideas.title",
		check: func(t *testing.T, s *state, got shown, first msg) {
			if !strings.Contains(first.text, "*bold*") || !strings.Contains(first.text, "@everyone") {
				t.Errorf("text changed on the way: %q", first.text)
			}
			if raw, _ := got.answer.Data["content"].(string); !strings.Contains(raw, `\*bold\*`) {
				t.Errorf("markdown not escaped: %q", raw)
			}
			saveMsg("board")(t, s, got, first)
			saveButton("il:", "next")(t, s, got, first)
		}},
	{name: "next page edits", do: press(bob, here, "$next", "board"), typ: 7, key: "ideas.title",
		check: func(t *testing.T, s *state, got shown, first msg) {
			if args, _ := find(first.text, "en", "ideas.title"); args["page"] != "2" {
				t.Errorf("page %v", args)
			}
		}},
	{name: "ideas tag", do: command(bob, here, "ideas", "", str("code", "$code"), str("tag", "summer")), typ: 4, key: "ideas.empty"},
	{name: "idea status", do: command(ada, here, "idea", "status", str("code", "$code"), num("id", "$first"), str("status", "planned")), typ: 4, key: "idea.status_set"},
	{name: "idea status member", do: command(bob, here, "idea", "status", str("code", "$code"), num("id", "$first"), str("status", "done")), typ: 4, key: "error.admin_only", private: true},
	{name: "idea tag", do: command(ada, here, "idea", "tag", str("code", "$code"), num("id", "$first"), str("tag", "summer")), typ: 4, key: "idea.tagged"},
	{name: "comment", do: command(cara, here, "comment", "submit", str("code", "$code"), num("id", "$first"), str("text", "I can draw the label @everyone")), typ: 4, key: "comment.added"},
	{name: "comments", do: command(bob, here, "comments", "", str("code", "$code"), num("id", "$first")), typ: 4, key: "comments.title",
		check: func(t *testing.T, s *state, got shown, first msg) {
			if !strings.Contains(first.text, "I can draw the label") {
				t.Errorf("comments read %q", first.text)
			}
		}},
	{name: "comment hide member", do: command(bob, here, "comment", "hide", str("code", "$code"), num("id", "$first"), num("comment", "1")), typ: 4, key: "error.admin_only", private: true},
	{name: "comment hide", do: command(ada, here, "comment", "hide", str("code", "$code"), num("id", "$first"), num("comment", "1")), typ: 4, key: "comment.hidden"},
	{name: "comment unhide", do: command(ada, here, "comment", "unhide", str("code", "$code"), num("id", "$first"), num("comment", "1")), typ: 4, key: "comment.unhidden"},
	{name: "idea hide", do: command(ada, here, "idea", "hide", str("code", "$code"), num("id", "$second")), typ: 4, key: "idea.hidden"},
	{name: "idea unhide", do: command(ada, here, "idea", "unhide", str("code", "$code"), num("id", "$second")), typ: 4, key: "idea.unhidden"},
	{name: "idea merge", do: command(ada, here, "idea", "merge", str("code", "$code"), num("id", "$second"), num("into", "$first")), typ: 4, key: "idea.merged"},
	{name: "bad text", do: command(bob, here, "idea", "submit", str("code", "$code"), str("text", "\x00\u202e ")), typ: 4, key: "error.empty", private: true},
	{name: "close asks first", do: command(ada, here, "campaign", "close", str("code", "$code")), typ: 4, key: "campaign.confirm_close",
		check: saveMsg("closeask")},
	{name: "close kept by its button", do: press(ada, here, "cx:{code}:keep", "closeask"), typ: 7, key: "campaign.kept"},
	{name: "close confirmed by its button", do: press(ada, here, "cx:{code}:close", "closeask"), typ: 7, key: "campaign.closed"},
	{name: "close again, confirmed", do: command(ada, here, "campaign", "close", str("code", "$code"), flag("confirm")), typ: 4, key: "error.campaign_closed", private: true},
	{name: "vote closed", do: press(cara, here, "$vote", "twin"), typ: 4, key: "error.campaign_closed", private: true},
	{name: "recognition show", do: command(ada, here, "recognition", "show"), typ: 4, key: "recognition.show_none"},
	{name: "recognition title", do: command(ada, here, "recognition", "title", str("title", "Champion")), typ: 4, key: "error.recognition_title_telegram", private: true},
	{name: "recognition role", do: command(ada, here, "recognition", "role", str("role", "<@&830000000000000001>")), typ: 4, key: "recognition.set_role"},
	{name: "recognition off", do: command(ada, here, "recognition", "off"), typ: 4, key: "recognition.set_none"},
	{name: "recognize", do: command(ada, here, "recognize", "", str("code", "$code"), num("top", "5")), typ: 4, key: "recognize.title",
		check: holds("Bob — 1 accepted idea")},
	{name: "recognize member", do: command(bob, here, "recognize", "", str("code", "$code")), typ: 4, key: "error.admin_only", private: true},
	{name: "profile", do: command(bob, here, "profile", ""), typ: 4, key: "profile.title", private: true, check: holds("First idea accepted")},
}

// conversation is every kind's steps, in order.
func conversation() []step {
	var out []step
	for _, part := range [][]step{house, ideas, polls, contests, fundraisers, spreading, tasks} {
		out = append(out, part...)
	}
	return out
}

// TestConversation runs the conversation through signed HTTP interactions and
// checks what Discord was answered: the response type, the text (in the member's
// language), privacy, and that every payload kept Discord's limits. At the end it
// fails when a command the Router has was never run, or a button shown was never
// pressed: each kind must add its rows.
func TestConversation(t *testing.T) {
	e := newEnv(t)
	s := &state{v: map[string]string{}, msgs: map[string]map[string]any{}, e: e, shown: map[string]bool{}, posted: map[int64]bool{}}
	ran, shownVerbs, pressed := map[string]bool{}, s.shown, map[string]bool{}
	for _, st := range conversation() {
		ok := t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before(t, s)
			}
			it := st.do(s)
			got := e.do(it)
			used(it, ran, pressed)
			if got.answer.Status != 200 || got.answer.Type != st.typ {
				t.Fatalf("answer %d type %d, want type %d: %s", got.answer.Status, got.answer.Type, st.typ, got.answer.Body)
			}
			msgs := got.messages()
			for _, m := range msgs {
				for _, b := range m.buttons {
					if b.id != "" {
						shownVerbs[bots.ParseAction(b.id).Verb] = true
					}
				}
			}
			var first msg
			if len(msgs) > 0 {
				first = msgs[0]
			}
			if st.key != "" {
				if len(msgs) == 0 {
					t.Fatalf("no message shown")
				}
				lang := st.lang
				if lang == "" {
					lang = "en"
				}
				args := firstKey(t, first.text, lang, st.key)
				for ph, name := range st.keep {
					s.v[name] = strings.TrimPrefix(args[ph], "#")
				}
				if first.private != st.private {
					t.Errorf("private = %v, want %v", first.private, st.private)
				}
			}
			if st.check != nil {
				st.check(t, s, got, first)
			}
		})
		if !ok {
			t.FailNow()
		}
	}
	for _, sp := range e.h.Router.Specs() {
		if !ran[sp.ID()] {
			t.Errorf("/%s is never run in the Discord conversation: add a row", strings.ReplaceAll(sp.ID(), ".", " "))
		}
	}
	for v := range shownVerbs {
		if !pressed[v] {
			t.Errorf("button %s: is shown but never pressed in the Discord conversation: add a row", v)
		}
	}
}

// used notes the command (as the Router's spec id) or the button an interaction
// used.
func used(it map[string]any, ran, pressed map[string]bool) {
	data, _ := it["data"].(map[string]any)
	switch it["type"] {
	case 2:
		id, _ := data["name"].(string)
		if opts, _ := data["options"].([]any); len(opts) > 0 {
			if o := opts[0].(map[string]any); o["type"] == 1 && o["name"] != "submit" {
				id += "." + o["name"].(string)
			}
		}
		ran[id] = true
	case 3, 5:
		id, _ := data["custom_id"].(string)
		pressed[bots.ParseAction(id).Verb] = true
	}
}

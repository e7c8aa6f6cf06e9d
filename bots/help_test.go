package bots_test

import (
	"strings"
	"testing"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestHelpOverviewAndTopics: /help is a short overview, one line per kind; /help
// <topic> (by its name in commands or in the member's language) lists that kind's
// commands, the admin ones only to admins; an unknown topic says which there are.
func TestHelpOverviewAndTopics(t *testing.T) {
	// the kinds' names in each language name the topics too
	local := map[string]map[string]string{
		"en": {"poll": "poll", "fundraiser": "fund", "tasks": "task", "campaign": "campaigns"},
		"fr": {"poll": "sondage", "ideas": "idées", "fundraiser": "collecte", "tasks": "Tâches", "campaign": "campagnes"},
		"it": {"poll": "sondaggio", "ideas": "idee", "fundraiser": "raccolta fondi", "contest": "concorso", "campaign": "campagne"},
	}
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		bob, admin := Bob.In(lang), Admin.In(lang)
		tr := func(key string) string { return h.Router.T(lang, bots.M(key)) }

		over := h.Expect(h.Say(bob, "/help"), "help.title")
		if len(over.Lines) != len(bots.HelpTopics) || strings.Count(over.Text, "\n") != len(bots.HelpTopics) {
			t.Fatalf("overview is not one line per topic: %q", over.Text)
		}
		for _, topic := range bots.HelpTopics {
			if !strings.Contains(over.Text, tr("help.overview."+topic)) || !strings.Contains(over.Text, "/help "+topic) {
				t.Errorf("overview lacks %s: %q", topic, over.Text)
			}
		}
		if strings.Contains(over.Text, "/poll new") || strings.Contains(over.Text, tr("help.admin_note")) {
			t.Errorf("a member's overview shows admin things: %q", over.Text)
		}
		if a := h.Expect(h.Say(admin, "/help"), "help.title"); !strings.Contains(a.Text, tr("help.admin_note")) || len(a.Lines) != len(bots.HelpTopics)+1 {
			t.Errorf("an admin's overview: %q", a.Text)
		}

		poll := h.Expect(h.Say(bob, "/help poll"), "help.topic.poll")
		if !strings.Contains(poll.Text, tr("help.poll")) || strings.Contains(poll.Text, tr("help.poll.new")) || strings.Contains(poll.Text, "/idea") {
			t.Errorf("a member's /help poll: %q", poll.Text)
		}
		if a := h.Expect(h.Say(admin, "/help poll"), "help.topic.poll"); !strings.Contains(a.Text, tr("help.poll.new")) || !strings.Contains(a.Text, tr("help.poll.close")) {
			t.Errorf("an admin's /help poll: %q", a.Text)
		}
		for _, topic := range bots.HelpTopics {
			rep := h.Expect(h.Say(admin, "/help "+topic), "help.topic."+topic)
			if len(rep.Lines) < 2 {
				t.Errorf("/help %s lists %d commands", topic, len(rep.Lines))
			}
		}
		for topic, word := range local[lang] {
			h.Expect(h.Say(bob, "/help "+word), "help.topic."+topic)
		}
		bad := h.Expect(h.Say(bob, "/help weather"), "error.help_topic")
		if !strings.Contains(bad.Text, "weather") || !strings.Contains(bad.Text, "fundraiser") {
			t.Errorf("unknown topic: %q", bad.Text)
		}
	})
}

// TestPlainTextHint: text that is no command and answers no question gets a one-line
// hint in a private chat, and nothing in a group.
func TestPlainTextHint(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		say := func(w Who, private bool, text string) []bots.Reply {
			in := h.Input(w)
			in.Text, in.Private = text, private
			return h.Do(in)
		}
		dm := Bob.In(lang).On(core.Telegram, "1002", "1002")
		hint := h.Expect(say(dm, true, "hello, what can you do?"), "help.hint")
		if strings.Contains(hint.Text, "\n") || !strings.Contains(hint.Text, "/help") {
			t.Errorf("hint: %q", hint.Text)
		}
		// a newcomer who never did anything gets it too
		h.Expect(say(Carol.In(lang).On(core.Telegram, "1003", "1003"), true, "hi"), "help.hint")
		if rs := say(Bob.In(lang), false, "hello everyone"); len(rs) != 0 {
			t.Errorf("a group's chat got %v", Keys(rs))
		}
		// a question asked is answered, not hinted at
		code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
		in := h.Input(dm)
		in.Action, in.Private = "ia:"+code, true
		h.Expect(h.Do(in), "idea.prompt")
		h.Expect(say(dm, true, "A rooftop concert"), "idea.added")
		h.Expect(say(dm, true, "thanks!"), "help.hint")
	})
}

// TestMissingOptionNamed: a command missing what it needs names it, with the usage.
func TestMissingOptionNamed(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin := Admin.In(lang)
		rep := h.Expect(h.Say(admin, `/contest new "Logo" brief="A logo" entries_close=7d voting_close=10d`), "error.usage")
		if rep.Args["missing"] != "prize=" || !strings.Contains(rep.Text, "prize=") || !strings.Contains(rep.Text, "/contest new") {
			t.Errorf("missing prize: %v %q", rep.Args, rep.Text)
		}
		rep = h.Expect(h.Say(admin, `/contest new "Logo" brief="A logo"`), "error.usage")
		if rep.Args["missing"] != "prize= entries_close= voting_close=" {
			t.Errorf("missing three: %v", rep.Args)
		}
		rep = h.Expect(h.Say(Bob.In(lang), "/campaign show"), "error.usage")
		if !strings.Contains(rep.Text, "<code>") || rep.Args["missing"] != "<code>" {
			t.Errorf("missing code: %q", rep.Text)
		}
		// the words around it are the member's language
		if want := h.Router.T(lang, bots.M("error.usage", "usage", "campaign.show", "missing", "<code>")); rep.Text != want || strings.HasPrefix(want, "<") {
			t.Errorf("got %q, want %q", rep.Text, want)
		}
	})
}

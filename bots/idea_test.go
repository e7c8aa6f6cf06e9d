package bots_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestIdeasConversation runs a whole ideas campaign through the neutral layer, in
// each language: create, submit, de-duplicate, list, vote twice, merge, status, tag,
// moderation, bad input, a repeated update, and the close.
func TestIdeasConversation(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin, bob, carol := Admin.In(lang), Bob.In(lang), Carol.In(lang)

		h.Expect(h.Say(bob, `/campaign new ideas "Next flavour"`), "error.admin_only")
		created := h.Expect(h.Say(admin, `/campaign new ideas "Next flavour" Tell us what to make next closes=7d`), "campaign.created")
		code := Code(t, created)
		if lang != "en" && strings.Contains(created.Text, "New ideas campaign") {
			t.Errorf("reply not translated: %q", created.Text)
		}

		added := h.Expect(h.Say(bob, "/idea "+code+" Pistachio and lemon"), "idea.added")
		first := added.Args["id"].(int64)
		twin := h.Expect(h.Say(carol, "/idea "+code+`   "pistachio AND   lemon!!"`), "idea.exists")
		if twin.Args["id"] != first || Action(t, twin, "iv:") != fmt.Sprintf("iv:%d:%d", first, first) {
			t.Fatalf("the same text made %v, want a pointer to #%d", twin.Args, first)
		}
		mango := h.Expect(h.Say(carol, "/idea "+code+" Mango sorbet 🥭"), "idea.added")
		// numbers count within the campaign, with no gap from the refused twin;
		// buttons name the idea by its id
		second, secondID := mango.Args["id"].(int64), mango.Args["idea_id"].(int64)
		if second != 2 {
			t.Fatalf("the second idea is #%d, want #2", second)
		}

		list := h.Expect(h.Say(bob, "/ideas "+code), "ideas.title")
		if len(list.Lines) != 2 || len(list.Buttons) != 2 || len(list.Buttons[0]) != 2 {
			t.Fatalf("list: %d lines, buttons %+v", len(list.Lines), list.Buttons)
		}

		vote := fmt.Sprintf("iv:%d", first)
		if r := h.Expect(h.Press(carol, vote), "idea.voted"); r.Args["count"] != 1 || !r.Toast {
			t.Fatalf("first vote: %+v", r)
		}
		if r := h.Expect(h.Press(carol, vote), "idea.unvoted"); r.Args["count"] != 0 {
			t.Fatalf("second press should withdraw: %+v", r)
		}
		h.Expect(h.Press(carol, vote), "idea.voted")
		h.Expect(h.Press(bob, vote), "error.idea_own_vote")
		h.Expect(h.Press(admin, fmt.Sprintf("iv:%d", secondID)), "idea.voted")
		h.Expect(h.Press(bob, fmt.Sprintf("iv:%d:%d", secondID, second)), "idea.voted")

		// merging #second into #first: Admin's vote moves, Bob's (first's author) is
		// dropped, Carol counts once
		h.Expect(h.Say(bob, fmt.Sprintf("/idea merge %s %d %d", code, second, first)), "error.admin_only")
		merged := h.Expect(h.Say(admin, fmt.Sprintf("/idea merge %s %d %d", code, second, first)), "idea.merged")
		if merged.Args["count"] != 2 {
			t.Fatalf("after merge #%d has %v votes, want 2", first, merged.Args["count"])
		}
		h.Expect(h.Say(admin, fmt.Sprintf("/idea merge %s %d %d", code, second, first)), "error.idea_already_merged")
		if l := h.Expect(h.Say(bob, "/ideas "+code+" new"), "ideas.title"); len(l.Lines) != 1 {
			t.Fatalf("merged idea still listed: %q", l.Text)
		}

		h.Expect(h.Say(admin, fmt.Sprintf("/idea status %s %d planned", code, first)), "idea.status_set")
		h.Expect(h.Say(admin, fmt.Sprintf("/idea status %s %d shipped", code, first)), "error.bad_idea_status")
		h.Expect(h.Say(admin, "/idea status "+code+" 99999 done"), "error.idea_not_found")
		// a number alone could be any campaign's: refused, naming what is missing
		if r := h.Expect(h.Say(admin, fmt.Sprintf("/idea status %d done", first)), "error.usage"); !strings.Contains(r.Text, "<code>") && lang == "en" {
			t.Fatalf("the usage names no code: %q", r.Text)
		}
		if r := h.Expect(h.Say(admin, fmt.Sprintf("/idea status %d %d done", first, first)), "error.ref_needs_code"); !strings.Contains(r.Text, "/idea status") {
			t.Fatalf("the refusal shows no usage: %q", r.Text)
		}
		h.Expect(h.Say(admin, fmt.Sprintf("/idea status %s x done", code)), "error.bad_idea_id")
		// a code in any letter case
		h.Expect(h.Say(admin, fmt.Sprintf("/idea status %s #%d planned", strings.ToUpper(code), first)), "idea.status_set")
		h.Expect(h.Say(bob, "/ideas "+strings.ToLower(code)), "ideas.title")
		notices := outboxKeys(t, h)
		if notices["notice.idea_status"] != 2 || notices["notice.idea_merged"] != 1 {
			t.Fatalf("outbox notices %v", notices)
		}

		h.Expect(h.Say(admin, fmt.Sprintf("/idea tag %s %d Summer", code, first)), "idea.tagged")
		h.Expect(h.Say(admin, fmt.Sprintf("/idea tag %s %d no spaces!", code, first)), "error.bad_tag")
		h.Expect(h.Say(carol, "/idea "+code+" Salted caramel"), "idea.added")
		if l := h.Expect(h.Say(bob, "/ideas "+code+" tag=summer"), "ideas.title"); len(l.Lines) != 1 {
			t.Fatalf("tag filter: %q", l.Text)
		}
		h.Expect(h.Say(admin, fmt.Sprintf("/idea hide %s %d", code, first)), "idea.hidden")
		h.Expect(h.Press(carol, vote), "error.idea_not_found")
		h.Expect(h.Say(admin, fmt.Sprintf("/idea unhide %s %d", code, first)), "idea.unhidden")

		// bad input: nothing is stored, and the member is told why
		h.Expect(h.Say(bob, "/idea "+code), "error.usage")
		h.Expect(h.Say(bob, "/idea "+code+" \x00\x01\u202e  "), "error.empty")
		h.Expect(h.Say(bob, "/idea "+code+" "+strings.Repeat("é", 1001)), "error.too_long")
		h.Expect(h.Say(bob, "/idea zzzz9 hello"), "error.campaign_not_found")
		h.Expect(h.Say(bob, "/idea "+code+" fine idea color=red"), "error.unknown_option")
		h.Expect(h.Say(bob, "/frobnicate"), "error.unknown_command")
		h.Expect(h.Press(bob, "zz:1"), "error.unknown_action")

		// the same update delivered twice makes one idea and one silent repeat
		in := h.Input(bob)
		in.Text = "/idea " + code + " Dark chocolate"
		h.Expect(h.Do(in), "idea.added")
		if again := h.Do(in); len(again) != 0 {
			t.Fatalf("repeated update answered %v", Keys(again))
		}
		if l := h.Expect(h.Say(bob, "/ideas "+code+" new"), "ideas.title"); !strings.Contains(l.Text, "Dark chocolate") || strings.Count(l.Text, "Dark chocolate") != 1 {
			t.Fatalf("repeat changed the board: %q", l.Text)
		}

		h.Expect(h.Say(admin, "/campaign close "+code+" confirm"), "campaign.closed")
		h.Expect(h.Press(carol, fmt.Sprintf("iv:%d", first)), "error.campaign_closed")
		h.Expect(h.Say(carol, "/idea "+code+" Too late"), "error.campaign_closed")
	})
}

func outboxKeys(t *testing.T, h *Harness) map[string]int {
	t.Helper()
	items, err := h.Store.Outbox(context.Background(), "", 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, it := range items {
		out[it.Announcement.Key]++
	}
	return out
}

// TestIdeaByPrompt suggests an idea through the button and the free-text answer, the
// way Telegram replies and Discord modals do.
func TestIdeaByPrompt(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	empty := h.Expect(h.Say(Bob, "/ideas "+code), "ideas.empty")
	ask := h.Expect(h.Press(Bob, Action(t, empty, "ia:")), "idea.prompt")
	if ask.Prompt == nil || ask.Prompt.Action != "ia:"+code || !ask.Prompt.Long {
		t.Fatalf("prompt = %+v", ask.Prompt)
	}
	// chat from someone else is not an answer
	if rs := h.Say(Carol, "lol"); len(rs) != 0 {
		t.Fatalf("plain chat answered: %v", Keys(rs))
	}
	h.Expect(h.Say(Bob, "A rooftop concert"), "idea.added")
	// the question was answered once; more chat is ignored
	if rs := h.Say(Bob, "thanks"); len(rs) != 0 {
		t.Fatalf("second text answered: %v", Keys(rs))
	}
	// a modal submit carries the action and the text together
	h.Expect(h.Answer(Carol, "ia:"+code, "Free ice cream"), "idea.added")

	// a question asked in the group may be answered in the member's private chat
	// with the bot (channel subscribers cannot write in the channel), not in another group
	h.Expect(h.Press(Carol, "ia:"+code), "idea.prompt")
	if rs := h.Say(Carol.On(core.Telegram, "-2002", "-2002"), "In another group"); len(rs) != 0 {
		t.Fatalf("chat in another group answered the question: %v", Keys(rs))
	}
	private := h.Input(Carol.On(core.Telegram, Carol.ID, Carol.ID))
	private.Private, private.Text = true, "Answered in private"
	h.Expect(h.Do(private), "idea.added")

	// a refused answer keeps the question open for the next try
	h.Expect(h.Press(Bob, "ia:"+code), "idea.prompt")
	h.Expect(h.Say(Bob, strings.Repeat("x", core.MaxIdeaText+1)), "error.too_long")
	h.Expect(h.Say(Bob, "A shorter idea"), "idea.added")
	if rs := h.Say(Bob, "and chat"); len(rs) != 0 {
		t.Fatalf("the answered question is still open: %v", Keys(rs))
	}
}

func TestIdeasPaginate(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	for i := range 12 {
		h.Expect(h.Say(Bob, fmt.Sprintf("/idea %s idea number %d", code, i)), "idea.added")
	}
	p1 := h.Expect(h.Say(Carol, "/ideas "+code+" new"), "ideas.title")
	if len(p1.Lines) != 5 || p1.Args["pages"] != 3 {
		t.Fatalf("page 1: %d lines, %v", len(p1.Lines), p1.Args)
	}
	p2 := h.Expect(h.Press(Carol, Action(t, p1, "il:")), "ideas.title")
	if p2.Args["page"] != 2 || !p2.Edit {
		t.Fatalf("page 2: %+v", p2.Args)
	}
	p3 := h.Expect(h.Press(Carol, p2.Buttons[1][1].Action), "ideas.title")
	if p3.Args["page"] != 3 || len(p3.Lines) != 2 {
		t.Fatalf("page 3: %v, %d lines", p3.Args, len(p3.Lines))
	}
}

func TestHelpAndLang(t *testing.T) {
	h := New(t)
	member := h.Expect(h.Say(Bob, "/help campaign"), "help.topic.campaign")
	admin := h.Expect(h.Say(Admin, "/help campaign"), "help.topic.campaign")
	if strings.Contains(member.Text, "/campaign new") || !strings.Contains(admin.Text, "/campaign new") {
		t.Fatalf("admin commands shown to the wrong people:\nmember: %s\nadmin: %s", member.Text, admin.Text)
	}
	if member = h.Expect(h.Say(Bob, "/help ideas"), "help.topic.ideas"); strings.Contains(member.Text, "/idea status") || !strings.Contains(member.Text, "/idea <code>") {
		t.Fatalf("member help: %s", member.Text)
	}
	h.Expect(h.Say(Bob, "/lang de"), "error.bad_locale")
	fr := h.Expect(h.Say(Bob, "/lang fr"), "lang.set")
	if !strings.Contains(fr.Text, "français") {
		t.Fatalf("lang reply not in French: %q", fr.Text)
	}
	// Bob's platform says English, his choice says French
	if again := h.Expect(h.Say(Bob, "/help"), "help.title"); !strings.Contains(again.Text, "Ce que vous pouvez faire") {
		t.Fatalf("help after /lang fr: %q", again.Text)
	}
	h.Expect(h.Press(Bob, "lang:auto"), "lang.set")
	if back := h.Expect(h.Say(Bob, "/help"), "help.title"); !strings.Contains(back.Text, "What you can do") {
		t.Fatalf("help after auto: %q", back.Text)
	}
	// an Italian platform locale is honoured without /lang
	it := h.Expect(h.Say(Carol.In("it-IT"), "/help"), "help.title")
	if !strings.Contains(it.Text, "Cosa puoi fare") {
		t.Fatalf("Italian help: %q", it.Text)
	}
}

func TestOwnersAreAdmins(t *testing.T) {
	h := New(t, func(o *bots.Options) { o.Owners = []string{"telegram:1002"} })
	h.Expect(h.Say(Bob, `/campaign new ideas "Owner's board"`), "campaign.created")
	h.Expect(h.Say(Carol, `/campaign new ideas "Not mine"`), "error.admin_only")
}

func TestSubmissionRateLimit(t *testing.T) {
	h := New(t, func(o *bots.Options) { o.SubmissionsPerMinute = 2 })
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	h.Expect(h.Say(Bob, "/idea "+code+" one"), "idea.added")
	h.Expect(h.Say(Bob, "/idea "+code+" two"), "idea.added")
	h.Expect(h.Say(Bob, "/idea "+code+" three"), "error.slow_down")
	// the refused idea was not stored; after a minute it goes through
	h.Clock.Advance(time.Minute)
	h.Expect(h.Say(Bob, "/idea "+code+" three"), "idea.added")
	// others are not slowed by Bob
	h.Expect(h.Say(Carol, "/idea "+code+" four"), "idea.added")

	// a pledge, whose member is looked up only later, spends from the same budget
	fund := newFund(t, h, `"Album" goal="1000 EUR" closes=30d`)
	h.Clock.Advance(time.Minute)
	h.Expect(h.Say(Dave, "/pledge "+fund+" 5"), "pledge.new")
	h.Expect(h.Say(Dave, "/idea "+code+" five"), "idea.added")
	h.Expect(h.Say(Dave, "/pledge "+fund+" 6"), "error.slow_down")
	h.Expect(h.Say(Dave, "/idea "+code+" six"), "error.slow_down")
}

func TestCampaignCommands(t *testing.T) {
	h := New(t)
	h.Expect(h.Say(Admin, `/campaign new poll "Q"`), "error.campaign_new_kind")
	h.Expect(h.Say(Admin, `/campaign new sprockets "Q"`), "error.bad_kind")
	h.Expect(h.Say(Admin, `/campaign new ideas "Q" closes=-3h`), "error.bad_deadline")
	h.Expect(h.Say(Admin, `/campaign new ideas "Q" closes=2020-01-01`), "error.deadline_past")
	h.Expect(h.Say(Admin, `/campaign new ideas "Q" tz=Mars/Olympus`), "error.bad_timezone")
	h.Expect(h.Say(Admin, `/campaign new ideas ""`), "error.empty")
	h.Expect(h.Say(Admin, `/campaign new ideas "`+strings.Repeat("x", 201)+`"`), "error.too_long")
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board" closes=1h tz=Europe/Rome`), "campaign.created"))

	list := h.Expect(h.Say(Bob, "/campaign list"), "campaign.list_title")
	if !strings.Contains(list.Text, code) {
		t.Fatalf("list: %q", list.Text)
	}
	show := h.Expect(h.Say(Bob, "/campaign show "+code), "campaign.show")
	if !strings.Contains(show.Text, "CET") {
		t.Fatalf("deadline should show in the campaign's zone: %q", show.Text)
	}
	h.Expect(h.Say(Admin, "/campaign schedule "+code+" every day"), "error.bad_schedule")
	sched := h.Expect(h.Say(Admin, `/campaign schedule `+code+` "0 9 * * 1"`), "campaign.scheduled")
	if !strings.Contains(sched.Text, "2026-03-09 09:00 CET") {
		t.Fatalf("next run should be Monday 09:00 in Rome: %q", sched.Text)
	}
	h.Expect(h.Say(Bob, "/campaign link "+code), "error.admin_only")
	other := Admin.On(core.Discord, "41771983423143937", "80351110224678912")
	h.Expect(h.Say(other, "/campaign link "+code), "error.link_needs_key")
	h.LinkTo(t, Admin, code, other)

	// the deadline closes it, even when the check runs late
	h.Clock.Advance(5 * time.Hour)
	if n, err := h.Service.AdvanceDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("advance: %d, %v", n, err)
	}
	if n, _ := h.Service.AdvanceDue(context.Background()); n != 0 {
		t.Fatalf("a closed campaign moved again")
	}
	h.Expect(h.Say(Bob, "/idea "+code+" late"), "error.campaign_closed")
	if got := outboxKeys(t, h)["announce.closed"]; got != 2 {
		t.Fatalf("close announced %d times, want once in each of the 2 linked channels", got)
	}
	h.Expect(h.Say(Admin, "/campaign close "+code), "error.campaign_closed")
	h.Expect(h.Say(Admin, "/campaign cancel "+code), "error.campaign_closed")
}

// TestCardArgsAfterJSON renders an announcement whose arguments went through the
// outbox's JSON: numbers come back as float64 and money as a map, and must still
// read as numbers, plurals and money in the destination's language.
func TestCardArgsAfterJSON(t *testing.T) {
	h := New(t)
	a := core.Announcement{Key: "idea.voted", Args: map[string]any{"id": float64(1000000), "count": float64(2)}}
	rep, err := h.Router.Card(context.Background(), a, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Text != "Vote compté pour le n° 1000000 : 2 votes." {
		t.Fatalf("text = %q", rep.Text)
	}
	a = core.Announcement{Key: "earnings.item", Args: map[string]any{"code": "k7Fq2", "title": "T", "count": float64(1),
		"amount": map[string]any{"Amount": float64(1250), "Currency": "EUR"}}}
	if rep, _ = h.Router.Card(context.Background(), a, "it"); !strings.Contains(rep.Text, "12,50\u00a0€") || !strings.Contains(rep.Text, "1 accredito") {
		t.Fatalf("money after JSON: %q", rep.Text)
	}
}

// TestStrangersVote: a vote button pressed by people the bot has never seen makes
// each of them a member with the vote, answered in their platform's language, and a
// member who chose another language with /lang is answered in theirs.
func TestStrangersVote(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Next flavour"`), "campaign.created"))
	vote := fmt.Sprintf("iv:%d", h.Expect(h.Say(Bob, "/idea "+code+" Pistachio"), "idea.added").Args["id"].(int64))
	for i, lang := range core.Locales {
		stranger := Who{Platform: core.Discord, ID: fmt.Sprint(7000 + i), Name: "Stranger " + lang, Locale: lang, Space: "g1", Channel: "c1"}
		r := h.Expect(h.Press(stranger, vote), "idea.voted")
		if r.Args["count"] != i+1 || r.Text != h.Router.Catalog().T(lang, "idea.voted", r.Args) {
			t.Errorf("%s: %+v", lang, r)
		}
		m, err := h.Store.FindMember(context.Background(), core.MemberRef{Platform: core.Discord, ExternalID: stranger.ID})
		if err != nil || m == nil || m.Name != stranger.Name {
			t.Fatalf("%s: stranger's member row %+v, %v", lang, m, err)
		}
	}
	// Dave's platform speaks English; he chose Italian
	h.Expect(h.Say(Dave, "/lang it"), "lang.set")
	if r := h.Expect(h.Press(Dave, vote), "idea.voted"); r.Text != h.Router.Catalog().T("it", "idea.voted", r.Args) {
		t.Errorf("vote by a member who chose Italian answered %q", r.Text)
	}
}

package bots_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// wzButton returns the action of the reply's set-up button for op (and value).
func wzButton(t *testing.T, rep bots.Reply, op string, value ...string) string {
	t.Helper()
	for _, row := range rep.Buttons {
		for _, b := range row {
			a := bots.ParseAction(b.Action)
			if a.Verb == "wz" && a.Field(2) == op && (len(value) == 0 || a.Field(3) == value[0]) {
				return b.Action
			}
		}
	}
	t.Fatalf("reply %s has no %s %v button: %+v", rep.Key, op, value, rep.Buttons)
	return ""
}

// inPlace leaves the Router without a Telegram bot to link to, so that a set-up
// started in a group asks its questions there, as on every front without private
// chats to move to (TestWizardPrivateChat follows one that moves).
func inPlace(o *bots.Options) { o.TelegramBot = "" }

// wzStep is one answer of a scripted set-up: the question it answers, and typed
// text, or a choice button, or a skip.
type wzStep struct {
	ask    string // the question expected, as wizard.ask.<ask>
	text   string
	choice string
	skip   bool
}

// wzScripts answer each kind's questions, in the order they must come.
var wzScripts = map[core.Kind][]wzStep{
	core.KindIdeas: {
		{ask: "title", text: "Better buses"},
		{ask: "description", skip: true},
		{ask: "closes", text: "48h"},
	},
	core.KindPoll: {
		{ask: "question", text: "Best day?"},
		{ask: "options", text: "Mon\nTue | Wed"},
		{ask: "closes", skip: true},
		{ask: "hidden", choice: "yes"},
	},
	core.KindContest: {
		{ask: "title", text: "Logo"},
		{ask: "brief", text: "A round logo"},
		{ask: "prize", text: "200 EUR"},
		{ask: "entries_close", text: "7d"},
		{ask: "voting_close", text: "14d"},
	},
	core.KindFundraiser: {
		{ask: "title", text: "Roof"},
		{ask: "description", skip: true},
		{ask: "goal", text: "5000 EUR"},
		{ask: "closes", text: "30d"},
		{ask: "mode", choice: "keep_it_all"},
	},
	core.KindTasks: {
		{ask: "title", text: "Captions"},
		{ask: "instructions", text: "Describe the photo"},
		{ask: "answer", text: "text"},
		{ask: "per_item", text: "2"},
		{ask: "reward", text: "0.10 EUR"},
		{ask: "closes", skip: true},
	},
}

// wzCreated is the key each kind's creation answers with, as its command does.
var wzCreated = map[core.Kind]string{
	core.KindIdeas: "campaign.created", core.KindPoll: "poll.created", core.KindContest: "contest.new",
	core.KindFundraiser: "fund.new", core.KindTasks: "campaign.created",
}

// wzBegin starts a set-up as who and chooses kind; it returns the first question.
func wzBegin(t *testing.T, h *Harness, who Who, kind core.Kind) bots.Reply {
	t.Helper()
	rep := h.Expect(h.Say(who, "/campaign new"), "wizard.kind")
	if len(rep.Lines) != len(core.Kinds) {
		t.Fatalf("the kind question has %d lines, want one per kind: %q", len(rep.Lines), rep.Text)
	}
	return h.Expect(h.Press(who, wzButton(t, rep, "k", string(kind))), "wizard.ask."+wzScripts[kind][0].ask)
}

// wzAnswer gives one scripted answer to the question q and returns the replies.
func wzAnswer(t *testing.T, h *Harness, who Who, q bots.Reply, s wzStep) []bots.Reply {
	t.Helper()
	switch {
	case s.skip:
		return h.Press(who, wzButton(t, q, "s"))
	case s.choice != "":
		return h.Press(who, wzButton(t, q, "c", s.choice))
	}
	if q.Prompt == nil || q.Prompt.Text == "" {
		t.Fatalf("question %s asks for no text", q.Key)
	}
	return h.Say(who, s.text) // plain text, read as the answer to the pending question
}

// wzPreview runs a kind's script up to the preview and returns it.
func wzPreview(t *testing.T, h *Harness, who Who, kind core.Kind) bots.Reply {
	t.Helper()
	q := wzBegin(t, h, who, kind)
	script := wzScripts[kind]
	for i, s := range script {
		if q.Key != "wizard.ask."+s.ask {
			t.Fatalf("%s: question %d is %s, want %s", kind, i+1, q.Key, s.ask)
		}
		next := "wizard.preview"
		if i+1 < len(script) {
			next = "wizard.ask." + script[i+1].ask
		}
		q = h.Expect(wzAnswer(t, h, who, q, s), next)
	}
	return q
}

func campaigns(t *testing.T, h *Harness) []core.Campaign {
	t.Helper()
	list, err := h.Service.Campaigns(context.Background(), core.CampaignFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestWizardEveryKind sets up one campaign of each kind in each language: the kind
// comes first, then that kind's questions alone, in order; the preview shows the
// campaign as it will be; "create" makes it with the kind's own use case and answer,
// and a second press makes nothing more.
func TestWizardEveryKind(t *testing.T) {
	for _, lang := range core.Locales {
		t.Run(lang, func(t *testing.T) {
			h := New(t, inPlace)
			admin := Admin.In(lang)
			for n, kind := range core.Kinds {
				preview := wzPreview(t, h, admin, kind)
				create := wzButton(t, preview, "ok")
				rep := h.Expect(h.Press(admin, create), wzCreated[kind])
				code := Code(t, rep)
				h.Expect(h.Press(admin, create), "wizard.gone")
				if got := len(campaigns(t, h)); got != n+1 {
					t.Fatalf("%d campaigns after %d set-ups", got, n+1)
				}
				c, err := h.Service.Campaign(context.Background(), code)
				if err != nil {
					t.Fatal(err)
				}
				if c.Kind != kind {
					t.Fatalf("created a %s, want a %s", c.Kind, kind)
				}
				checkWizardMade(t, h, kind, c, preview)
			}
		})
	}
}

// checkWizardMade checks the campaign a script made against its answers and the
// preview shown before it.
func checkWizardMade(t *testing.T, h *Harness, kind core.Kind, c *core.Campaign, preview bots.Reply) {
	t.Helper()
	ctx := context.Background()
	title := wzScripts[kind][0].text
	if c.Title != title || !strings.Contains(preview.Text, title) {
		t.Fatalf("title %q, preview %q, want %q", c.Title, preview.Text, title)
	}
	switch kind {
	case core.KindIdeas:
		if c.ClosesAt == nil || !c.ClosesAt.Equal(Start.Add(48*time.Hour)) || c.Description != "" {
			t.Fatalf("ideas: closes %v, description %q", c.ClosesAt, c.Description)
		}
	case core.KindPoll:
		_, p, err := h.Service.Poll(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		var opts []string
		for _, o := range p.Options {
			opts = append(opts, o.Label)
		}
		if !slices.Equal(opts, []string{"Mon", "Tue", "Wed"}) || !p.Hidden || c.ClosesAt != nil {
			t.Fatalf("poll: options %q, hidden %v, closes %v", opts, p.Hidden, c.ClosesAt)
		}
		if !strings.Contains(preview.Text, "Tue") {
			t.Fatalf("the preview does not show the options: %q", preview.Text)
		}
	case core.KindContest:
		_, k, err := h.Service.Contest(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		if k.Prize != (core.Money{Amount: 20000, Currency: "EUR"}) || !k.EntriesCloseAt.Equal(Start.Add(7*24*time.Hour)) ||
			!c.ClosesAt.Equal(Start.Add(14*24*time.Hour)) || c.Description != "A round logo" {
			t.Fatalf("contest: %+v %+v", k, c)
		}
	case core.KindFundraiser:
		st, err := h.Service.FundStatus(ctx, core.Actor{}, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		f := st.Fundraiser
		if f.Goal != (core.Money{Amount: 500000, Currency: "EUR"}) || f.Mode != core.FundKeepItAll || !c.ClosesAt.Equal(Start.Add(30*24*time.Hour)) {
			t.Fatalf("fundraiser: %+v closes %v", f, c.ClosesAt)
		}
	case core.KindTasks:
		want := "Describe the photo"
		if !strings.Contains(preview.Text, want) || !strings.Contains(preview.Text, "2") {
			t.Fatalf("tasks preview %q", preview.Text)
		}
	}
}

// TestWizardBadAnswerAskedAgain: an answer core refuses gets core's reason and the
// same question again, keeps nothing, and the next answer is read for that question.
func TestWizardBadAnswerAskedAgain(t *testing.T) {
	h := New(t, inPlace)
	refused := func(q bots.Reply, text, reason string) bots.Reply {
		t.Helper()
		rs := h.Say(Admin, text)
		if got := Keys(rs); !slices.Equal(got, []string{reason, q.Key}) {
			t.Fatalf("answer %q: replies %v, want %s and %s again", text, got, reason, q.Key)
		}
		CheckRendered(t, rs)
		return rs[1]
	}
	// a poll with one option, then with two
	q := wzBegin(t, h, Admin, core.KindPoll)
	q = h.Expect(h.Say(Admin, "Best day?"), "wizard.ask.options")
	q = refused(q, "Mon", "error.poll_options_count")
	q = refused(q, "Mon | mon", "error.poll_duplicate_option")
	q = h.Expect(h.Say(Admin, "Mon | Tue"), "wizard.ask.closes")
	q = refused(q, "someday", "error.bad_deadline")
	h.Expect(h.Say(Admin, "3d"), "wizard.ask.hidden")

	// a fundraiser: a goal without an amount, a deadline past the longest allowed
	q = wzBegin(t, h, Admin, core.KindFundraiser)
	q = refused(q, strings.Repeat("x", core.MaxTitle+1), "error.too_long")
	q = h.Expect(h.Say(Admin, "Roof"), "wizard.ask.description")
	q = h.Expect(h.Press(Admin, wzButton(t, q, "s")), "wizard.ask.goal")
	q = refused(q, "lots", "error.amount_currency_missing")
	q = h.Expect(h.Say(Admin, "5000 EUR"), "wizard.ask.closes")
	q = refused(q, "90d", "error.fund_too_long")
	h.Expect(h.Say(Admin, "30d"), "wizard.ask.mode")

	// a contest whose voting would close before its entries
	q = wzBegin(t, h, Admin, core.KindContest)
	for _, a := range []string{"Logo", "A round logo", "200 EUR", "7d"} {
		q = h.Say(Admin, a)[0]
	}
	if q.Key != "wizard.ask.voting_close" {
		t.Fatalf("at %s, want voting_close", q.Key)
	}
	q = refused(q, "3d", "error.contest_voting_before_entries")
	h.Expect(h.Say(Admin, "10d"), "wizard.preview")

	// tasks: too many answers per item; a required answer left empty
	q = wzBegin(t, h, Admin, core.KindTasks)
	q = refused(q, "  ", "wizard.answer_needed")
	q = h.Expect(h.Say(Admin, "Captions"), "wizard.ask.instructions")
	q = h.Expect(h.Press(Admin, wzButton(t, q, "s")), "wizard.ask.answer")
	q = refused(q, "", "wizard.answer_needed")
	q = refused(q, "colour", "error.task_bad_answer_type")
	q = h.Expect(h.Say(Admin, "choice:cat,dog"), "wizard.ask.per_item")
	refused(q, "20", "error.task_per_item")
	if n := len(campaigns(t, h)); n != 0 {
		t.Fatalf("%d campaigns made by refused answers", n)
	}
}

// TestWizardExpires: the set-up waits WizardTTL after each answer (longer than an
// ordinary question waits), then is gone: its buttons say so and nothing is made.
func TestWizardExpires(t *testing.T) {
	h := New(t, inPlace)
	q := wzBegin(t, h, Admin, core.KindIdeas)
	h.Clock.Advance(core.WizardTTL - time.Minute) // past core.PromptTTL
	q = h.Expect(h.Say(Admin, "Better buses"), "wizard.ask.description")
	h.Clock.Advance(core.WizardTTL - time.Minute)
	q = h.Expect(h.Press(Admin, wzButton(t, q, "s")), "wizard.ask.closes")
	h.Clock.Advance(core.WizardTTL + time.Second)
	if rs := h.Say(Admin, "48h"); len(rs) != 0 {
		t.Fatalf("an answer after the set-up expired got %v", Keys(rs))
	}
	h.Expect(h.Press(Admin, wzButton(t, q, "s")), "wizard.gone")
	h.Expect(h.Say(Admin, "/cancel"), "wizard.nothing_to_cancel")
	if n := len(campaigns(t, h)); n != 0 {
		t.Fatalf("%d campaigns", n)
	}
}

// TestWizardAdminOnly: a member who is not an admin cannot start one, nor answer an
// admin's, and an admin who lost the right cannot go on with theirs.
func TestWizardAdminOnly(t *testing.T) {
	h := New(t, inPlace)
	h.Expect(h.Say(Bob, "/campaign new"), "error.admin_only")
	q := wzBegin(t, h, Admin, core.KindIdeas)
	h.Expect(h.Say(Admin, "Better buses"), "wizard.ask.description")
	h.Expect(h.Press(Bob, wzButton(t, q, "x")), "wizard.gone")
	demoted := Admin
	demoted.Admin = false
	q = h.Expect(h.Say(Admin, "/cancel"), "wizard.cancelled")
	q = wzPreview(t, h, Admin, core.KindIdeas)
	h.Expect(h.Press(demoted, wzButton(t, q, "ok")), "error.admin_only")
	if n := len(campaigns(t, h)); n != 0 {
		t.Fatalf("%d campaigns", n)
	}
	h.Expect(h.Press(Admin, wzButton(t, q, "ok")), "campaign.created")
}

// TestWizardOnePerMemberAndSpace: starting again replaces the set-up under way (its
// buttons then do nothing); the same admin elsewhere has one of their own; an
// earlier question's button is stale; /cancel and the Cancel button end one.
func TestWizardOnePerMemberAndSpace(t *testing.T) {
	h := New(t, inPlace)
	first := wzBegin(t, h, Admin, core.KindPoll)
	second := wzBegin(t, h, Admin, core.KindIdeas)
	h.Expect(h.Press(Admin, wzButton(t, first, "x")), "wizard.gone")
	elsewhere := Admin.On(core.Telegram, "-2002", "-2002")
	other := wzBegin(t, h, elsewhere, core.KindContest)

	q := h.Expect(h.Say(Admin, "Better buses"), "wizard.ask.description")
	h.Expect(h.Press(Admin, wzButton(t, q, "s")), "wizard.ask.closes")
	h.Expect(h.Press(Admin, wzButton(t, q, "s")), "wizard.stale") // description again
	h.Expect(h.Press(Admin, wzButton(t, second, "x")), "wizard.cancelled")
	h.Expect(h.Say(Admin, "/cancel"), "wizard.nothing_to_cancel")

	h.Expect(h.Say(elsewhere, "Logo"), "wizard.ask.brief")
	h.Expect(h.Say(elsewhere, "/cancel"), "wizard.cancelled")
	h.Expect(h.Press(elsewhere, wzButton(t, other, "x")), "wizard.gone")
	if n := len(campaigns(t, h)); n != 0 {
		t.Fatalf("%d campaigns", n)
	}
}

// TestWizardSurvivesRestart: the set-up is in the database, so a new Router over it
// (a restarted bot) takes the next answer.
func TestWizardSurvivesRestart(t *testing.T) {
	h := New(t, inPlace)
	q := wzBegin(t, h, Admin, core.KindIdeas)
	h2 := On(t, h.Store, inPlace)
	h2.Expect(h2.Say(Admin, "Better buses"), "wizard.ask.description")
	h2.Expect(h2.Press(Admin, wzButton(t, q, "x")), "wizard.cancelled")
}

// TestWizardRefusedAtCreate: an answer that no longer holds when "create" is pressed
// (the deadline went by while the preview waited) gets its reason, and the set-up
// asks that question again with the other answers kept.
func TestWizardRefusedAtCreate(t *testing.T) {
	h := New(t, inPlace)
	q := wzBegin(t, h, Admin, core.KindIdeas)
	q = h.Expect(h.Say(Admin, "Better buses"), "wizard.ask.description")
	q = h.Expect(h.Say(Admin, "Faster ones"), "wizard.ask.closes")
	q = h.Expect(h.Say(Admin, "20m"), "wizard.preview")
	h.Clock.Advance(25 * time.Minute)
	rs := h.Press(Admin, wzButton(t, q, "ok"))
	if got := Keys(rs); !slices.Equal(got, []string{"error.deadline_past", "wizard.ask.closes"}) {
		t.Fatalf("replies %v", got)
	}
	q = h.Expect(h.Say(Admin, "2d"), "wizard.preview")
	if !strings.Contains(q.Text, "Faster ones") {
		t.Fatalf("the description was lost: %q", q.Text)
	}
	h.Expect(h.Press(Admin, wzButton(t, q, "ok")), "campaign.created")
}

// TestWizardCreateOnce: many presses of "create" at once, on SQLite and Postgres,
// make one campaign; every other press hears the set-up is over.
func TestWizardCreateOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := On(t, db, inPlace)
		for _, kind := range core.Kinds {
			before := len(campaigns(t, h))
			create := wzButton(t, wzPreview(t, h, Admin, kind), "ok")
			const presses = 8
			keys := make([]string, presses)
			var wg sync.WaitGroup
			for i := range presses {
				wg.Go(func() {
					rs := h.Press(Admin, create)
					keys[i] = strings.Join(Keys(rs), ",")
				})
			}
			wg.Wait()
			made := 0
			for _, k := range keys {
				switch k {
				case wzCreated[kind]:
					made++
				case "wizard.gone":
				default:
					t.Fatalf("%s: a press answered %q", kind, k)
				}
			}
			if got := len(campaigns(t, h)) - before; made != 1 || got != 1 {
				t.Fatalf("%s: %d presses said created, %d campaigns made: %v", kind, made, got, keys)
			}
		}
	})
}

package bots_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestCloseAndCancelAskFirst: /campaign close and /campaign cancel ask the admin to
// confirm with a button (or take "confirm" on the command), in each language; only
// an admin who manages the campaign gets the question or has the answer count.
func TestCloseAndCancelAskFirst(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin, bob := Admin.In(lang), Bob.In(lang)
		code := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "Board"`), "campaign.created"))

		ask := h.Expect(h.Say(admin, "/campaign close "+code), "campaign.confirm_close")
		if len(ask.Buttons) != 1 || len(ask.Buttons[0]) != 2 || !strings.Contains(ask.Text, "confirm") {
			t.Fatalf("the question: %q %+v", ask.Text, ask.Buttons)
		}
		if lang != "en" && strings.Contains(ask.Text, "Close “") {
			t.Errorf("question not translated: %q", ask.Text)
		}
		yes, keep := ask.Buttons[0][0].Action, ask.Buttons[0][1].Action
		if state(t, h, code) != core.StateOpen {
			t.Fatal("asking closed the campaign")
		}
		h.Expect(h.Press(bob, yes), "error.admin_only")
		h.Expect(h.Press(tgStranger, yes), "error.not_your_campaign")
		h.Expect(h.Press(tgStranger, keep), "error.not_your_campaign")
		if kept := h.Expect(h.Press(admin, keep), "campaign.kept"); !kept.Edit {
			t.Fatal("the answer does not replace the question")
		}
		if state(t, h, code) != core.StateOpen {
			t.Fatal("keeping closed the campaign")
		}
		if closed := h.Expect(h.Press(admin, yes), "campaign.closed"); !closed.Edit {
			t.Fatal("the answer does not replace the question")
		}
		if state(t, h, code) != core.StateClosed {
			t.Fatal("the confirmed close did not close")
		}
		// an old question answered again, and a question about what is over
		h.Expect(h.Press(admin, yes), "error.campaign_closed")
		h.Expect(h.Say(admin, "/campaign close "+code), "error.campaign_closed")

		spare := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "Spare"`), "campaign.created"))
		h.Expect(h.Say(bob, "/campaign cancel "+spare), "error.admin_only")
		h.Expect(h.Say(tgStranger, "/campaign cancel "+spare), "error.not_your_campaign")
		ask = h.Expect(h.Say(admin, "/campaign cancel "+spare), "campaign.confirm_cancel")
		h.Expect(h.Press(admin, Action(t, ask, fmt.Sprintf("cx:%s:cancel", spare))), "campaign.cancelled")
		if state(t, h, spare) != core.StateCancelled {
			t.Fatal("the confirmed cancel did not cancel")
		}

		// confirm on the command skips the question
		third := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "Third"`), "campaign.created"))
		h.Expect(h.Say(admin, "/campaign close "+third+" confirm"), "campaign.closed")
	})
}

// TestAdminsFixMistakes corrects, in each language, a campaign's title and
// description, a tier, a stretch goal and the spending ledger, whose corrected and
// removed lines stay in it struck; spending past what was raised is warned about.
func TestAdminsFixMistakes(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin, bob, carol := Admin.In(lang), Bob.In(lang), Carol.In(lang)

		// a campaign's text
		ideas := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "Nxet flavour"`), "campaign.created"))
		h.Expect(h.Say(bob, `/campaign edit `+ideas+` title="Next flavour"`), "error.admin_only")
		h.Expect(h.Say(admin, "/campaign edit "+ideas), "error.edit_nothing")
		h.Expect(h.Say(admin, `/campaign edit `+ideas+` title=""`), "error.empty")
		edited := h.Expect(h.Say(admin, `/campaign edit `+strings.ToUpper(ideas)+` title="Next flavour" description="Tell us what to make next"`), "campaign.edited")
		if edited.Args["title"] != "Next flavour" {
			t.Fatalf("edited: %v", edited.Args)
		}
		if show := h.Expect(h.Say(bob, "/campaign show "+ideas), "campaign.show"); !strings.Contains(show.Text, "Next flavour") ||
			!strings.Contains(show.Text, "Tell us what to make next") || strings.Contains(show.Text, "Nxet") {
			t.Fatalf("show after the edit: %q", show.Text)
		}

		// a tier and a stretch goal
		fund := Code(t, h.Expect(h.Say(admin, `/fund new "Album" goal="100 EUR" closes=30d`), "fund.new"))
		h.Expect(h.Say(admin, `/tier add `+fund+` "Signed CD" min="25 EUR" limit=3 "A CD"`), "tier.added_limited")
		h.Expect(h.Say(admin, `/tier add `+fund+` "Thanks" min=5`), "tier.added")
		h.Expect(h.Say(bob, "/pledge "+fund+" 30 1"), "pledge.new")
		h.Expect(h.Say(carol, "/pledge "+fund+" 40 1"), "pledge.new")
		h.Expect(h.Say(bob, `/tier edit `+fund+` 1 title="Signed vinyl"`), "error.admin_only")
		h.Expect(h.Say(admin, "/tier edit "+fund+" 1"), "error.edit_nothing")
		h.Expect(h.Say(admin, "/tier edit "+fund+" 9 limit=5"), "error.tier_not_found")
		h.Expect(h.Say(admin, "/tier edit "+fund+" 1 limit=1"), "error.tier_limit_below_taken")
		h.Expect(h.Say(admin, `/tier edit `+fund+` 1 title="thanks"`), "error.tier_exists")
		tier := h.Expect(h.Say(admin, `/tier edit `+fund+` "signed cd" title="Signed vinyl" min="35 EUR" limit=2`), "tier.edited")
		if tier.Args["number"] != 1 || tier.Args["title"] != "Signed vinyl" || len(tier.Lines) != 1 {
			t.Fatalf("tier edit: %v %q", tier.Args, tier.Text)
		}
		h.Expect(h.Say(carol, "/pledge "+fund+" 30 1"), "error.pledge_below_tier")
		status := h.Expect(h.Say(bob, "/fund status "+fund), "fund.status")
		if !strings.Contains(status.Text, "Signed vinyl") {
			t.Fatalf("status after the tier edit: %q", status.Text)
		}
		h.Expect(h.Say(admin, `/fund stretch `+fund+` 200 "A video"`), "fund.stretch_added")
		h.Expect(h.Say(bob, `/stretch edit `+fund+` 200 to=250`), "error.admin_only")
		h.Expect(h.Say(admin, `/stretch edit `+fund+` 300 to=250`), "error.stretch_not_found")
		h.Expect(h.Say(admin, `/stretch edit `+fund+` 200`), "error.edit_nothing")
		h.Expect(h.Say(admin, `/stretch edit `+fund+` 200 to=50`), "error.stretch_below_goal")
		if g := h.Expect(h.Say(admin, `/stretch edit `+fund+` 200 to=250 "A music video"`), "fund.stretch_edited"); g.Args["description"] != "A music video" {
			t.Fatalf("stretch edit: %v", g.Args)
		}

		// the ledger: 70 raised
		h.Expect(h.Say(admin, `/expense add `+fund+` 20 "Studio"`), "expense.added")
		h.Expect(h.Say(admin, `/expense add `+fund+` 15 "Mastering"`), "expense.added")
		h.Expect(h.Say(bob, `/expense correct `+fund+` 1 25`), "error.admin_only")
		h.Expect(h.Say(bob, `/expense remove `+fund+` 2`), "error.admin_only")
		h.Expect(h.Say(admin, `/expense correct `+fund+` 9 25`), "error.expense_not_found")
		h.Expect(h.Say(admin, `/expense correct `+fund+` x 25`), "error.bad_expense_number")
		fixed := h.Expect(h.Say(admin, `/expense correct `+fund+` 1 25`), "expense.corrected")
		if fixed.Args["old"] != int64(1) || fixed.Args["number"] != int64(3) || fixed.Args["what"] != "Studio" ||
			fixed.Args["spent"] != (core.Money{Amount: 4000, Currency: "EUR"}) || len(fixed.Lines) != 0 {
			t.Fatalf("correction: %v %q", fixed.Args, fixed.Text)
		}
		h.Expect(h.Say(admin, `/expense correct `+fund+` 1 30`), "error.expense_already_corrected")
		removed := h.Expect(h.Say(admin, `/expense remove `+fund+` 2`), "expense.removed")
		if removed.Args["spent"] != (core.Money{Amount: 2500, Currency: "EUR"}) {
			t.Fatalf("removal: %v", removed.Args)
		}
		h.Expect(h.Say(admin, `/expense remove `+fund+` 2`), "error.expense_already_corrected")
		over := h.Expect(h.Say(admin, `/expense add `+fund+` 50 "Pressing"`), "expense.added")
		if len(over.Lines) != 1 || over.Lines[0].Key != "expense.overspent" || !strings.Contains(over.Text, "75") {
			t.Fatalf("no warning past what was raised: %q", over.Text)
		}
		ledger := h.Expect(h.Say(bob, "/fund ledger "+fund), "fund.ledger_title")
		keys := map[string]int{}
		for _, l := range ledger.Lines {
			keys[l.Key]++
		}
		if len(ledger.Lines) != 4 || keys["fund.ledger_struck"] != 1 || keys["fund.ledger_removed"] != 1 || keys["fund.ledger_correction"] != 1 {
			t.Fatalf("ledger lines %v: %q", keys, ledger.Text)
		}
		if !strings.Contains(ledger.Text, "Studio") || !strings.Contains(ledger.Text, "Mastering") {
			t.Fatalf("the ledger lost a struck line: %q", ledger.Text)
		}
	})
}

// TestNumbersWithinTheirCampaign: with two boards and two contests, ideas and entries
// are numbered from #1 in each, and a command names one by its campaign's code (in
// any case) and that number, never another campaign's.
func TestNumbersWithinTheirCampaign(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin, bob, carol := Admin.In(lang), Bob.In(lang), Carol.In(lang)
		a := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "A"`), "campaign.created"))
		b := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "B"`), "campaign.created"))
		h.Expect(h.Say(bob, "/idea "+a+" Rooftop concert"), "idea.added")
		h.Expect(h.Say(bob, "/idea "+a+" rooftop CONCERT!"), "idea.exists")
		second := h.Expect(h.Say(bob, "/idea "+a+" Beach party"), "idea.added")
		first := h.Expect(h.Say(carol, "/idea "+b+" Night market"), "idea.added")
		if second.Args["id"] != int64(2) || first.Args["id"] != int64(1) || first.Args["idea_id"] == int64(1) {
			t.Fatalf("numbers: %v, %v", second.Args, first.Args)
		}
		if !strings.Contains(first.Text, "1") {
			t.Fatalf("the reply shows no number: %q", first.Text)
		}
		h.Expect(h.Say(admin, "/idea status "+strings.ToLower(b)+" 1 planned"), "idea.status_set")
		h.Expect(h.Say(admin, "/idea status "+b+" 2 planned"), "error.idea_not_found")
		boardA := h.Expect(h.Say(bob, "/ideas "+a), "ideas.title")
		boardB := h.Expect(h.Say(bob, "/ideas "+b), "ideas.title")
		if boardA.Lines[0].Args["status"] != "open" || boardB.Lines[0].Args["status"] != "planned" || boardB.Lines[0].Args["id"] != int64(1) {
			t.Fatalf("boards: %v / %v", boardA.Lines, boardB.Lines)
		}
		// a hidden idea's vote button says its number, not its id
		h.Expect(h.Say(admin, "/idea hide "+b+" 1"), "idea.hidden")
		if r := h.Expect(h.Press(bob, fmt.Sprintf("iv:%d", first.Args["idea_id"])), "error.idea_not_found"); r.Text != h.Router.T(lang, bots.M("error.idea_not_found", "id", 1)) {
			t.Fatalf("a hidden idea's button: %q", r.Text)
		}
		h.Expect(h.Say(admin, "/idea merge "+a+" 2 1"), "idea.merged")

		new := `/contest new "Logo" brief="A fox" prize="300 EUR" entries_close=7d voting_close=10d`
		x := Code(t, h.Expect(h.Say(admin, new), "contest.new"))
		y := Code(t, h.Expect(h.Say(admin, new), "contest.new"))
		h.Expect(h.Say(bob, "/enter "+x+" Fox https://example.com/fox.png"), "contest.entered")
		// a refused entry takes no number
		h.Expect(h.Say(bob, "/enter "+x+" Owl https://example.com/owl.png"), "error.entry_limit")
		if owl := h.Expect(h.Say(carol, "/enter "+x+" Owl https://example.com/owl.png"), "contest.entered"); owl.Args["id"] != int64(2) {
			t.Fatalf("the owl is #%v, want #2", owl.Args["id"])
		}
		heron := h.Expect(h.Say(bob, "/enter "+y+" Heron https://example.com/heron.png"), "contest.entered")
		if heron.Args["id"] != int64(1) {
			t.Fatalf("the other contest's first entry is #%v", heron.Args["id"])
		}
		if d := h.Expect(h.Say(admin, "/contest disqualify "+strings.ToUpper(y)+` 1 "Stock image"`), "contest.disqualified"); d.Args["entry"] != "Heron" {
			t.Fatalf("disqualified %v, want the heron", d.Args)
		}
		h.Expect(h.Say(admin, "/contest disqualify "+y+" 2 Again"), "error.entry_not_found")
		if d := h.Expect(h.Say(admin, "/contest disqualify "+x+` #2 "Copied"`), "contest.disqualified"); d.Args["entry"] != "Owl" {
			t.Fatalf("disqualified %v, want the owl", d.Args)
		}

		// a vote names the entry by its number too
		crane := h.Expect(h.Say(carol, "/enter "+y+" Crane https://example.com/crane.png"), "contest.entered")
		if crane.Args["id"] != int64(2) {
			t.Fatalf("the crane is #%v, want #2", crane.Args["id"])
		}
		advance(t, h, 7*24*time.Hour+time.Minute, 2)
		vote := fmt.Sprintf("cv:%d", crane.Args["entry_id"])
		if v := h.Expect(h.Press(bob, vote), "contest.voted"); v.Args["id"] != int64(2) {
			t.Fatalf("voted for #%v, want #2", v.Args["id"])
		}
		if v := h.Expect(h.Press(carol, fmt.Sprintf("cv:%d", heron.Args["entry_id"])), "error.entry_not_found"); v.Text != h.Router.T(lang, bots.M("error.entry_not_found", "id", 1)) {
			t.Fatalf("a disqualified entry's button: %q", v.Text)
		}
		if v := h.Expect(h.Press(bob, vote), "error.entry_already_voted"); !strings.Contains(v.Text, "2") || strings.Contains(v.Text, fmt.Sprint(crane.Args["entry_id"])) {
			t.Fatalf("a second vote is told %q", v.Text)
		}
	})
}

// TestStretchGoalMovedBelowTheTotal: a stretch goal corrected down to a target the
// total has already passed is announced as reached, once.
func TestStretchGoalMovedBelowTheTotal(t *testing.T) {
	h := New(t)
	fund := Code(t, h.Expect(h.Say(Admin, `/fund new "Album" goal="50 EUR" closes=30d`), "fund.new"))
	h.Expect(h.Say(Bob, "/pledge "+fund+" 70"), "pledge.new")
	h.Expect(h.Say(Admin, `/fund stretch `+fund+` 200 "A video"`), "fund.stretch_added")
	if n := len(outboxItems(t, h, "announce.fund_stretch")); n != 0 {
		t.Fatalf("%d stretch announcements before the edit", n)
	}
	h.Expect(h.Say(Admin, `/stretch edit `+fund+` 200 to=60`), "fund.stretch_edited")
	h.Expect(h.Say(Admin, `/stretch edit `+fund+` 60 to=65`), "fund.stretch_edited")
	if n := len(outboxItems(t, h, "announce.fund_stretch")); n != 1 {
		t.Fatalf("%d stretch announcements after the edits, want 1", n)
	}
}

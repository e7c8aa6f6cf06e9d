package bots_test

import (
	"strings"
	"testing"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestMessagesReadWell: the kind with its article ("not an ideas campaign"), the
// default answers per item shown as it applies, the largest amount as money, a
// free-text answer reviewed as such, and a reversed payment not shown as earnings.
func TestMessagesReadWell(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin, bob := Admin.In(lang), Bob.In(lang)
		tr := func(key string, args ...any) string { return h.Router.T(lang, bots.M(key, args...)) }

		poll := Code(t, h.Expect(h.Say(admin, `/poll new "Lunch?" "Pizza" "Salad"`), "poll.created"))
		wrong := h.Expect(h.Say(bob, "/ideas "+poll), "error.wrong_kind")
		if !strings.Contains(wrong.Text, tr("kind.a.ideas")) || strings.Contains(wrong.Text, "{{") {
			t.Errorf("wrong kind: %q", wrong.Text)
		}
		if lang == "en" && !strings.Contains(wrong.Text, "is not an ideas campaign") {
			t.Errorf("wrong kind in English: %q", wrong.Text)
		}
		kind := h.Expect(h.Say(admin, `/campaign new tasks "Captions"`), "error.campaign_new_kind")
		if !strings.Contains(kind.Text, tr("kind.a.tasks")) || !strings.Contains(kind.Text, "/tasks new") {
			t.Errorf("new of another kind: %q", kind.Text)
		}

		// no per_item: the default, 3, is what the job asks and what it says
		created := h.Expect(h.Say(admin, "/tasks new \"Captions\" answer=text reward=\"0.05 EUR\"\nhttps://img.example/a.jpg"), "campaign.created")
		code := Code(t, created)
		line := tr("tasks.new_paid", "task_type", "text", "per_item", core.DefaultTaskPerItem, "reward", core.Money{Amount: 5, Currency: "EUR"})
		if !strings.Contains(created.Text, line) || strings.Contains(created.Text, " 0 ") {
			t.Errorf("created: %q, want %q", created.Text, line)
		}

		big := h.Expect(h.Say(admin, `/fund new "Roof" goal="200000000 EUR" closes=30d`), "error.amount_too_large")
		most := (core.Money{Amount: core.MaxAmount * 100, Currency: "EUR"}).Format(lang)
		if !strings.Contains(big.Text, most) || strings.Contains(big.Text, "100000000") {
			t.Errorf("too large: %q, want %q in it", big.Text, most)
		}

		// a free-text answer is reviewed as one, not as "no agreement after 1 answer"
		h.Expect(h.Say(bob, "/task next "+code), "task.card")
		h.Expect(h.Say(bob, "A cat"), "task.answered_paid")
		review := h.Expect(h.Say(admin, "/tasks review "+code), "tasks.review_title")
		keys := map[string]bool{}
		for _, l := range review.Lines {
			keys[l.Key] = true
		}
		if !keys["tasks.review_free_text"] || keys["tasks.review_flagged"] {
			t.Errorf("free-text review lines: %v", keys)
		}
		// paid on arrival
		h.Expect(h.Say(bob, "/earnings"), "earnings.title")
		reject := strings.Replace(Action(t, review, "tkr:"), ":a", ":r", 1)
		h.Expect(h.Press(admin, reject), "tasks.rejected")
		// paid, then taken back: nothing earned, not "€0.00 (2 credits)"
		h.Expect(h.Say(bob, "/earnings"), "earnings.none")
		summary := h.Expect(h.Say(admin, "/campaign show "+code), "campaign.show")
		if !strings.Contains(summary.Text, tr("tasks.summary", "count", 1, "settled", 0, "answers", 0, "rejected", 1, "flagged", 0)) {
			t.Errorf("summary: %q", summary.Text)
		}
	})
}

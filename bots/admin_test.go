package bots_test

import (
	"fmt"
	"strings"
	"testing"

	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestCloseAndCancelAskFirst: /campaign close and /campaign cancel ask the admin to
// confirm with a button (or take "confirm" on the command), in each language; only
// an admin who manages the campaign gets the question or has the answer count.
func TestCloseAndCancelAskFirst(t *testing.T) {
	for _, lang := range core.Locales {
		t.Run(lang, func(t *testing.T) {
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
}

package bots_test

import (
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// pay runs a Stars payment event from who: the question before it, or the payment.
func pay(h *Harness, w Who, p bots.Payment) []bots.Reply {
	in := h.Input(w)
	in.Payment = &p
	in.Private = true
	return h.Do(in)
}

// TestStarsConversation runs a fundraiser paid in Telegram Stars in each language:
// Discord and the web say to pledge in Telegram; Telegram answers with an invoice
// whose payload binds the member and the amount; the pre-checkout refuses another
// member, another amount and a closed fundraiser; the payment counts once; the
// failure tells every backer their Stars are paid back.
func TestStarsConversation(t *testing.T) {
	EachLocale(t, func(t *testing.T, locale string) {
		h := New(t)
		admin, bob, carol := Admin.In(locale), Bob.In(locale), Carol.In(locale)
		h.Expect(h.Say(admin, `/fund new "Zine" goal="300 EUR" closes=30d pay=stars`), "error.fund_stars_currency")
		h.Expect(h.Say(admin, `/fund new "Zine" goal=300 closes=30d pay=cash`), "error.fund_bad_payment")
		code := Code(t, h.Expect(h.Say(admin, `/fund new "Zine" goal=300 closes=30d pay=stars`), "fund.new"))

		// elsewhere: pledge in Telegram, in the member's language
		for _, w := range []Who{bob.On(core.Discord, "g1", "c1"), bob.On(core.Web, "web", "web")} {
			r := h.Expect(h.Say(w, "/pledge "+code+" 100"), "error.pledge_stars_only")
			if !strings.Contains(r.Text, "Telegram") || !strings.Contains(r.Text, "/pledge "+code) {
				t.Fatalf("%s: %q", w.Platform, r.Text)
			}
		}
		// a promise by button on Telegram is an invoice too
		prompt := h.Press(bob, "ft:"+code+":0")
		inv := h.Expect(h.Answer(bob, prompt[0].Prompt.Action, "100"), "pay.invoice")
		if inv.Invoice == nil || inv.Invoice.Amount != 100 || inv.Invoice.Currency != "XTR" || !inv.Ephemeral {
			t.Fatalf("invoice %+v", inv)
		}
		payload := inv.Invoice.Payload
		if p, err := core.ParseStarsPayload(payload); err != nil || p.Amount != 100 || p.TierID != 0 { // the button pledges without a tier
			t.Fatalf("payload %q: %+v %v", payload, p, err)
		}
		check := bots.Payment{Checkout: true, StarsPayment: core.StarsPayment{Payload: payload, Currency: "XTR", Amount: 100}}
		if rs := pay(h, bob, check); len(rs) != 0 {
			t.Fatalf("the checkout said %v %q", Keys(rs), rs[0].Text)
		}
		// someone else, another amount, a payload made up
		if r := h.Expect(pay(h, carol, check), "error.pay_not_yours"); r.Failure != core.EFORBIDDEN {
			t.Fatalf("another member: %+v", r)
		}
		other := check
		other.Amount = 1
		h.Expect(pay(h, bob, other), "error.pay_bad_invoice")
		other = check
		other.Payload = "xtr1:1:1:-1:notanumber"
		h.Expect(pay(h, bob, other), "error.pay_bad_invoice")

		done := bots.Payment{StarsPayment: core.StarsPayment{Payload: payload, Currency: "XTR", Amount: 100,
			ChargeID: "ch-" + locale, ProviderChargeID: ""}}
		paid := h.Expect(pay(h, bob, done), "pay.paid")
		if len(paid.Lines) != 1 || paid.Lines[0].Key != "pay.refund_if_failed" {
			t.Fatalf("thanks %+v", paid)
		}
		if rs := pay(h, bob, done); len(rs) != 0 {
			t.Fatalf("the same payment again: %v", Keys(rs))
		}
		// a paid pledge stays
		h.Expect(h.Say(bob, "/pledge cancel "+code), "error.pledge_paid_final")
		st := h.Expect(h.Say(bob, "/fund "+code), "fund.status")
		if !strings.Contains(st.Text, "100") {
			t.Fatalf("status %q", st.Text)
		}

		// the close: not funded, and a checkout too late is refused
		advanceFund(t, h, 31*24*time.Hour)
		h.Expect(pay(h, bob, check), "error.campaign_closed")
		// a payment that comes after the close anyway is paid back, and says so
		late := done
		late.ChargeID += "-late"
		if r := h.Expect(pay(h, bob, late), "pay.refund_late"); !r.Private {
			t.Fatalf("late payment %+v", r)
		}
		due, err := h.Service.ClaimStarRefunds(t.Context(), 10)
		if err != nil || len(due) != 2 {
			t.Fatalf("refunds due %+v, %v", due, err)
		}
		items, err := h.Store.Outbox(t.Context(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, it := range items {
			keys[it.Announcement.Key] = true
		}
		if !keys["announce.fund_failed_stars"] || !keys["notice.fund_failed_stars"] {
			t.Fatalf("settlement keys %v", keys)
		}
	})
}

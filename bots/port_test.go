package bots_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// spaceState reads how the database holds a space: how many rows name it, and
// whether it is retired.
func spaceState(t *testing.T, h *Harness, p core.Platform, id string) (rows, retired int64) {
	t.Helper()
	ctx := context.Background()
	rows, err := h.Store.QueryInt(ctx, "SELECT count(*) FROM spaces WHERE platform = ? AND external_id = ?", string(p), id)
	if err != nil {
		t.Fatal(err)
	}
	retired, err = h.Store.QueryInt(ctx, "SELECT count(*) FROM spaces WHERE platform = ? AND external_id = ? AND retired = ?", string(p), id, true)
	if err != nil {
		t.Fatal(err)
	}
	return rows, retired
}

// members counts the member rows of a platform identity.
func members(t *testing.T, h *Harness, m core.MemberRef) int64 {
	t.Helper()
	n, err := h.Store.QueryInt(context.Background(), "SELECT count(*) FROM members WHERE platform = ? AND external_id = ?", string(m.Platform), m.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestJoinAndLeaveSpace: the bot added to a space records it, with its title and
// language and who added it; removed, the space is retired; added again, it is back,
// the same space. A space named by nothing is refused.
func TestJoinAndLeaveSpace(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := On(t, db)
		ctx := context.Background()
		var port bots.Conversation = h.Router
		for _, c := range []struct {
			space core.SpaceRef
			by    core.MemberRef
		}{
			{core.SpaceRef{Platform: core.Telegram, ExternalID: "-1007", Title: "Fans", Locale: "it"}, core.MemberRef{Platform: core.Telegram, ExternalID: "1001", Name: "Ada"}},
			{core.SpaceRef{Platform: core.Discord, ExternalID: "41771983423143937", Title: "Guild", Locale: "fr"}, core.MemberRef{Platform: core.Discord, ExternalID: "80351110224678912"}},
		} {
			p, id := c.space.Platform, c.space.ExternalID
			if err := port.JoinSpace(ctx, c.space, c.by); err != nil {
				t.Fatalf("join %s: %v", p, err)
			}
			if rows, retired := spaceState(t, h, p, id); rows != 1 || retired != 0 {
				t.Fatalf("%s joined: %d rows, %d retired", p, rows, retired)
			}
			if members(t, h, c.by) != 1 {
				t.Errorf("%s: who added the bot is not recorded", p)
			}
			sp, _, err := h.Service.IdentifyGuest(ctx, core.SpaceRef{Platform: p, ExternalID: id}, c.by)
			if err != nil || sp.Title != c.space.Title || sp.Locale != c.space.Locale {
				t.Errorf("%s space: %+v %v", p, sp, err)
			}
			if err := port.LeaveSpace(ctx, p, id); err != nil {
				t.Fatalf("leave %s: %v", p, err)
			}
			if rows, retired := spaceState(t, h, p, id); rows != 1 || retired != 1 {
				t.Fatalf("%s left: %d rows, %d retired", p, rows, retired)
			}
			if err := port.JoinSpace(ctx, c.space, c.by); err != nil {
				t.Fatalf("join %s again: %v", p, err)
			}
			if rows, retired := spaceState(t, h, p, id); rows != 1 || retired != 0 {
				t.Fatalf("%s back: %d rows, %d retired", p, rows, retired)
			}
		}
		if err := port.JoinSpace(ctx, core.SpaceRef{Platform: core.Telegram}, core.MemberRef{Platform: core.Telegram, ExternalID: "1001"}); err == nil {
			t.Error("a space with no id was joined")
		}
	})
}

// TestMoveSpace: a group that became a supergroup takes its campaigns to its new id,
// once however often the platform says so.
func TestMoveSpace(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Mango festival"`), "campaign.created"))
	moved, err := h.Router.MoveSpace(ctx, core.Telegram, Admin.Space, "-100777")
	if err != nil || !moved {
		t.Fatalf("move = %v %v", moved, err)
	}
	if moved, err := h.Router.MoveSpace(ctx, core.Telegram, Admin.Space, "-100777"); err != nil || moved {
		t.Errorf("second move = %v %v", moved, err)
	}
	there := h.Router.SuggestCodes(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: "-100777"}, core.MemberRef{Platform: core.Telegram, ExternalID: Admin.ID}, "")
	if len(there) != 1 || there[0].Code != code {
		t.Errorf("the new group's campaigns: %+v", there)
	}
}

// TestSuggestCodes: the codes offered are the space's own campaigns', those whose
// code, title or a word of the title starts with what was typed in any letter case;
// live ones first; at most bots.MaxSuggestions; and asking makes no member.
func TestSuggestCodes(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	create := func(w Who, title string) string {
		t.Helper()
		return Code(t, h.Expect(h.Say(w, fmt.Sprintf("/campaign new ideas %q", title)), "campaign.created"))
	}
	mango := create(Admin, "Mango  festival")
	lime := create(Admin, "Lime week")
	h.Expect(h.Say(Admin, "/campaign close "+lime+" confirm"), "campaign.closed")
	kiwi := create(Admin, "Kiwi fest")
	elsewhere := create(tgStranger, "Mango elsewhere")

	here := core.SpaceRef{Platform: core.Telegram, ExternalID: Admin.Space}
	guest := core.MemberRef{Platform: core.Telegram, ExternalID: "5555", Name: "Newcomer"}
	suggest := func(prefix string) []string {
		t.Helper()
		var out []string
		for _, s := range h.Router.SuggestCodes(ctx, here, guest, prefix) {
			out = append(out, s.Code)
		}
		return out
	}
	if got := suggest(""); !slices.Equal(got, []string{kiwi, mango, lime}) {
		t.Errorf("all, live first, newest first: %v (want %v)", got, []string{kiwi, mango, lime})
	}
	all := h.Router.SuggestCodes(ctx, here, guest, "mango")
	if len(all) != 1 || all[0].Code != mango || all[0].Label != mango+" · Mango festival" || !all[0].Live {
		t.Errorf("by title, not another space's (%s): %+v", elsewhere, all)
	}
	if got := suggest("FEST"); !slices.Equal(got, []string{kiwi, mango}) {
		t.Errorf("by a word of the title, any case: %v", got)
	}
	if got := suggest("  mango   FEST "); !slices.Equal(got, []string{mango}) {
		t.Errorf("by the title's start, spaces aside: %v", got)
	}
	if got := suggest(strings.ToLower(lime[:3])); !slices.Contains(got, lime) {
		t.Errorf("by the code's start, any case: %v", got)
	}
	if got := suggest(strings.ToUpper(lime)); !slices.Equal(got, []string{lime}) {
		t.Errorf("by the whole code, any case: %v", got)
	}
	if got := suggest("ango"); len(got) != 0 {
		t.Errorf("a word's middle is no start: %v", got)
	}
	if got := suggest("zzz"); len(got) != 0 {
		t.Errorf("nothing: %v", got)
	}
	if members(t, h, guest) != 0 {
		t.Error("suggesting codes made a member")
	}

	for i := range bots.MaxSuggestions + 5 {
		create(Admin, fmt.Sprintf("Batch %d", i))
	}
	if got := suggest(""); len(got) != bots.MaxSuggestions {
		t.Errorf("%d suggestions, want at most %d", len(got), bots.MaxSuggestions)
	}
	if got := suggest("batch"); len(got) != bots.MaxSuggestions || slices.Contains(got, mango) {
		t.Errorf("batch: %d suggestions", len(got))
	}
}

// TestIdentify: who speaks in an input, with the rights the Router adds (configured
// owners) and their member made.
func TestIdentify(t *testing.T) {
	h := New(t, func(o *bots.Options) { o.Owners = []string{"telegram:" + Bob.ID} })
	ctx := context.Background()
	a, err := h.Router.Identify(ctx, h.Input(Bob))
	if err != nil || !a.Owner || !a.Admin || a.Member.ID == 0 || a.Space.ExternalID != Bob.Space || a.Channel != Bob.Channel {
		t.Fatalf("owner: %+v %v", a, err)
	}
	a, err = h.Router.Identify(ctx, h.Input(Carol))
	if err != nil || a.Owner || a.Admin || a.Member.ID == 0 {
		t.Fatalf("member: %+v %v", a, err)
	}
	if _, err := h.Router.Identify(ctx, bots.Input{Platform: core.Telegram}); err == nil {
		t.Error("an input from nowhere was identified")
	}
}

// TestRefundStars: the Stars of a failed fundraiser go back through the front's pay,
// once: a failed try is recorded, with its reason for the admins, and tried again
// only after its wait; a refund done is never due again.
func TestRefundStars(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	code := Code(t, h.Expect(h.Say(Admin, `/fund new "Zine" goal=300 closes=30d pay=stars`), "fund.new"))
	inv := h.Expect(h.Say(Bob, "/pledge "+code+" 100"), "pay.invoice")
	h.Expect(pay(h, Bob, bots.Payment{StarsPayment: core.StarsPayment{Payload: inv.Invoice.Payload, Currency: "XTR", Amount: 100, ChargeID: "ch-1"}}), "pay.paid")
	advanceFund(t, h, 31*24*time.Hour)

	var tried []string
	refund := func(fail error) int {
		t.Helper()
		n, err := h.Router.RefundStars(ctx, func(_ context.Context, r core.StarRefund) error {
			tried = append(tried, r.UserID+" "+r.ChargeID+" "+r.Amount.String())
			return fail
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := refund(errors.New("telegram is down")); n != 0 || !slices.Equal(tried, []string{Bob.ID + " ch-1 " + core.Money{Amount: 100, Currency: "XTR"}.String()}) {
		t.Fatalf("first round: %d back, tried %v", n, tried)
	}
	backers := h.Expect(h.Say(Admin, "/backers "+code), "backers.title")
	if !strings.Contains(backers.Text, "telegram is down") {
		t.Errorf("the failure is not shown to the admins: %q", backers.Text)
	}
	tried = nil
	if n := refund(nil); n != 0 || len(tried) != 0 {
		t.Fatalf("tried again at once: %d back, tried %v", n, tried)
	}
	h.Clock.Advance(core.StarRefundRetry(1))
	if n := refund(nil); n != 1 || len(tried) != 1 {
		t.Fatalf("after the wait: %d back, tried %v", n, tried)
	}
	h.Clock.Advance(24 * time.Hour)
	if n := refund(nil); n != 0 || len(tried) != 1 {
		t.Fatalf("paid back twice: tried %v", tried)
	}
}

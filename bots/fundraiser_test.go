package bots_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
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

// newFund creates a fundraiser with the admin's command and returns its code.
func newFund(t *testing.T, h *Harness, args string) string {
	t.Helper()
	return Code(t, h.Expect(h.Say(Admin, "/fund new "+args), "fund.new"))
}

var onceScope = regexp.MustCompile(`\|c\d+\|`)

// outboxOnce counts the outbox rows per Once key, and per key those without one.
func outboxOnce(t *testing.T, h *Harness) map[string]int {
	t.Helper()
	items, err := h.Store.Outbox(context.Background(), "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, it := range items {
		// the stored key is scoped as once|c<campaign>|destination: drop the campaign
		k := onceScope.ReplaceAllString(it.Announcement.Once, "|")
		if k == "" {
			k = it.Announcement.Key
		}
		out[k]++
	}
	return out
}

func advanceFund(t *testing.T, h *Harness, d time.Duration) int {
	t.Helper()
	h.Clock.Advance(d)
	n, err := h.Service.AdvanceDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFundraiserConversation runs a whole all-or-nothing fundraiser: creation, tiers,
// a stretch goal, pledges raised, lowered, moved between tiers and cancelled, a tier
// selling out, buttons, the ledger, backers and their CSV, a repeated update, bad
// input of every kind, and the settlement at the deadline with a notice to each
// backer.
func TestFundraiserConversation(t *testing.T) {
	h := New(t)
	h.Expect(h.Say(Bob, `/fund new "Album" goal="1000 EUR" closes=30d`), "error.admin_only")
	code := newFund(t, h, `"Second album" goal="1000 EUR" closes=30d Help us record it`)

	// tiers
	h.Expect(h.Say(Bob, `/tier add `+code+` "Signed CD" min="25 EUR" limit=2 "A CD signed by the band"`), "error.admin_only")
	cd := h.Expect(h.Say(Admin, `/tier add `+code+` "Signed CD" min="25 EUR" limit=2 "A CD signed by the band"`), "tier.added_limited")
	if cd.Args["number"] != 1 || !strings.Contains(cd.Text, "€25.00") || !strings.Contains(cd.Text, "2 places") {
		t.Fatalf("tier reply: %q", cd.Text)
	}
	h.Expect(h.Say(Admin, `/tier add `+code+` "Thanks" min=5 "Your name in the booklet"`), "tier.added")
	h.Expect(h.Say(Admin, `/tier add `+code+` "thanks" min=5`), "error.tier_exists")
	h.Expect(h.Say(Admin, `/tier add `+code+` "3" min=5`), "error.tier_bad_title")
	h.Expect(h.Say(Admin, `/tier add `+code+` "Poster" min=5 limit=-1`), "error.tier_bad_limit")
	h.Expect(h.Say(Admin, `/tier add `+code+` "Poster" min=5 limit=lots`), "error.tier_bad_limit")
	h.Expect(h.Say(Admin, `/tier add `+code+` "Poster" min="5 USD"`), "error.fund_wrong_currency")
	h.Expect(h.Say(Admin, `/tier add `+code+` "Poster" min="0"`), "error.amount_not_positive")
	h.Expect(h.Say(Admin, `/tier add `+code+` "Poster"`), "error.usage")
	h.Expect(h.Say(Admin, `/tier add `+code+` "Poster" min=5 colour=red`), "error.unknown_option")

	// a stretch goal, typed as two words
	h.Expect(h.Say(Admin, "/fund stretch "+code+` 1500 EUR "A vinyl edition"`), "fund.stretch_added")
	h.Expect(h.Say(Admin, "/fund stretch "+code+` 900 "Below the goal"`), "error.stretch_below_goal")
	h.Expect(h.Say(Admin, "/fund stretch "+code+` 1500 "Twice"`), "error.stretch_exists")
	h.Expect(h.Say(Bob, "/fund stretch "+code+` 2000 "Not mine"`), "error.admin_only")

	// pledges: first, raise into a tier, lower out of it, move, cancel
	first := h.Expect(h.Say(Bob, "/pledge "+code+" 12.50 EUR"), "pledge.new")
	if !strings.Contains(first.Text, "€12.50") || !strings.Contains(first.Text, "(1%)") || !first.Ephemeral {
		t.Fatalf("first pledge: %q", first.Text)
	}
	raised := h.Expect(h.Say(Bob, "/pledge "+code+" 30 1"), "pledge.raised")
	if raised.Args["tier"] != "Signed CD" || !strings.Contains(raised.Text, "€30.00 of €1,000.00") {
		t.Fatalf("raise into the tier: %q", raised.Text)
	}
	h.Expect(h.Say(Carol, "/pledge "+code+` 25 "signed cd"`), "pledge.new")
	sold := h.Expect(h.Say(Dave, "/pledge "+code+" 40 #1"), "error.tier_sold_out")
	if !strings.Contains(sold.Text, "Signed CD") {
		t.Fatalf("sold out reply: %q", sold.Text)
	}
	// keeping the tier while going under its minimum is refused; without a tier it is fine
	h.Expect(h.Say(Bob, "/pledge "+code+" 10"), "error.pledge_below_tier")
	if r := h.Expect(h.Say(Bob, "/pledge "+code+" 10 none"), "pledge.lowered"); r.Args["tier"] != "" {
		t.Fatalf("lowered out of the tier: %v", r.Args)
	}
	h.Expect(h.Say(Dave, "/pledge "+code+" 40 1"), "pledge.new") // Bob's place is free again
	h.Expect(h.Say(Carol, "/pledge cancel "+code), "pledge.cancelled")
	h.Expect(h.Say(Carol, "/pledge cancel "+code), "error.pledge_none")
	h.Expect(h.Say(Erin, "/pledge "+code+" 40 1"), "pledge.new") // Carol's place too
	h.Expect(h.Say(Carol, "/pledge "+code+" 40 1"), "error.tier_sold_out")
	if r := h.Expect(h.Say(Dave, "/pledge "+code+" 45"), "pledge.raised"); r.Args["tier"] != "Signed CD" {
		t.Fatalf("a raise without naming a tier keeps it: %v", r.Args)
	}
	h.Expect(h.Say(Dave, "/pledge "+code+" 45 2"), "pledge.changed")

	// bad pledges change nothing
	for text, key := range map[string]string{
		"/pledge " + code + " -5":            "error.amount_bad",
		"/pledge " + code + " 0":             "error.amount_not_positive",
		"/pledge " + code + " 10 USD":        "error.fund_wrong_currency",
		"/pledge " + code + " 10000.01":      "error.pledge_too_large",
		"/pledge " + code + " 99999999999":   "error.amount_too_large",
		"/pledge " + code + " 1e9":           "error.amount_bad",
		"/pledge " + code + " twelve":        "error.amount_bad",
		"/pledge " + code + " 0.001":         "error.amount_too_precise",
		"/pledge " + code + " 10 9":          "error.tier_not_found",
		"/pledge " + code + " 10 \"Gold\"":   "error.tier_not_found",
		"/pledge " + code + " \u202e10":      "error.amount_bad",
		"/pledge " + code:                    "error.usage",
		"/pledge zzzz9 10":                   "error.campaign_not_found",
		"/pledge cancel":                     "error.usage",
		"/fund status zzzz9":                 "error.campaign_not_found",
		"/expense add " + code + " 10 \"x\"": "error.admin_only",
		"/backers " + code:                   "error.admin_only",
	} {
		h.Expect(h.Say(Carol, text), key)
	}
	ideas := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	h.Expect(h.Say(Carol, "/pledge "+ideas+" 10"), "error.wrong_kind")

	// the same update twice: one pledge, one silence
	in := h.Input(Carol)
	in.Text = "/pledge " + code + " 20"
	h.Expect(h.Do(in), "pledge.new")
	if again := h.Do(in); len(again) != 0 {
		t.Fatalf("repeated update answered %v", Keys(again))
	}

	// status: raised 10 + 45 + 40 + 20, four backers, tiers, stretch, buttons
	st := h.Expect(h.Say(Carol, "/fund status "+code), "fund.status")
	for _, want := range []string{"€115.00 of €1,000.00", "11%", "4 backers", "30 days left", "#1 Signed CD, from €25.00 · 1 left of 2 — A CD signed by the band",
		"#2 Thanks, from €5.00 · unlimited", "Stretch goal €1,500.00: A vinyl edition", "Spent so far: €0.00", "Your pledge: €20.00", "all or nothing"} {
		if !strings.Contains(st.Text, want) {
			t.Errorf("status lacks %q:\n%s", want, st.Text)
		}
	}
	if a := Action(t, st, "ft:"); a != "ft:"+code+":1" || len(st.Buttons) != 1 || len(st.Buttons[0]) != 3 {
		t.Fatalf("pledge buttons: %+v", st.Buttons)
	}
	if short := h.Expect(h.Say(Carol, "/fund "+code), "fund.status"); short.Text != st.Text {
		t.Fatalf("/fund <code> differs from /fund status")
	}

	// a tier button asks for the amount, the answer pledges
	ask := h.Expect(h.Press(Carol, "ft:"+code+":1"), "fund.prompt_tier")
	if ask.Prompt == nil || ask.Prompt.Action != "ft:"+code+":1" || !strings.Contains(ask.Text, "At least €25.00") {
		t.Fatalf("prompt: %+v", ask)
	}
	h.Expect(h.Say(Carol, "30"), "pledge.raised")
	h.Expect(h.Press(Bob, "ft:"+code+":1"), "error.tier_sold_out")
	if st := h.Expect(h.Say(Bob, "/fund "+code), "fund.status"); Action(t, st, "ft:") != "ft:"+code+":2" {
		t.Fatalf("a sold-out tier keeps its button: %+v", st.Buttons)
	}
	h.Expect(h.Answer(Carol, "ft:"+code+":0", "3"), "pledge.lowered")
	h.Expect(h.Answer(Carol, "ft:"+code+":2", "3"), "error.pledge_below_tier")
	h.Expect(h.Press(Carol, "ft:"+code+":x"), "error.unknown_action")

	// the ledger
	h.Expect(h.Say(Bob, "/fund ledger "+code), "fund.ledger_empty")
	exp := h.Expect(h.Say(Admin, "/expense add "+code+` 120 EUR "Studio, day one"`), "expense.added")
	if !strings.Contains(exp.Text, "€120.00") || !strings.Contains(exp.Text, "Studio, day one") {
		t.Fatalf("expense: %q", exp.Text)
	}
	h.Expect(h.Say(Admin, "/expense add "+code+" 10 USD \"Strings\""), "error.fund_wrong_currency")
	h.Expect(h.Say(Admin, "/expense add "+code+" 10"), "error.usage")
	h.Expect(h.Say(Admin, "/expense add "+code+" -10 \"Refund\""), "error.amount_bad")
	ledger := h.Expect(h.Say(Bob, "/fund ledger "+code), "fund.ledger_title")
	if len(ledger.Lines) != 1 || !strings.Contains(ledger.Text, "€120.00 of €98.00") {
		t.Fatalf("ledger: %q", ledger.Text)
	}

	// backers and their CSV, with the referrer column
	list := h.Expect(h.Say(Admin, "/backers "+code), "backers.title")
	if len(list.Lines) != 4 || !strings.HasPrefix(list.Text, "4 backers") || !strings.Contains(list.Lines[0].Args["name"].(string), "Dave") {
		t.Fatalf("backers: %q", list.Text)
	}
	file := h.Expect(h.Say(Admin, "/backers "+code+" csv"), "backers.csv")
	rows, err := csv.NewReader(strings.NewReader(string(file.File.Data))).ReadAll()
	if err != nil || len(rows) != 5 || strings.Join(rows[0], ",") != "member,name,amount,tier,referrer,time,paid,promised,refunded" {
		t.Fatalf("csv: %v %q", err, file.File.Data)
	}
	if rows[1][0] != "telegram:1004" || rows[1][2] != "45.00 EUR" || rows[1][3] != "Thanks" {
		t.Fatalf("largest pledge first: %v", rows[1])
	}

	// /campaign show has the fundraiser's line
	show := h.Expect(h.Say(Bob, "/campaign show "+code), "campaign.show")
	if !strings.Contains(show.Text, "€98.00 of €1,000.00 (9%) from 4 backers; €120.00 spent") {
		t.Fatalf("show: %q", show.Text)
	}

	// the deadline, reached while the bot was down for a day: not funded, so failed
	if n := advanceFund(t, h, 31*24*time.Hour); n != 1 {
		t.Fatalf("%d campaigns moved", n)
	}
	if n := advanceFund(t, h, time.Hour); n != 0 {
		t.Fatalf("settled twice")
	}
	ob := outboxOnce(t, h)
	if ob["fund:settled|telegram:-1001"] != 1 || ob["fund:settled|member:"+memberID(t, h, Dave)] != 1 {
		t.Fatalf("settlement outbox %v", ob)
	}
	notices := outboxKeys(t, h)
	if notices["notice.fund_failed"] != 4 || notices["notice.fund_funded"] != 0 || notices["announce.fund_failed"] != 1 {
		t.Fatalf("outbox %v", notices)
	}
	h.Expect(h.Say(Bob, "/pledge "+code+" 20"), "error.campaign_closed")
	h.Expect(h.Say(Bob, "/pledge cancel "+code), "error.campaign_closed")
	if ended := h.Expect(h.Say(Bob, "/fund status "+code), "fund.status"); !strings.Contains(ended.Text, "Not funded") || strings.Contains(ended.Text, "/pledge") || len(ended.Buttons) != 0 {
		t.Fatalf("ended status: %q", ended.Text)
	}
	h.Expect(h.Say(Admin, "/expense add "+code+` 5 "After failing"`), "error.campaign_closed")
}

func memberID(t *testing.T, h *Harness, w Who) string {
	t.Helper()
	m, err := h.Store.UpsertMember(context.Background(), core.MemberRef{Platform: w.Platform, ExternalID: w.ID}, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(m.ID)
}

// TestFundraiserFunded reaches the goal, passes every milestone and a stretch goal,
// lowers and raises again (nothing is announced twice), and is funded at the deadline;
// each backer is told what happens next.
func TestFundraiserFunded(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Tour van" goal="1000 EUR" closes=10d`)
	h.Expect(h.Say(Admin, "/fund stretch "+code+` 1200 "A second driver"`), "fund.stretch_added")
	h.Expect(h.Say(Bob, "/pledge "+code+" 240"), "pledge.new")
	if got := outboxOnce(t, h); len(got) != 0 {
		t.Fatalf("announced before any milestone: %v", got)
	}
	h.Expect(h.Say(Carol, "/pledge "+code+" 10"), "pledge.new") // 250: 25% exactly
	// a channel linked later hears of what comes next, not of 25% again
	discord := Admin.On(core.Discord, "41771983423143937", "80351110224678912")
	h.LinkTo(t, Admin, code, discord)
	h.Expect(h.Say(Carol, "/pledge cancel "+code), "pledge.cancelled")
	h.Expect(h.Say(Carol, "/pledge "+code+" 10"), "pledge.new") // 25% again
	h.Expect(h.Say(Dave, "/pledge "+code+" 600"), "pledge.new") // 850: 50% and 75%
	h.Expect(h.Say(Dave, "/pledge "+code+" 100"), "pledge.lowered")
	h.Expect(h.Say(Dave, "/pledge "+code+" 990"), "pledge.raised") // 1240: 100% and the stretch goal
	h.Expect(h.Say(Dave, "/pledge "+code+" 100"), "pledge.lowered")
	h.Expect(h.Say(Dave, "/pledge "+code+" 990"), "pledge.raised")
	ob := outboxOnce(t, h)
	for _, pct := range []int{25, 50, 75, 100} {
		if n := ob[fmt.Sprintf("fund:milestone:%d|telegram:-1001", pct)]; n != 1 {
			t.Errorf("milestone %d%% announced %d times", pct, n)
		}
		if n, want := ob[fmt.Sprintf("fund:milestone:%d|discord:80351110224678912", pct)], min(1, pct/50); n != want {
			t.Errorf("milestone %d%% announced %d times in the channel linked after 25%%", pct, n)
		}
	}
	if len(ob) != 9 {
		t.Errorf("outbox %v", ob)
	}
	keys := outboxKeys(t, h)
	if keys["announce.fund_milestone"] != 5 || keys["announce.fund_goal_reached"] != 2 || keys["announce.fund_stretch"] != 2 {
		t.Fatalf("announcements %v", keys)
	}
	st := h.Expect(h.Say(Bob, "/fund status "+code), "fund.status")
	if !strings.Contains(st.Text, "124%") || !strings.Contains(st.Text, "▰▰▰▰▰▰▰▰▰▰") || !strings.Contains(st.Text, "✅ Stretch goal €1,200.00 reached") {
		t.Fatalf("status: %q", st.Text)
	}
	if n := advanceFund(t, h, 10*24*time.Hour); n != 1 {
		t.Fatalf("%d moved", n)
	}
	keys = outboxKeys(t, h)
	if keys["notice.fund_funded"] != 3 || keys["announce.fund_funded"] != 2 || keys["notice.fund_failed"] != 0 {
		t.Fatalf("settlement %v", keys)
	}
	show := h.Expect(h.Say(Bob, "/campaign show "+code), "campaign.show")
	if !strings.Contains(show.Text, "is funded") {
		t.Fatalf("state: %q", show.Text)
	}
	// spending goes on after a funded close
	h.Expect(h.Say(Admin, "/expense add "+code+` 800 "The van"`), "expense.added")
}

// TestFundraiserKeepItAll closes with every pledge standing, below the goal; an
// admin's /campaign close settles it before the deadline.
func TestFundraiserKeepItAll(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Zine" goal="500 EUR" closes=20d mode=keep-it-all Print run`)
	h.Expect(h.Say(Bob, "/pledge "+code+" 15"), "pledge.new")
	h.Expect(h.Say(Carol, "/pledge "+code+" 5,50 €"), "pledge.new")
	// twenty tiers with the longest descriptions still make one status message
	for i := range core.MaxTiers {
		h.Expect(h.Say(Admin, fmt.Sprintf(`/tier add %s "Tier %c" min=5 "%s"`, code, 'A'+i, strings.Repeat("é", core.MaxTierDescription))), "tier.added")
	}
	h.Expect(h.Say(Admin, `/tier add `+code+` "One more" min=5`), "error.fund_too_many_tiers")
	st := h.Expect(h.Say(Bob, "/fund "+code), "fund.status")
	if !strings.Contains(st.Text, "keep it all") || core.Len(st.Text) > 4096 || len(st.Buttons) != 5 {
		t.Fatalf("status of %d characters, %d button rows: %q", core.Len(st.Text), len(st.Buttons), st.Text)
	}
	h.Expect(h.Say(Bob, "/campaign close "+code), "error.admin_only")
	closed := h.Expect(h.Say(Admin, "/campaign close "+code+" confirm"), "campaign.closed")
	if closed.Args["state"] != "closed" {
		t.Fatalf("keep it all ended %v", closed.Args["state"])
	}
	keys := outboxKeys(t, h)
	if keys["notice.fund_closed"] != 2 || keys["announce.fund_closed"] != 1 {
		t.Fatalf("outbox %v", keys)
	}
	if n := advanceFund(t, h, 21*24*time.Hour); n != 0 {
		t.Fatalf("a settled fundraiser moved again")
	}
}

// TestFundNewBadInput refuses every broken /fund new, storing nothing.
func TestFundNewBadInput(t *testing.T) {
	h := New(t)
	for text, key := range map[string]string{
		`"Album" goal="1000 EUR"`:                    "error.usage",
		`"Album" closes=30d`:                         "error.usage",
		`"Album" goal="1000 EUR" closes=61d`:         "error.fund_too_long",
		`"Album" goal="1000 EUR" closes=-3h`:         "error.bad_deadline",
		`"Album" goal="1000 EUR" closes=2020-01-01`:  "error.deadline_past",
		`"Album" goal="1000 EUR" closes=2027-01-01`:  "error.fund_too_long",
		`"Album" goal="-5 EUR" closes=30d`:           "error.amount_bad",
		`"Album" goal="0 EUR" closes=30d`:            "error.amount_not_positive",
		`"Album" goal="1000" closes=30d`:             "error.amount_currency_missing",
		`"Album" goal="1000 ABC" closes=30d`:         "error.currency_unknown",
		`"Album" goal="100000001 EUR" closes=30d`:    "error.amount_too_large",
		`"Album" goal="1000 EUR" closes=30d mode=x`:  "error.fund_bad_mode",
		`"" goal="1000 EUR" closes=30d`:              "error.empty",
		`"Album" goal="1000 EUR" closes=30d tz=Mars`: "error.bad_timezone",
	} {
		h.Expect(h.Say(Admin, "/fund new "+text), key)
	}
	h.Expect(h.Say(Admin, `/campaign new fundraiser "Album"`), "error.campaign_new_kind")
	if list := h.Expect(h.Say(Admin, "/campaign list"), "campaign.list_empty"); list.Text == "" {
		t.Fatal("no reply")
	}
	// sixty days is the default maximum, and Telegram Stars have no decimals
	code := newFund(t, h, `"Stars" goal="5000 XTR" closes=60d`)
	h.Expect(h.Say(Bob, "/pledge "+code+" 1.5"), "error.amount_too_precise")
	if r := h.Expect(h.Say(Bob, "/pledge "+code+" 250"), "pledge.new"); !strings.Contains(r.Text, "250\u00a0XTR") {
		t.Fatalf("stars: %q", r.Text)
	}
}

// TestFundraiserInEachLanguage pledges the way members of each language type amounts
// and reads them back in their own format.
func TestFundraiserInEachLanguage(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Festival" goal="20000 EUR" closes=30d`)
	cases := []struct {
		who          Who
		amount, want string
	}{
		{Bob.In("fr"), "12,50 €", "12,50\u00a0€"},
		{Carol.In("it"), "1.000", "1.000,00\u00a0€"},
		{Dave.In("en"), "1,000", "€1,000.00"},
		{Erin.In("fr"), `"1 000,50 €"`, "1\u202f000,50\u00a0€"},
	}
	for _, c := range cases {
		r := h.Expect(h.Say(c.who, "/pledge "+code+" "+c.amount), "pledge.new")
		if !strings.Contains(r.Text, c.want) {
			t.Errorf("%s typed %q: %q, want %q in it", c.who.Locale, c.amount, r.Text, c.want)
		}
	}
	it := h.Expect(h.Say(Carol.In("it"), "/fund "+code), "fund.status")
	if !strings.Contains(it.Text, "3.013,00\u00a0€ su 20.000,00\u00a0€") || !strings.Contains(it.Text, "Mancano 30 giorni") {
		t.Fatalf("Italian status: %q", it.Text)
	}
	h.Clock.Advance(30*24*time.Hour - 90*time.Minute)
	fr := h.Expect(h.Say(Bob.In("fr"), "/fund "+code), "fund.status")
	if !strings.Contains(fr.Text, "Encore 2 heures") {
		t.Fatalf("French status near the close: %q", fr.Text)
	}
}

// TestFundraiserCards renders the fundraiser's outbox rows as the platforms deliver
// them: amounts stored as JSON come back as money in each reader's format, with the
// progress image and a button to see the fundraiser.
func TestFundraiserCards(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Mural" goal="100 EUR" closes=5d`)
	h.Expect(h.Say(Bob, "/pledge "+code+" 30"), "pledge.new")
	// a milestone posted while it runs has a button to pledge; once it is over, not
	running, err := h.Store.Outbox(context.Background(), core.OutboxPending, 100)
	if err != nil || len(running) != 1 || running[0].Announcement.Key != "announce.fund_milestone" {
		t.Fatalf("outbox %+v, %v", running, err)
	}
	if rep, err := h.Router.Card(context.Background(), running[0].Announcement, "en"); err != nil || Action(t, rep, "fs:") != "fs:"+code {
		t.Fatalf("milestone card while running: %+v, %v", rep, err)
	}
	advanceFund(t, h, 5*24*time.Hour)
	items, err := h.Store.Outbox(context.Background(), core.OutboxPending, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"announce.fund_milestone": {"en": "€30.00 of €100.00", "fr": "30,00\u00a0€ sur 100,00\u00a0€", "it": "30,00\u00a0€ su 100,00\u00a0€"},
		"announce.fund_failed":    {"en": "€30.00 of €100.00 from 1 backer", "fr": "de 1 contributeur", "it": "da 1 sostenitore"},
		"notice.fund_failed":      {"en": "Your pledge of €30.00 is released", "fr": "Votre promesse de 30,00\u00a0€ est libérée", "it": "Il tuo impegno di 30,00\u00a0€ è sciolto"},
	}
	seen := 0
	for _, it := range items {
		for _, lang := range core.Locales {
			rep, err := h.Router.Card(context.Background(), it.Announcement, lang)
			if err != nil {
				t.Fatal(err)
			}
			CheckRendered(t, []bots.Reply{rep})
			if w, ok := want[it.Announcement.Key][lang]; ok {
				seen++
				if !strings.Contains(rep.Text, w) {
					t.Errorf("%s in %s: %q lacks %q", it.Announcement.Key, lang, rep.Text, w)
				}
			}
			switch it.Announcement.Key {
			case "announce.fund_milestone":
				if rep.Image == nil || len(rep.Buttons) != 0 {
					t.Errorf("milestone card after the close: %+v", rep)
				}
			case "notice.fund_failed":
				if rep.Image != nil || len(rep.Buttons) != 0 {
					t.Errorf("notice card: %+v", rep)
				}
			}
		}
	}
	if seen != 9 {
		t.Fatalf("rendered %d of the 9 expected cards", seen)
	}
	if r := h.Expect(h.Press(Bob, "fs:"+code), "fund.status"); !r.Ephemeral {
		t.Fatal("status button should answer privately")
	}
}

// TestFundraiserCrowd has a crowd pledge at once, through the conversation, for a tier
// limited to 100: exactly 100 get it and everyone else reads that it is sold out.
func TestFundraiserCrowd(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := On(t, db)
		code := newFund(t, h, `"Crowd" goal="100000 EUR" closes=30d`)
		h.Expect(h.Say(Admin, "/tier add "+code+` "Early bird" min=20 limit=100`), "tier.added_limited")
		crowd := max(storagetest.Scale(db, 500), 120) // the storage test takes 3,000; this one the whole path
		keys := make([]string, crowd)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range crowd {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				who := Who{Platform: core.Telegram, ID: fmt.Sprint(90000 + i), Name: fmt.Sprint("fan", i), Locale: core.Locales[i%3], Space: "-1001", Channel: "-1001"}
				rs := h.Say(who, "/pledge "+code+" 20 1")
				if len(rs) != 1 {
					keys[i] = fmt.Sprint(Keys(rs))
					return
				}
				keys[i] = rs[0].Key
				if rs[0].Text == "" || strings.Contains(rs[0].Text, rs[0].Key) {
					keys[i] = "unrendered " + rs[0].Key
				}
			})
		}
		wg.Wait()
		count := map[string]int{}
		for _, k := range keys {
			count[k]++
		}
		if count["pledge.new"] != 100 || count["error.tier_sold_out"] != crowd-100 || len(count) != 2 {
			t.Fatalf("%d fans: %v", crowd, count)
		}
		st := h.Expect(h.Say(Bob, "/fund "+code), "fund.status")
		if !strings.Contains(st.Text, "€2,000.00 of €100,000.00") || !strings.Contains(st.Text, "100 backers") {
			t.Fatalf("status: %q", st.Text)
		}
	})
}

// TestStrangersPledge: /pledge by people the bot has never seen makes each of them a
// member with the pledge, answered in their platform's language; a member who chose
// another language with /lang is answered in theirs, and so is one refused (an amount
// too large), with nothing stored.
func TestStrangersPledge(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Album" goal="1000 EUR" closes=30d`)
	promise := func(lang string) string {
		return h.Router.Catalog().T(lang, "pledge.promise", map[string]any{"code": code})
	}
	for i, lang := range core.Locales {
		stranger := Who{Platform: core.Discord, ID: fmt.Sprint(7100 + i), Name: "Stranger " + lang, Locale: lang, Space: "g1", Channel: "c1"}
		r := h.Expect(h.Say(stranger, "/pledge "+code+" 5 EUR"), "pledge.new")
		if !strings.HasSuffix(r.Text, promise(lang)) {
			t.Errorf("%s: %q", lang, r.Text)
		}
		m, err := h.Store.FindMember(context.Background(), core.MemberRef{Platform: core.Discord, ExternalID: stranger.ID})
		if err != nil || m == nil || m.Name != stranger.Name {
			t.Fatalf("%s: stranger's member row %+v, %v", lang, m, err)
		}
	}
	// Dave's platform speaks English; he chose Italian
	h.Expect(h.Say(Dave, "/lang it"), "lang.set")
	if r := h.Expect(h.Say(Dave, "/pledge "+code+" 7"), "pledge.new"); !strings.HasSuffix(r.Text, promise("it")) {
		t.Errorf("pledge by a member who chose Italian answered %q", r.Text)
	}
	english := h.Expect(h.Say(Erin, "/pledge "+code+" 100000000"), "error.pledge_too_large").Text
	if r := h.Expect(h.Say(Dave, "/pledge "+code+" 100000000"), "error.pledge_too_large"); r.Text == english {
		t.Errorf("refused pledge by a member who chose Italian answered in English: %q", r.Text)
	}
	n, err := h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM pledges WHERE active")
	if err != nil || n != int64(len(core.Locales)+1) {
		t.Fatalf("%d pledges stored (%v)", n, err)
	}
}

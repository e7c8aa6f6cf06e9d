package web

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// has fails the test unless the page holds every want (as escaped text) and none
// of the refused.
func has(t *testing.T, what, page string, want []string, refused ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, template.HTMLEscapeString(w)) && !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	for _, r := range refused {
		if strings.Contains(page, r) {
			t.Errorf("%s still shows %q", what, r)
		}
	}
}

// page fetches a campaign's page in a language.
func (b *browser) page(code, locale string) string {
	b.e.t.Helper()
	res := b.get("/c/"+code, "Accept-Language", locale)
	if res.StatusCode != 200 {
		b.e.t.Fatalf("/c/%s in %s: %d", code, locale, res.StatusCode)
	}
	return res.Body
}

// advance moves the clock on and runs what fell due.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	e.h.Clock.Advance(d)
	if _, err := e.h.Service.AdvanceDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// closeNow has the Telegram admin close a campaign at once, and returns the answer.
func (e *env) closeNow(code string) []bots.Reply {
	return e.h.Say(botstest.Admin, "/campaign close "+code+" confirm")
}

// entryID reads the entry number of a contest.entered reply.
func entryID(t *testing.T, h *botstest.Harness, w botstest.Who, text string) int64 {
	t.Helper()
	r := h.Expect(h.Say(w, text), "contest.entered")
	id, ok := r.Args["id"].(int64)
	if !ok {
		t.Fatalf("entry id %T %v", r.Args["id"], r.Args["id"])
	}
	return id
}

// TestContestPage follows a blind contest's public page through its phases, in
// every language: the prize, the rules, the phase and its deadlines with their
// zone; no entry while it takes them, entries without authors or tallies while
// voting, then the winner, the tallies, the authors and the payouts at the end,
// and no invitation to enter any more.
func TestContestPage(t *testing.T) {
	e := newEnv(t)
	h := e.h
	code := botstest.Code(t, h.Expect(h.Say(botstest.Admin, `/contest new "Summer slogan" brief="Say summer" prize="300 EUR" entries_close=2d voting_close=4d type=slogan blind tz=Europe/Rome`), "contest.new"))
	bob := entryID(t, h, botstest.Bob, "/enter "+code+` "Sun" Sun all day long`)
	carol := entryID(t, h, botstest.Carol, "/enter "+code+` "Waves" Waves for everyone`)
	b := e.browser()
	open := b.page(code, "en")
	has(t, "open contest", open, []string{"€300.00", e.tr("en", "web.contest.phase_open"), e.tr("en", "web.contest.blind"),
		e.tr("en", "web.contest.entries_hidden", "count", 2), "2026-03-04 10:00 CET", "2026-03-06 10:00 CET",
		e.tr("en", "web.contest.entries_close"), e.tr("en", "web.contest.voting_close"), e.tr("en", "web.join.contest", "code", code)},
		"Sun all day long", "Waves for everyone", "Bob", "Carol")

	e.advance(2*24*time.Hour + time.Minute)
	voting := b.page(code, "fr")
	has(t, "voting contest", voting, []string{e.tr("fr", "web.contest.phase_voting"), "Sun all day long", "Waves for everyone", "300,00\u00a0€"},
		"Bob", "Carol", `<span class="votes">`)
	h.Press(botstest.Dave, fmt.Sprintf("cv:%d", bob))
	h.Press(botstest.Erin, fmt.Sprintf("cv:%d", bob))
	h.Press(botstest.Fay, fmt.Sprintf("cv:%d", carol))

	e.advance(2 * 24 * time.Hour)
	h.Expect(h.Say(botstest.Admin, fmt.Sprintf("/contest use %s %d 20", code, carol)), "contest.used")
	for _, lang := range core.Locales {
		over := b.page(code, lang)
		has(t, lang+" closed contest", over, []string{
			e.tr(lang, "web.outcome.contest_winner", "entry", "Sun"),
			e.tr(lang, "web.contest.winner"), fmt.Sprintf("#%d “Sun”", bob), e.tr(lang, "web.contest.by", "author", "Bob"),
			e.tr(lang, "web.contest.by", "author", "Carol"), e.tr(lang, "web.count.votes", "count", 2), e.tr(lang, "web.count.votes", "count", 1),
			e.tr(lang, "web.contest.payouts"), e.tr(lang, "contest.payout.prize"), core.Money{Amount: 30000, Currency: "EUR"}.Format(lang),
			"“Waves” · Carol · " + e.tr(lang, "contest.payout.used_entry") + " · " + core.Money{Amount: 2000, Currency: "EUR"}.Format(lang),
			e.tr(lang, "web.campaign.over"),
		}, "/enter ", `class="join"`)
	}
	// the JSON API tells the winner and when it ended
	var one map[string]any
	if err := jsonUnmarshal(b.get("/api/campaigns/"+code).Body, &one); err != nil {
		t.Fatal(err)
	}
	prog, _ := one["progress"].(map[string]any)
	if one["state"] != "closed" || one["ended_at"] != "2026-03-06T09:01:00Z" || prog["winner"] != "Sun" {
		t.Errorf("JSON of the closed contest: %v", one)
	}
}

// TestFundraiserPage shows a fundraiser's tiers with the room left, its stretch goals
// and its ledger; closed funded before its deadline, the page says so honestly and
// no longer invites pledges.
func TestFundraiserPage(t *testing.T) {
	e := newEnv(t)
	h := e.h
	code := botstest.Code(t, h.Expect(h.Say(botstest.Admin, `/fund new "New roof" goal="100 EUR" closes=30d tz=Europe/Rome`), "fund.new"))
	h.Expect(h.Say(botstest.Admin, "/tier add "+code+` "Signed tile" min="25 EUR" limit=2 "Your name on a tile"`), "tier.added_limited")
	h.Expect(h.Say(botstest.Admin, "/tier add "+code+` "Thanks" min="5 EUR" "A thank-you card"`), "tier.added")
	h.Expect(h.Say(botstest.Admin, "/fund stretch "+code+` 150 "Solar panels"`), "fund.stretch_added")
	h.Expect(h.Say(botstest.Admin, "/fund stretch "+code+` 500 "A garden on top"`), "fund.stretch_added")
	h.Say(botstest.Bob, "/pledge "+code+" 160 1")
	h.Expect(h.Say(botstest.Admin, "/expense add "+code+` 30 "Tiles"`), "expense.added")
	h.Expect(h.Say(botstest.Admin, "/expense add "+code+` 5 "Nails"`), "expense.added")
	// corrected and removed lines stay on the page, struck
	h.Expect(h.Say(botstest.Admin, "/expense correct "+code+` 1 40`), "expense.corrected")
	h.Expect(h.Say(botstest.Admin, "/expense remove "+code+` 2`), "expense.removed")
	b := e.browser()
	for _, lang := range core.Locales {
		eur := func(cents int64) string { return core.Money{Amount: cents, Currency: "EUR"}.Format(lang) }
		page := b.page(code, lang)
		has(t, lang+" fundraiser", page, []string{
			"#1 Signed tile", e.tr(lang, "web.fund.from", "min", eur(2500)), e.tr(lang, "fund.tier_left", "count", 1, "limit", 2),
			"Your name on a tile", "#2 Thanks", e.tr(lang, "fund.tier_unlimited"),
			eur(15000), "Solar panels", e.tr(lang, "web.fund.reached"), eur(50000), "A garden on top",
			e.tr(lang, "web.fund.spent", "spent", core.Money{Amount: 4000, Currency: "EUR"}, "raised", core.Money{Amount: 16000, Currency: "EUR"}),
			eur(4000), "Tiles", "2026-03-02 10:00 CET", e.tr(lang, "web.closes"), "2026-04-01 11:00 CEST",
			"<del>" + eur(3000) + "</del>", "#2 Nails", e.tr(lang, "web.fund.removed"), e.tr(lang, "web.fund.corrected_by", "by", 3),
			"#3 Tiles", e.tr(lang, "web.fund.corrects", "corrects", 1),
		})
	}
	h.Clock.Advance(48 * time.Hour)
	h.Expect(e.closeNow(code), "campaign.closed_funded")
	for _, lang := range core.Locales {
		page := b.page(code, lang)
		has(t, lang+" funded early", page, []string{
			e.tr(lang, "fund.outcome_funded"), e.tr(lang, "web.closed"), "2026-03-04 10:00 CET",
			e.tr(lang, "web.before_deadline"), "2026-04-01 11:00 CEST", e.tr(lang, "web.campaign.over"),
		}, `class="join"`, "/pledge ", `outcome outcome-failed`)
		if strings.Contains(page, e.tr(lang, "web.closes")+" <time") {
			t.Errorf("%s: a closed fundraiser still says it closes", lang)
		}
	}
	// and one that missed its goal says so in red, not in the colour of success
	failed := botstest.Code(t, h.Expect(h.Say(botstest.Admin, `/fund new "Small roof" goal="100 EUR" closes=30d`), "fund.new"))
	h.Say(botstest.Bob, "/pledge "+failed+" 10")
	h.Expect(e.closeNow(failed), "campaign.closed_failed")
	for _, lang := range core.Locales {
		has(t, lang+" failed", b.page(failed, lang), []string{`class="outcome outcome-failed"`, e.tr(lang, "fund.outcome_failed"), e.tr(lang, "state.failed")})
	}
	has(t, "index", b.get("/", "Accept-Language", "it").Body, []string{e.tr("it", "fund.outcome_failed"), e.tr("it", "fund.outcome_funded")})
}

// TestIdeasPollTasksPages: an ideas board shows its ideas' statuses and tags; a poll
// closed without votes says nobody voted and fills no bar; closed tasks tell how
// many items were done.
func TestIdeasPollTasksPages(t *testing.T) {
	e := newEnv(t)
	h := e.h
	c := e.create("Parks", "Greener parks")
	idea := h.Expect(h.Say(botstest.Bob, "/idea "+c.Code+" More trees along the river"), "idea.added")
	id, _ := idea.Args["id"].(int64)
	h.Say(botstest.Admin, fmt.Sprintf("/idea status %s %d planned", c.Code, id))
	h.Say(botstest.Admin, fmt.Sprintf("/idea tag %s %d trees", c.Code, id))
	h.Press(botstest.Carol, fmt.Sprintf("iv:%d", id))
	for i := range 21 {
		h.Expect(h.Say(botstest.Carol, fmt.Sprintf("/idea %s Bench number %d by the pond", c.Code, i+1)), "idea.added")
	}
	poll := botstest.Code(t, h.Expect(h.Say(botstest.Admin, `/poll new "Colour?" "red" "blue"`), "poll.created"))
	e.closeNow(poll)
	tasks := botstest.Code(t, h.Expect(h.Say(botstest.Admin, "/tasks new \"Captions\" answer=text per_item=1\nhttps://img.example/a.jpg\nhttps://img.example/b.jpg"), "campaign.created"))
	e.closeNow(tasks)
	b := e.browser()
	for _, lang := range core.Locales {
		ideas := b.page(c.Code, lang)
		has(t, lang+" ideas", ideas, []string{"More trees along the river", e.tr(lang, "idea.status.planned"), "#trees",
			e.tr(lang, "web.ideas.more", "count", 2)})
		if n := strings.Count(ideas, "by the pond"); n != 19 {
			t.Errorf("%s: the page lists %d of the other ideas, want 19", lang, n)
		}
	}
	e.closeNow(c.Code)
	for _, lang := range core.Locales {
		has(t, lang+" closed ideas", b.page(c.Code, lang), []string{
			e.tr(lang, "web.outcome.ideas", "count", 22, "top", "More trees along the river"), e.tr(lang, "idea.status.planned")}, `class="join"`)
		has(t, lang+" poll", b.page(poll, lang), []string{e.tr(lang, "poll.no_votes"), e.tr(lang, "web.campaign.over")},
			`value="100"`, e.tr(lang, "web.time_passed", "percent", 100), `class="join"`)
		has(t, lang+" tasks", b.page(tasks, lang), []string{e.tr(lang, "tasks.summary_final", "settled", 0, "count", 2, "percent", 0)},
			"/task next", `class="join"`)
	}
}

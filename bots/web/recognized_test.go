package web

import (
	"strings"
	"testing"

	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestCampaignPageRecognized: whom a campaign recognized is on its public page, by
// rank with what they were ranked by, names escaped; a campaign that recognized
// nobody has no such section.
func TestCampaignPageRecognized(t *testing.T) {
	e := newEnv(t)
	c := e.create("Bike lanes", "")
	b := e.browser()
	b.say("<b>bob</b>", "/idea "+c.Code+" Along the canal")
	b.say("carol", "/idea "+c.Code+" Past the schools")
	if body := b.get("/c/" + c.Code).Body; strings.Contains(body, `id="recognized"`) {
		t.Fatal("a section of recognized contributors before anyone was recognized")
	}
	e.h.Expect(e.h.Say(botstest.Admin, "/idea status "+c.Code+" 1 planned"), "idea.status_set")
	e.h.Expect(e.h.Say(botstest.Admin, "/recognize "+c.Code), "recognize.title")

	body := b.get("/c/" + c.Code).Body
	for _, want := range []string{
		`<h2 id="recognized-title">` + e.tr("en", "web.recognized.title") + `</h2>`,
		`<li value="1"><span class="name">&lt;b&gt;bob&lt;/b&gt;</span> · <span class="score">` +
			e.tr("en", "measure.score.accepted_ideas", "count", 1) + `</span></li>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "<b>bob</b>") || strings.Contains(body, `<span class="name">carol</span>`) {
		t.Error("an unescaped name, or a member with no accepted idea recognized")
	}
}

// TestFundPagePaidInStars: a fundraiser paid in Stars says on its page how much of
// what it raised is paid; one of promises does not.
func TestFundPagePaidInStars(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	stars := botstest.Code(t, e.h.Expect(e.h.Say(botstest.Admin, `/fund new "Tour bus" goal="5000 XTR" closes=30d pay=stars`), "fund.new"))
	promises := botstest.Code(t, e.h.Expect(e.h.Say(botstest.Admin, `/fund new "Van" goal="500 EUR" closes=30d`), "fund.new"))
	none := core.Money{Currency: "XTR"}
	paid := e.tr("en", "fund.status_stars", "paid", none, "raised", none)
	if body := b.get("/c/" + stars).Body; !strings.Contains(body, `<p class="paid">`+paid+`</p>`) {
		t.Errorf("the Stars fundraiser's page lacks %q", paid)
	}
	if body := b.get("/c/" + promises).Body; strings.Contains(body, `<p class="paid">`) {
		t.Error("a fundraiser of promises says what is paid")
	}
}

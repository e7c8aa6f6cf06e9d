package bots_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// DaveDM and ErinWeb are new people who arrive through links: Dave in a private chat
// with the bot on Telegram, Erin on the web.
var (
	DaveDM  = Who{Platform: core.Telegram, ID: "1004", Name: "Dave", Locale: "en", Space: "1004", Channel: "1004"}
	ErinWeb = Who{Platform: core.Web, ID: "erin", Name: "Erin", Locale: "en", Space: "web", Channel: "web"}
)

// member returns who's member record.
func member(t *testing.T, h *Harness, w Who) *core.Member {
	t.Helper()
	m, err := h.Store.UpsertMember(context.Background(), core.MemberRef{Platform: w.Platform, ExternalID: w.ID, Name: w.Name}, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func actor(t *testing.T, h *Harness, w Who) core.Actor {
	t.Helper()
	sp, m, err := h.Service.Identify(context.Background(), core.SpaceRef{Platform: w.Platform, ExternalID: w.Space}, core.MemberRef{Platform: w.Platform, ExternalID: w.ID, Name: w.Name})
	if err != nil {
		t.Fatal(err)
	}
	return core.Actor{Member: *m, Space: *sp, Channel: w.Channel}
}

// lineWith returns the first line of r's text that holds s.
func lineWith(t *testing.T, r bots.Reply, s string) string {
	t.Helper()
	for _, l := range strings.Split(r.Text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no line with %q in %q", s, r.Text)
	return ""
}

// TestShareAndReferral follows personal links end to end: Bob shares, DaveDM comes
// through Bob's Telegram deep link and then Carol's, ErinWeb through Carol's web link;
// each referrer is credited once, when the person first takes part, and only the
// first referrer counts. Following one's own link, a link after taking part, and bad
// links change nothing.
func TestShareAndReferral(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Next flavour"`), "campaign.created"))
	bob, carol := member(t, h, Bob), member(t, h, Carol)

	share := h.Expect(h.Say(Bob, "/share "+code), "share.title")
	if !share.Ephemeral {
		t.Error("a share link is personal: the reply should be private")
	}
	payload := "r_" + code + "_" + strconv.FormatInt(bob.ID, 36)
	deep := "https://t.me/crowdbot?start=" + payload
	web := "http://crowd.example/c/" + code + "?ref=" + strconv.FormatInt(bob.ID, 10)
	if !strings.Contains(share.Text, deep) || !strings.Contains(share.Text, web) || !strings.Contains(share.Text, "10 points") {
		t.Fatalf("share reply: %q", share.Text)
	}
	if !strings.HasPrefix(share.Buttons[0][0].URL, "https://t.me/share/url?url=") {
		t.Fatalf("share button: %+v", share.Buttons)
	}
	if len(payload) > core.MaxStartPayload || strings.Trim(payload, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
		t.Fatalf("payload %q breaks Telegram's rules", payload)
	}

	// DaveDM follows Bob's link, then Carol's: the campaign shows, with its picture
	in := h.Input(DaveDM)
	in.Text = "/start " + payload
	shown := h.Expect(h.Do(in), "campaign.show")
	if again := h.Do(in); len(again) != 0 {
		t.Fatalf("the same update twice answered %v", Keys(again))
	}
	if shown.Image == nil || len(shown.Image.PNG) == 0 || !strings.Contains(shown.Text, "/share "+code) {
		t.Fatalf("start reply: %q, image %v", shown.Text, shown.Image != nil)
	}
	if _, err := png.Decode(bytes.NewReader(shown.Image.PNG)); err != nil {
		t.Fatalf("start picture: %v", err)
	}
	h.Expect(h.Say(DaveDM, "/start r_"+code+"_"+strconv.FormatInt(carol.ID, 36)), "campaign.show")
	// Bob follows his own link: ignored
	h.Expect(h.Say(Bob.On(core.Telegram, "1002", "1002"), "/start "+payload), "campaign.show")
	// nobody is credited before taking part
	if top := h.Expect(h.Say(Bob, "/top "+code), "top.title"); !strings.Contains(top.Text, "Nobody has brought anyone in yet") {
		t.Fatalf("credited before taking part: %q", top.Text)
	}

	// ErinWeb comes through Carol's web link, as the web front records it
	if err := h.Service.Refer(context.Background(), actor(t, h, ErinWeb), code, carol.ID, "web"); err != nil {
		t.Fatal(err)
	}

	// they take part: DaveDM and ErinWeb suggest ideas, Bob votes for DaveDM's twice
	dave := h.Expect(h.Say(DaveDM, "/idea "+code+" Salted caramel"), "idea.added").Args["id"].(int64)
	h.Expect(h.Say(ErinWeb, "/idea "+code+" Lemon sorbet"), "idea.added")
	h.Expect(h.Say(DaveDM, "/idea "+code+" Fig and honey"), "idea.added")
	h.Expect(h.Press(Bob, "iv:"+strconv.FormatInt(dave, 10)), "idea.voted")
	h.Expect(h.Say(Bob, "/idea "+code+" Plain vanilla"), "idea.added")

	top := h.Expect(h.Say(Carol, "/top "+code), "top.title")
	// points: DaveDM 5+5+1, Bob 5 + 10 for DaveDM, Carol 10 for ErinWeb, ErinWeb 5
	for name, want := range map[string]string{"Bob": "15 points", "Dave": "11 points", "Carol": "10 points", "Erin": "5 points"} {
		if l := lineWith(t, top, name); !strings.Contains(l, want) {
			t.Errorf("%s: %q, want %s", name, l, want)
		}
	}
	brought := top.Text[strings.Index(top.Text, "People brought in"):]
	if !strings.Contains(brought, "Bob — 1 person") || !strings.Contains(brought, "Carol — 1 person") || strings.Contains(brought, "Dave") {
		t.Fatalf("people brought in: %q", brought)
	}
	if !strings.Contains(top.Text, "You: 10 points, 1 brought in.") || !strings.Contains(top.Text, "an idea +5") ||
		!strings.Contains(top.Text, "a person brought in +10") || strings.Contains(top.Text, "a pledge") {
		t.Fatalf("standing and rules: %q", top.Text)
	}

	// Carol took part already (she had no points, but now she suggests): Bob's link
	// after that brings no one
	h.Expect(h.Say(Carol, "/idea "+code+" Pear"), "idea.added")
	h.Expect(h.Say(Carol.On(core.Telegram, "1003", "1003"), "/start "+payload), "campaign.show")
	h.Expect(h.Say(Carol, "/idea "+code+" Quince"), "idea.added")
	again := h.Expect(h.Say(Bob, "/top "+code), "top.title")
	if l := lineWith(t, again, "Bob — 1 "); !strings.Contains(l, "1 person") || !strings.Contains(again.Text, "You: 15 points, 1 brought in.") {
		t.Fatalf("a member who took part counted as brought in: %q", again.Text)
	}

	// bad links and bad input
	h.Expect(h.Say(DaveDM, "/start hello"), "start.welcome")
	h.Expect(h.Say(DaveDM, "/start r_"+code+"_-1"), "start.welcome")
	h.Expect(h.Say(DaveDM, "/start r_"+code+"_0"), "start.welcome")
	h.Expect(h.Say(DaveDM, "/start r_"+code+"_zzzzzzzzzzzzzzzzz"), "start.welcome")
	h.Expect(h.Say(DaveDM, "/start "+strings.Repeat("r", 200)), "start.welcome")
	h.Expect(h.Say(DaveDM, "/start r_zzzz9_2"), "error.campaign_not_found")
	h.Expect(h.Say(DaveDM, "/start c_"+code), "campaign.show")
	h.Expect(h.Say(DaveDM, "/start r_"+code+"_zz"), "campaign.show") // an unknown referrer still shows the campaign
	if err := h.Service.Refer(context.Background(), actor(t, h, ErinWeb), code, carol.ID, "Web!"); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("bad via: %v", err)
	}
	if err := h.Service.Refer(context.Background(), actor(t, h, ErinWeb), "nope", carol.ID, "web"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("bad code: %v", err)
	}
	h.Expect(h.Say(Bob, "/share"), "error.usage")
	h.Expect(h.Say(Bob, "/share zzzz9"), "error.campaign_not_found")
	h.Expect(h.Say(Bob, "/top zzzz9"), "error.campaign_not_found")
	h.Expect(h.Say(Admin, "/campaign close "+code+" confirm"), "campaign.closed")
	h.Expect(h.Say(Bob, "/share "+code), "error.campaign_closed")
	h.Expect(h.Say(Bob, "/top "+code), "top.title") // the board stays readable
}

// TestShareWithoutTelegram leaves the deep link out when the bot's name is unknown.
func TestShareWithoutTelegram(t *testing.T) {
	h := New(t, func(o *bots.Options) { o.TelegramBot = "" })
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	r := h.Expect(h.Say(Bob, "/share "+code), "share.title")
	if strings.Contains(r.Text, "t.me") || !strings.Contains(r.Text, "/c/"+code+"?ref=") || len(r.Buttons) != 0 {
		t.Fatalf("share without a bot name: %q %+v", r.Text, r.Buttons)
	}
}

// TestSpreadInEveryLanguage renders the spread replies in each language.
func TestSpreadInEveryLanguage(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		code := Code(t, h.Expect(h.Say(Admin.In(lang), `/campaign new ideas "Board"`), "campaign.created"))
		h.Expect(h.Say(Bob.In(lang), "/share "+code), "share.title")
		h.Expect(h.Say(Bob.In(lang), "/top "+code), "top.title")
		h.Expect(h.Say(Bob.In(lang), "/idea "+code+" x"), "idea.added")
		top := h.Expect(h.Say(Bob.In(lang), "/top "+code), "top.title")
		if lang != "en" && strings.Contains(top.Text, "Leaderboard") {
			t.Fatalf("not translated: %q", top.Text)
		}
		help := h.Expect(h.Say(Bob.In(lang), "/help"), "help.title")
		if !strings.Contains(help.Text, "/share") || !strings.Contains(help.Text, "/top") {
			t.Fatalf("help: %q", help.Text)
		}
	})
}

// TestPointsAreConfigurable: the operator's points show on /top and are what is
// credited.
func TestPointsAreConfigurable(t *testing.T) {
	db := New(t).Store
	settings := Settings()
	settings.Points = map[string]int{core.PointsIdea: 7, core.PointsReferral: 0}
	h := On(t, db)
	h.Service = core.NewService(db, h.Clock, settings)
	h.Router = bots.NewRouter(bots.Options{Service: h.Service, PublicURL: "http://crowd.example"})
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	share := h.Expect(h.Say(Bob, "/share "+code), "share.title")
	if strings.Contains(share.Text, "points for each") {
		t.Fatalf("no points for referrals, but the reply promises some: %q", share.Text)
	}
	h.Expect(h.Say(Bob, "/idea "+code+" x"), "idea.added")
	top := h.Expect(h.Say(Bob, "/top "+code), "top.title")
	if !strings.Contains(top.Text, "Bob — 7 points") || !strings.Contains(top.Text, "an idea +7") || strings.Contains(top.Text, "brought in +") {
		t.Fatalf("configured points: %q", top.Text)
	}
}

// TestProgressPostsEveryKind renders the scheduled progress post of every kind in
// every language, with its picture, and the picture follows the numbers.
func TestProgressPostsEveryKind(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	sp, m := actorIDs(t, h, Admin)
	now := h.Clock.Now()
	for _, k := range core.Kinds {
		c := campaignOfKind(t, h, k, "A "+string(k), sp, m, now)
		a := core.CampaignAnnouncement(c, core.ProgressKey(k), "title", c.Title, "code", c.Code)
		a.Image = "progress"
		for _, lang := range core.Locales {
			r, err := h.Router.Card(ctx, a, lang)
			if err != nil {
				t.Fatalf("%s %s: %v", k, lang, err)
			}
			CheckRendered(t, []bots.Reply{r})
			if r.Image == nil || len(r.Image.PNG) == 0 || !strings.Contains(r.Text, c.Title) || !strings.Contains(r.Text, "/share "+c.Code) {
				t.Fatalf("%s %s: %q, image %v", k, lang, r.Text, r.Image)
			}
		}
	}
	for a := range Settings().Points {
		if !h.Router.Catalog().Has("points.action." + a) {
			t.Errorf("no label for the points of %q", a)
		}
	}

	// the picture is cached until the numbers change
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	c, _ := h.Service.Campaign(ctx, code)
	first, err := h.Router.ProgressPNG(ctx, c, "it")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := h.Router.ProgressPNG(ctx, c, "it")
	if &first[0] != &again[0] {
		t.Error("the same numbers drew the picture again")
	}
	h.Expect(h.Say(Bob, "/idea "+code+" Pistachio"), "idea.added")
	after, _ := h.Router.ProgressPNG(ctx, c, "it")
	if bytes.Equal(first, after) {
		t.Error("a new idea left the picture as it was")
	}
	if other, _ := h.Router.ProgressPNG(ctx, c, "xx"); !bytes.Equal(other, mustPNG(t, h, c, "en")) {
		t.Error("an unknown language should draw in English")
	}
}

func mustPNG(t *testing.T, h *Harness, c *core.Campaign, locale string) []byte {
	t.Helper()
	b, err := h.Router.ProgressPNG(context.Background(), c, locale)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newKind is the command an admin creates each kind with.
var newKind = map[core.Kind]string{
	core.KindIdeas:      `/campaign new ideas "%s" closes=3d`,
	core.KindPoll:       `/poll new "%s" "Yes" "No" closes=3d`,
	core.KindContest:    `/contest new "%s" brief="A logo" prize="100 EUR" entries_close=2d voting_close=3d`,
	core.KindFundraiser: `/fund new "%s" goal="1000 EUR" closes=3d`,
	core.KindTasks:      `/tasks new "%s" instructions="Caption the photo" answer=text per_item=1 reward="0.05 EUR"`,
}

// campaignOfKind creates an open campaign of kind k the way an admin does; a kind
// whose commands this build does not have yet gets a bare campaign row.
func campaignOfKind(t *testing.T, h *Harness, k core.Kind, title string, sp, m int64, now time.Time) *core.Campaign {
	t.Helper()
	rs := h.Say(Admin, fmt.Sprintf(newKind[k], title))
	if len(rs) == 1 && rs[0].Key != "error.unknown_command" {
		code, _ := rs[0].Args["code"].(string)
		c, err := h.Service.Campaign(context.Background(), code)
		if err != nil {
			t.Fatalf("%s: %v %v", k, Keys(rs), err)
		}
		return c
	}
	c := &core.Campaign{Kind: k, Title: title, SpaceID: sp, State: core.StateOpen, OpensAt: now,
		TimeZone: "Europe/Rome", Schedule: core.DefaultSchedule, CreatedBy: m, CreatedAt: now, UpdatedAt: now}
	if err := h.Store.CreateCampaign(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

package bots_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// Admins of other communities, one per platform: each administers a space of its own
// and none created the campaigns under test.
var (
	tgStranger  = Who{Platform: core.Telegram, ID: "2001", Name: "Mallory", Locale: "en", Admin: true, Space: "-2002", Channel: "-2002"}
	dcStranger  = Who{Platform: core.Discord, ID: "3001", Name: "Trudy", Locale: "en", Admin: true, Space: "41771983423143937", Channel: "80351110224678912"}
	webStranger = Who{Platform: core.Web, ID: "eve", Name: "Eve", Locale: "en", Admin: true, Space: "web", Channel: "playground"}
)

// scopeFixture is one campaign of each kind, with what the admin commands act on.
type scopeFixture struct {
	ideas, poll, contest, fund, tasks string
	idea, idea2, entry, entry2        string
}

// newScopeFixture creates the campaigns as owner, an admin of owner's space.
func newScopeFixture(t *testing.T, h *Harness, owner, member Who) scopeFixture {
	t.Helper()
	var f scopeFixture
	create := func(cmd string) string {
		t.Helper()
		rs := h.Say(owner, cmd)
		if len(rs) == 0 {
			t.Fatalf("%s: no reply", cmd)
		}
		return Code(t, rs[0])
	}
	f.ideas = create(`/campaign new ideas "Board"`)
	f.poll = create(`/poll new "Venue?" Rome Milan`)
	f.contest = create(`/contest new "Logo" brief="A fox" prize="300 EUR" entries_close=7d voting_close=10d per_member=2`)
	f.fund = create(`/fund new "Van" goal="1000 EUR" closes=30d`)
	f.tasks = create("/tasks new \"Captions\" answer=text per_item=1\nhttps://img.example/a.jpg")
	id := func(r bots.Reply) string {
		t.Helper()
		v, ok := r.Args["id"].(int64)
		if !ok {
			t.Fatalf("reply %s carries no id: %v", r.Key, r.Args)
		}
		return itoa(v)
	}
	f.idea = id(h.Expect(h.Say(member, "/idea "+f.ideas+" A rooftop concert"), "idea.added"))
	f.idea2 = id(h.Expect(h.Say(member, "/idea "+f.ideas+" A beach party"), "idea.added"))
	f.entry = id(h.Expect(h.Say(member, "/enter "+f.contest+" Fox https://example.com/fox.png"), "contest.entered"))
	f.entry2 = id(h.Expect(h.Say(member, "/enter "+f.contest+" Owl https://example.com/owl.png"), "contest.entered"))
	return f
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// adminCommands are every admin command that acts on an existing campaign.
func (f scopeFixture) adminCommands() []string {
	return []string{
		"/campaign close " + f.ideas,
		"/campaign close " + f.ideas + " confirm",
		"/campaign cancel " + f.fund,
		"/campaign cancel " + f.fund + " confirm",
		`/campaign schedule ` + f.ideas + ` "0 9 * * 1"`,
		"/campaign invite " + f.poll,
		"/poll close " + f.poll,
		"/poll post " + f.poll,
		"/contest finalists " + f.contest + " " + f.entry + " " + f.entry2,
		"/contest pick " + f.contest + " " + f.entry,
		"/contest use " + f.contest + " " + f.entry + " 10",
		"/contest disqualify " + f.contest + " " + f.entry + " stolen",
		"/contest payouts " + f.contest,
		"/idea status " + f.ideas + " " + f.idea + " planned",
		"/idea merge " + f.ideas + " " + f.idea2 + " " + f.idea,
		"/idea tag " + f.ideas + " " + f.idea + " summer",
		"/idea hide " + f.ideas + " " + f.idea,
		"/idea unhide " + f.ideas + " " + f.idea,
		`/fund stretch ` + f.fund + ` 2000 "A second van"`,
		`/tier add ` + f.fund + ` "Gold" min="25 EUR" "A mug"`,
		`/expense add ` + f.fund + ` 10 "Fuel"`,
		"/backers " + f.fund,
		"/backers " + f.fund + " csv",
		"/tasks add " + f.tasks + "\nhttps://img.example/b.jpg",
		"/tasks review " + f.tasks,
		"/tasks export " + f.tasks,
		`/campaign edit ` + f.ideas + ` title="Renamed"`,
		`/tier edit ` + f.fund + ` 1 limit=5`,
		`/stretch edit ` + f.fund + ` 2000 to=3000`,
		`/expense correct ` + f.fund + ` 1 12`,
		`/expense remove ` + f.fund + ` 1`,
	}
}

// snapshot is what the campaigns look like to anyone, and what waits to be posted: a
// refused command must change none of it.
func (f scopeFixture) snapshot(t *testing.T, h *Harness, viewer Who) string {
	t.Helper()
	var b strings.Builder
	for _, cmd := range []string{
		"/campaign show " + f.ideas, "/campaign show " + f.fund, "/campaign show " + f.poll,
		"/ideas " + f.ideas, "/ideas " + f.ideas + " top", "/fund status " + f.fund, "/fund ledger " + f.fund,
		"/poll results " + f.poll, "/entries " + f.contest,
	} {
		for _, r := range h.Say(viewer, cmd) {
			b.WriteString(r.Key + ": " + r.Text + "\n")
		}
	}
	pending, err := h.Store.Outbox(context.Background(), core.OutboxPending, core.MaxOutboxList)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("pending posts: " + itoa(int64(len(pending))))
	return b.String()
}

// TestAdminRightsEndAtTheCampaignsSpace runs every admin command on campaigns of a
// Telegram group, a Discord server and the web as the admin of another community on
// each platform: each is refused, plainly, and nothing changes. The campaign's own
// admins, and configured owners, still run them.
func TestAdminRightsEndAtTheCampaignsSpace(t *testing.T) {
	homes := []struct {
		name          string
		owner, member Who
	}{
		{"telegram", Admin, Bob},
		{"discord", Who{Platform: core.Discord, ID: "4001", Name: "Dina", Locale: "en", Admin: true, Space: "900000000000000001", Channel: "900000000000000002"},
			Who{Platform: core.Discord, ID: "4002", Name: "Dan", Locale: "en", Space: "900000000000000001", Channel: "900000000000000002"}},
		{"web", Who{Platform: core.Web, ID: "olga", Name: "Olga", Locale: "en", Admin: true, Space: "web", Channel: "playground"},
			Who{Platform: core.Web, ID: "walt", Name: "Walt", Locale: "en", Space: "web", Channel: "playground"}},
	}
	for _, home := range homes {
		t.Run(home.name, func(t *testing.T) {
			h := New(t)
			f := newScopeFixture(t, h, home.owner, home.member)
			before := f.snapshot(t, h, home.member)
			for _, stranger := range []Who{tgStranger, dcStranger, webStranger} {
				if stranger.Platform == home.owner.Platform && stranger.Space == home.owner.Space {
					continue // an admin of the same space: one of the campaign's own
				}
				for _, cmd := range f.adminCommands() {
					rs := h.Say(stranger, cmd)
					if len(rs) != 1 || rs[0].Key != "error.not_your_campaign" {
						t.Errorf("%s admin runs %q on a %s campaign: %v %q", stranger.Platform, firstLine(cmd), home.name, Keys(rs), replyTexts(rs))
					}
				}
				h.Expect(h.Say(stranger, "/campaign link "+f.poll), "error.link_needs_key")
				h.Expect(h.Say(stranger, "/campaign link "+f.poll+" key=guessed"), "error.link_key_bad")
			}
			if after := f.snapshot(t, h, home.member); after != before {
				t.Fatalf("refused commands changed something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			// the campaign's own admin still manages it
			h.Expect(h.Say(home.owner, "/idea status "+f.ideas+" "+f.idea+" planned"), "idea.status_set")
			h.Expect(h.Say(home.owner, "/campaign close "+f.ideas+" confirm"), "campaign.closed")
		})
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// TestLinkingNeedsAnAdminOfBothSpaces: an admin of another community links a campaign
// only with a key from one of its managers, unexpired and the latest issued; members
// cannot ask for keys; a linked space's admin gets the posts, not the campaign.
func TestLinkingNeedsAnAdminOfBothSpaces(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	h.Expect(h.Say(Bob, "/campaign invite "+code), "error.admin_only")
	h.Expect(h.Say(dcStranger, "/campaign invite "+code), "error.not_your_campaign")

	first := h.Expect(h.Say(Admin, "/campaign invite "+code), "campaign.invite")
	if !first.Ephemeral {
		t.Fatal("a link key is shown to the admin alone")
	}
	old, _ := first.Args["key"].(string)
	key, _ := h.Expect(h.Say(Admin, "/campaign invite "+code), "campaign.invite").Args["key"].(string)
	if old == "" || key == "" || old == key {
		t.Fatalf("keys %q then %q", old, key)
	}
	h.Expect(h.Say(dcStranger, "/campaign link "+code+" key="+old), "error.link_key_bad") // replaced
	h.Expect(h.Say(dcStranger, "/campaign link "+code+" key="+strings.ToUpper(key)), "error.link_key_bad")
	h.Expect(h.Say(dcStranger.In("fr"), "/campaign link "+code), "error.link_needs_key")
	linked := h.Expect(h.Say(dcStranger, "/campaign link "+code+" key="+key), "campaign.linked")
	if !strings.Contains(linked.Text, "Board") {
		t.Fatalf("linked: %q", linked.Text)
	}
	// the same key links a second community within its day, not after
	h.Expect(h.Say(tgStranger, "/campaign link "+code+" key="+key), "campaign.linked")
	h.Clock.Advance(core.LinkKeyTTL)
	h.Expect(h.Say(webStranger, "/campaign link "+code+" key="+key), "error.link_key_bad")
	// linked, the Discord admin still cannot run the campaign
	h.Expect(h.Say(dcStranger, "/campaign close "+code), "error.not_your_campaign")
	// the creator links a group they administer without a key
	h.Expect(h.Say(Admin.On(core.Telegram, "-3003", "-3003"), "/campaign link "+code), "campaign.linked")
	links, err := h.Store.ChannelLinks(context.Background(), mustCampaign(t, h, code).ID)
	if err != nil || len(links) != 4 {
		t.Fatalf("links %v, %v; want the home group, Discord, the Telegram stranger's and the creator's second group", links, err)
	}
}

// TestOwnersManageEveryCampaign: a configured owner manages campaigns of any space,
// on any platform; an owner of the web (its admin login) likewise.
func TestOwnersManageEveryCampaign(t *testing.T) {
	h := New(t, func(o *bots.Options) { o.Owners = []string{"discord:3001"} })
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	h.Expect(h.Say(tgStranger, "/campaign close "+code), "error.not_your_campaign")
	h.Expect(h.Say(dcStranger, "/campaign link "+code), "campaign.linked")
	h.Expect(h.Say(dcStranger, "/campaign close "+code+" confirm"), "campaign.closed")

	code = Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Second"`), "campaign.created"))
	in := h.Input(webStranger)
	in.Text, in.Owner = "/campaign cancel "+code+" confirm", true
	h.Expect(h.Do(in), "campaign.cancelled")
}

// TestManagesInTheCore states the rule on core.Actor itself.
func TestManagesInTheCore(t *testing.T) {
	c := &core.Campaign{SpaceID: 7, CreatedBy: 70}
	for _, tc := range []struct {
		name string
		a    core.Actor
		want bool
	}{
		{"an admin of its space", core.Actor{Admin: true, Space: core.Space{ID: 7}, Member: core.Member{ID: 1}}, true},
		{"an admin of another space", core.Actor{Admin: true, Space: core.Space{ID: 8}, Member: core.Member{ID: 1}}, false},
		{"a member of its space", core.Actor{Space: core.Space{ID: 7}, Member: core.Member{ID: 1}}, false},
		{"its creator, anywhere", core.Actor{Space: core.Space{ID: 9}, Member: core.Member{ID: 70}}, true},
		{"an owner", core.Actor{Admin: true, Owner: true, Space: core.Space{ID: 8}}, true},
		{"no space at all", core.Actor{Admin: true}, false},
	} {
		if got := tc.a.Manages(c); got != tc.want {
			t.Errorf("%s: Manages = %v", tc.name, got)
		}
	}
	if (core.Actor{Owner: true}).Manages(nil) {
		t.Error("nobody manages no campaign")
	}
}

func mustCampaign(t *testing.T, h *Harness, code string) *core.Campaign {
	t.Helper()
	c, err := h.Service.Campaign(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func replyTexts(rs []bots.Reply) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

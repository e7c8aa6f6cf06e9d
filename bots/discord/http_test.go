package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

// createCampaign makes an ideas campaign as Ada and returns its code.
func (e *env) createCampaign(title string) string {
	e.t.Helper()
	got := e.do(e.dc.Command(ada, here, "campaign", "new", []dcfake.Option{{Name: "kind", Type: 3, Value: "ideas"}, {Name: "title", Type: 3, Value: title}}))
	return firstKey(e.t, got.messages()[0].text, "en", "campaign.created")["code"]
}

func (e *env) ideaCount(code string) int {
	e.t.Helper()
	c, err := e.h.Service.Campaign(context.Background(), code)
	if err != nil {
		e.t.Fatal(err)
	}
	n, _, err := e.h.Service.IdeaTotals(context.Background(), c)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestPing(t *testing.T) {
	e := newEnv(t)
	a := e.dc.Deliver(t, e.url, e.dc.Ping())
	if a.Status != http.StatusOK || a.Type != 1 || string(a.Body) != `{"type":1}` {
		t.Fatalf("PING answered %d %s", a.Status, a.Body)
	}
}

// TestSignature refuses what Discord did not sign, or signed too long ago, with
// 401, and changes nothing.
func TestSignature(t *testing.T) {
	e := newEnv(t)
	code := e.createCampaign("Signed")
	idea := func() map[string]any {
		return e.dc.Command(bob, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "Sneaky"}})
	}
	now := e.h.Clock.Now()
	cases := []struct {
		name string
		at   time.Time
		sign bool
	}{
		{"wrong signature", now, false},
		{"stale timestamp", now.Add(-6 * time.Minute), true},
		{"future timestamp", now.Add(6 * time.Minute), true},
	}
	for _, c := range cases {
		a := e.dc.Post(t, e.url, idea(), c.at, c.sign)
		if a.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s", c.name, a.Status, a.Body)
		}
	}
	// a PING with a bad signature is refused too: Discord checks this
	if a := e.dc.Post(t, e.url, e.dc.Ping(), now, false); a.Status != http.StatusUnauthorized {
		t.Errorf("unsigned PING: %d", a.Status)
	}
	// a body changed after signing
	it := idea()
	a := e.dc.Post(t, e.url, it, now, true)
	if a.Status != http.StatusOK {
		t.Fatalf("signed: %d", a.Status)
	}
	e.ad.Wait(context.Background())
	if n := e.ideaCount(code); n != 1 {
		t.Fatalf("%d ideas, want only the signed one", n)
	}
	for _, h := range []map[string]string{
		{"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": "1"},
		{"X-Signature-Ed25519": strings.Repeat("ab", 64)},
		{},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.url, strings.NewReader(`{"type":1}`))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("headers %v: %d", h, resp.StatusCode)
		}
	}
	if resp, err := http.Get(e.url); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp, err)
	}
}

// TestReplay delivers the same interaction twice: one idea, and a short private
// notice the second time, since Discord wants an answer.
func TestReplay(t *testing.T) {
	e := newEnv(t)
	code := e.createCampaign("Twice")
	it := e.dc.Command(bob, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "Only once"}})
	first := e.do(it)
	firstKey(t, first.messages()[0].text, "en", "idea.added")
	again := e.do(it)
	m := again.messages()
	if len(m) != 1 || !m[0].private {
		t.Fatalf("replay showed %+v", m)
	}
	firstKey(t, m[0].text, "en", "error.duplicate_update")
	if n := e.ideaCount(code); n != 1 {
		t.Fatalf("%d ideas after a replay", n)
	}
	// a replayed button press is acknowledged silently and counts once
	twin := e.do(e.dc.Command(cara, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "only ONCE"}}))
	vote := twin.messages()[0].button(t, "iv:")
	press := e.dc.Press(cara, here, vote, nil)
	firstKey(t, e.do(press).messages()[0].text, "en", "idea.voted")
	if a := e.do(press).answer; a.Type != 6 {
		t.Fatalf("replayed press answered %d %s", a.Type, a.Body)
	}
	firstKey(t, e.do(e.dc.Press(cara, here, vote, nil)).messages()[0].text, "en", "idea.unvoted")
}

// TestLanguage answers in the member's client language, and in the guild's when the
// client's is one crowdbot does not speak.
func TestLanguage(t *testing.T) {
	e := newEnv(t)
	it := func(u dcfake.User, w dcfake.Where) map[string]any { return e.dc.Command(u, w, "earnings", "", nil) }
	fr := bob
	fr.Locale = "fr"
	firstKey(t, e.do(it(fr, here)).messages()[0].text, "fr", "earnings.none")
	it2 := cara
	it2.Locale = "it"
	firstKey(t, e.do(it(it2, here)).messages()[0].text, "it", "earnings.none")
	de := dcfake.User{ID: "700000000000000009", Username: "dieter", Locale: "de"}
	firstKey(t, e.do(it(de, dcfake.Where{Guild: "800000000000000077", Channel: channel, GuildLocale: "it"})).messages()[0].text, "it", "earnings.none")
}

// TestDeferred answers every interaction late: "thinking" or a silent
// acknowledgement at once, then the replies by editing that response or following
// it up.
func TestDeferred(t *testing.T) {
	e := newEnv(t, func(o *discord.Options) { o.QuickReply = -1 })
	code := e.createCampaign("Slow")
	got := e.do(e.dc.Command(bob, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "Later"}}))
	if got.answer.Type != 5 || got.answer.Data != nil {
		t.Fatalf("answer %s", got.answer.Body)
	}
	m := got.messages()
	if len(m) != 1 || m[0].how != "PATCH @original" || m[0].private {
		t.Fatalf("follow-ups %+v", m)
	}
	firstKey(t, m[0].text, "en", "idea.added")

	// a private command thinks privately
	got = e.do(e.dc.Command(bob, here, "earnings", "", nil))
	if got.answer.Type != 5 || got.answer.Data["flags"] != float64(64) {
		t.Fatalf("private answer %s", got.answer.Body)
	}
	firstKey(t, got.messages()[0].text, "en", "earnings.none")

	// an error is private, the thinking was public: the thinking goes, a private
	// follow-up comes
	got = e.do(e.dc.Command(bob, here, "campaign", "close", []dcfake.Option{{Name: "code", Type: 3, Value: code}}))
	calls := got.calls
	if len(calls) != 2 || calls[0].Method != "DELETE" || calls[1].Method != "POST" {
		t.Fatalf("calls %v", calls)
	}
	if m := got.messages(); len(m) != 1 || !m[0].private {
		t.Fatalf("messages %+v", m)
	}

	// a page button edits its message after a silent acknowledgement
	list := e.do(e.dc.Command(bob, here, "ideas", "", []dcfake.Option{{Name: "code", Type: 3, Value: code}}))
	if list.answer.Type != 5 {
		t.Fatalf("list answered %s", list.answer.Body)
	}
	vote := list.messages()[0].button(t, "iv:")
	got = e.do(e.dc.Press(cara, here, vote, nil))
	if got.answer.Type != 6 {
		t.Fatalf("press answered %s", got.answer.Body)
	}
	if m := got.messages(); len(m) != 1 || !strings.HasPrefix(m[0].how, "POST ") || !m[0].private {
		t.Fatalf("vote follow-ups %+v", m)
	}
	// a modal cannot follow a deferral: the question comes with a button that opens it
	suggest := list.messages()[0].button(t, "ia:")
	got = e.do(e.dc.Press(bob, here, suggest, nil))
	m = got.messages()
	if len(m) != 1 || !m[0].private || len(m[0].buttons) != 1 || m[0].buttons[0].id != suggest {
		t.Fatalf("prompt follow-up %+v", m)
	}
	// a replay: the thinking becomes the notice
	it := e.dc.Command(bob, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "Again"}})
	e.do(it)
	// (the replay carries the same token: its calls follow the first delivery's)
	m = e.do(it).messages()
	if len(m) != 2 || m[1].how != "PATCH @original" {
		t.Fatalf("replay %+v", m)
	}
	firstKey(t, m[1].text, "en", "error.duplicate_update")
}

// TestAutocomplete offers the guild's campaigns matching what was typed, live
// ones first.
func TestAutocomplete(t *testing.T) {
	e := newEnv(t)
	mango := e.createCampaign("Mango festival")
	lime := e.createCampaign("Lime week")
	e.do(e.dc.Command(ada, here, "campaign", "close", []dcfake.Option{{Name: "code", Type: 3, Value: lime}, {Name: "confirm", Type: 5, Value: true}}))
	elsewhere := e.do(e.dc.Command(ada, dcfake.Where{Guild: "800000000000000002", Channel: "810000000000000002"}, "campaign", "new",
		[]dcfake.Option{{Name: "kind", Type: 3, Value: "ideas"}, {Name: "title", Type: 3, Value: "Mango elsewhere"}}))
	other := firstKey(t, elsewhere.messages()[0].text, "en", "campaign.created")["code"]

	choices := func(sub, typed string) []string {
		t.Helper()
		name := "idea"
		opts := []dcfake.Option{{Name: "code", Type: 3, Value: typed, Focused: true}}
		if sub == "" {
			name, sub = "ideas", ""
		}
		a := e.dc.Deliver(t, e.url, e.dc.Autocomplete(bob, here, name, sub, opts))
		if a.Status != 200 || a.Type != 8 {
			t.Fatalf("autocomplete answered %d %s", a.Status, a.Body)
		}
		var out []string
		list, _ := a.Data["choices"].([]any)
		for _, c := range list {
			cm := c.(map[string]any)
			out = append(out, cm["value"].(string)+"="+cm["name"].(string))
		}
		return out
	}
	got := choices("submit", "")
	if len(got) != 2 || !strings.HasPrefix(got[0], mango+"=") || !strings.HasPrefix(got[1], lime+"=") {
		t.Errorf("all: %v", got)
	}
	if got := choices("", "MANGO"); len(got) != 1 || got[0] != mango+"="+mango+" · Mango festival" {
		t.Errorf("by title: %v (not %s)", got, other)
	}
	if got := choices("submit", strings.ToLower(lime)); len(got) != 1 || !strings.HasPrefix(got[0], lime) {
		t.Errorf("by code: %v", got)
	}
	if got := choices("submit", "zzz"); len(got) != 0 {
		t.Errorf("nothing: %v", got)
	}
	// an option that is not a campaign code offers nothing
	a := e.dc.Deliver(t, e.url, e.dc.Autocomplete(bob, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: mango}, {Name: "text", Type: 3, Value: "x", Focused: true}}))
	if a.Type != 8 || a.Data["choices"] != nil {
		t.Errorf("text option: %s", a.Body)
	}
	if bad := e.rest.Refused(); len(bad) > 0 {
		t.Fatal(bad)
	}
}

// TestAdmins: Manage Server, the configured role by id or by name, the configured
// owners; nobody else.
func TestAdmins(t *testing.T) {
	for _, c := range []struct {
		name, role string
		who        dcfake.User
		owners     []string
		admin      bool
	}{
		{name: "manage server", who: ada, admin: true},
		{name: "administrator", who: dcfake.User{ID: "700000000000000011", Username: "root", Permissions: "8"}, admin: true},
		{name: "member", who: bob},
		{name: "role id", role: "860000000000000001", who: dcfake.User{ID: "700000000000000012", Username: "mod", Roles: []string{"860000000000000001"}}, admin: true},
		{name: "role name", role: "Crowd Team", who: dcfake.User{ID: "700000000000000013", Username: "team", Roles: []string{"860000000000000002"}}, admin: true},
		{name: "other role", role: "Crowd Team", who: dcfake.User{ID: "700000000000000014", Username: "fan", Roles: []string{"860000000000000003"}}},
		{name: "owner", who: bob, owners: []string{"discord:" + bob.ID}, admin: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(o *discord.Options) { o.AdminRole = c.role })
			if c.owners != nil {
				e = newEnvOwners(t, c.role, c.owners)
			}
			e.rest.SetRoles(guild, map[string]string{"860000000000000002": "crowd team", "860000000000000003": "Fans"})
			got := e.do(e.dc.Command(c.who, here, "campaign", "new", []dcfake.Option{{Name: "kind", Type: 3, Value: "ideas"}, {Name: "title", Type: 3, Value: "Who"}}))
			key := "error.admin_only"
			if c.admin {
				key = "campaign.created"
			}
			firstKey(t, got.messages()[0].text, "en", key)
			// the guild's roles are read once, not at every interaction
			e.do(e.dc.Command(c.who, here, "help", "", nil))
			reads := len(e.rest.Find("GET", `^/guilds/`+guild+`/roles$`))
			if want := map[bool]int{true: 1, false: 0}[c.role != "" && c.role[0] > '9']; reads != want && len(c.who.Roles) > 0 {
				t.Errorf("roles read %d times, want %d", reads, want)
			}
		})
	}
}

// TestPrivateChat runs commands in a private chat with the bot: its own space, no
// admin rights from a guild.
func TestPrivateChat(t *testing.T) {
	e := newEnv(t)
	firstKey(t, e.do(e.dc.Command(ada, dm, "campaign", "new", []dcfake.Option{{Name: "kind", Type: 3, Value: "ideas"}, {Name: "title", Type: 3, Value: "DM"}})).messages()[0].text, "en", "error.admin_only")
	firstKey(t, e.do(e.dc.Command(bob, dm, "campaign", "list", nil)).messages()[0].text, "en", "campaign.list_empty")
	sp, _, err := e.h.Service.Identify(context.Background(), core.SpaceRef{Platform: core.Discord, ExternalID: dmBob, Title: "Bob"}, core.MemberRef{Platform: core.Discord, ExternalID: bob.ID})
	if err != nil || sp.ExternalID != dmBob {
		t.Fatalf("private space %+v %v", sp, err)
	}
}

// TestStaleCommand answers commands registered by an older version: an unknown
// command as the Router does, an unknown subcommand with a notice.
func TestStaleCommand(t *testing.T) {
	e := newEnv(t)
	for key, it := range map[string]map[string]any{
		"error.unknown_command": e.dc.Command(bob, here, "frobnicate", "", nil),
		"error.bad_update":      e.dc.Command(bob, here, "campaign", "frobnicate", nil),
	} {
		got := e.do(it)
		m := got.messages()
		if got.answer.Type != 4 || len(m) != 1 || !m[0].private {
			t.Fatalf("answer %s", got.answer.Body)
		}
		firstKey(t, m[0].text, "en", key)
	}
}

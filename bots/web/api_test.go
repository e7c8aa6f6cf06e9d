package web

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestChatContract runs a whole ideas campaign through POST /api/chat and checks the
// exact shape of every answer.
func TestChatContract(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	rs := b.say("alice", `/campaign new ideas "Better bikes" closes=7d Ideas for the town`)
	if len(rs) != 1 || !slices.Equal(keys(rs[0]), []string{"text"}) {
		t.Fatalf("created: %v", rs)
	}
	c := e.newest()
	if !strings.Contains(text(rs[0]), c.Code) || c.Title != "Better bikes" || c.Description != "Ideas for the town" {
		t.Fatalf("campaign %+v, reply %q", c, text(rs[0]))
	}

	rs = b.say("bob", "/idea "+c.Code+" More bike lanes on the ring road")
	if want := e.tr("en", "idea.added", "id", 1, "code", c.Code); len(rs) != 1 || text(rs[0]) != want {
		t.Fatalf("idea: %v, want %q", rs, want)
	}

	// a board with vote buttons: buttons are flattened, each a label and an action
	rs = b.say("alice", "/ideas "+c.Code)
	if len(rs) != 1 || !slices.Equal(keys(rs[0]), []string{"buttons", "text"}) {
		t.Fatalf("board: %v", rs)
	}
	for _, btn := range rs[0]["buttons"].([]any) {
		if k := keys(btn.(map[string]any)); !slices.Equal(k, []string{"action", "label"}) {
			t.Errorf("button keys %v", k)
		}
	}
	vote := button(t, rs[0], "iv:")
	rs = b.press("alice", vote)
	if want := e.tr("en", "idea.voted", "id", 1, "count", 1); len(rs) != 1 || text(rs[0]) != want {
		t.Fatalf("vote: %v, want %q", rs, want)
	}

	// the suggest button asks a question; the next plain text answers it
	suggest := button(t, b.say("carol", "/ideas "+c.Code)[0], "ia:")
	rs = b.press("carol", suggest)
	if len(rs) != 1 || rs[0]["prompt"] == nil {
		t.Fatalf("suggest should prompt: %v", rs)
	}
	rs = b.say("carol", "Bike parking at the station")
	if want := e.tr("en", "idea.added", "id", 2, "code", c.Code); len(rs) != 1 || text(rs[0]) != want {
		t.Fatalf("answer to the prompt: %v, want %q", rs, want)
	}

	// refusals are ordinary replies that say why
	rs = b.say("bob", `/campaign new ideas "Mine"`)
	if want := e.tr("en", "error.admin_only"); len(rs) != 1 || text(rs[0]) != want {
		t.Fatalf("non-admin: %v", rs)
	}
	b.say("alice", "/campaign close "+c.Code+" confirm")
	rs = b.say("bob", "/idea "+c.Code+" One more idea after the close")
	if want := e.tr("en", "error.campaign_closed", "code", c.Code); len(rs) != 1 || text(rs[0]) != want {
		t.Fatalf("closed: %v, want %q", rs, want)
	}
	rs = b.say("bob", "/frobnicate")
	if want := e.tr("en", "error.unknown_command", "command", "/frobnicate"); text(rs[0]) != want {
		t.Fatalf("unknown command: %v", rs)
	}
	// plain text with no question pending gets a hint to the commands
	if rs := b.say("bob", "hello there"); len(rs) != 1 || text(rs[0]) != e.tr("en", "help.hint") {
		t.Fatalf("chat: %v", rs)
	}
}

// TestChatErrors checks the 4xx answers: each a translated {"error": "..."}.
func TestChatErrors(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	post := func(body string, header ...string) (int, map[string]any) {
		res := b.do(http.MethodPost, "/api/chat", strings.NewReader(body), header...)
		return res.StatusCode, decode(t, res.Body)
	}
	jsonType := []string{"Content-Type", "application/json"}
	cases := []struct {
		name   string
		body   string
		header []string
		status int
		key    string
	}{
		{"bad json", `{"member": "alice", "text": `, jsonType, 400, "web.error.bad_json"},
		{"wrong type", `{"member": 7, "text": "/help"}`, jsonType, 400, "web.error.bad_json"},
		{"trailing data", `{"member": "alice", "text": "/help"} {"text": "/idea"}`, jsonType, 400, "web.error.bad_json"},
		{"trailing garbage", `{"member": "alice", "text": "/help"}]`, jsonType, 400, "web.error.bad_json"},
		{"not json", `member=alice&text=/help`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "web.error.json_only"},
		{"text/plain", `{"member":"alice","text":"/help"}`, []string{"Content-Type", "text/plain"}, 415, "web.error.json_only"},
		{"empty", `{"member": "alice", "text": "   "}`, jsonType, 400, "web.error.empty"},
		{"no member", `{"text": "/help"}`, jsonType, 400, "web.error.bad_member"},
		{"long member", `{"member": "` + strings.Repeat("n", 40) + `", "text": "/help"}`, jsonType, 400, "web.error.bad_member"},
		{"control member", `{"member": "al\u0000ice", "text": "/help"}`, jsonType, 400, "web.error.bad_member"},
		{"session-shaped member", `{"member": "~abc", "text": "/help"}`, jsonType, 400, "web.error.bad_member"},
		{"bad update id", `{"member": "alice", "text": "/help", "update_id": "a b"}`, jsonType, 400, "web.error.bad_update_id"},
		{"bad locale", `{"member": "alice", "text": "/help", "locale": "de"}`, jsonType, 400, "error.bad_locale"},
		{"unknown action", `{"member": "alice", "action": "zz:1"}`, jsonType, 400, "error.unknown_action"},
		{"action too long", `{"member": "alice", "action": "iv:` + strings.Repeat("1", 80) + `"}`, jsonType, 400, "error.unknown_action"},
		{"too large", `{"member": "alice", "text": "` + strings.Repeat("x", maxChatBody) + `"}`, jsonType, 413, "web.error.too_large"},
		{"text too long", `{"member": "alice", "text": "` + strings.Repeat("x", maxChatText+1) + `"}`, jsonType, 413, "web.error.too_large"},
		{"two files", `{"member": "alice", "text": "/help", "attachments": [{"name": "a.csv", "data": "YQ=="}, {"name": "b.csv", "data": "Yg=="}]}`, jsonType, 400, "web.error.attachments_one"},
		{"file not base64", `{"member": "alice", "text": "/help", "attachments": [{"name": "a.csv", "data": "%%%"}]}`, jsonType, 400, "web.error.bad_attachment"},
		{"empty file", `{"member": "alice", "text": "/help", "attachments": [{"name": "a.csv", "data": ""}]}`, jsonType, 400, "web.error.bad_attachment"},
		{"other site", `{"member":"alice","text":"/help"}`, append([]string{"Origin", "https://evil.example"}, jsonType...), 403, "web.error.origin"},
		{"rebinding", `{"member":"alice","text":"/help"}`, append([]string{"Host", "evil.example"}, jsonType...), 403, "web.error.host"},
	}
	for _, c := range cases {
		status, out := post(c.body, c.header...)
		if status != c.status || !slices.Equal(keys(out), []string{"error"}) {
			t.Errorf("%s: %d %v, want %d and only an error", c.name, status, out, c.status)
			continue
		}
		if msg, _ := out["error"].(string); msg == "" || strings.Contains(msg, c.key) || strings.Contains(msg, "{{") {
			t.Errorf("%s: untranslated error %q", c.name, msg)
		}
	}
	// the error speaks the request's language
	status, out := post(`{"member": "alice", "action": "zz:1", "locale": "fr"}`, jsonType...)
	if want := e.tr("fr", "error.unknown_action"); status != 400 || out["error"] != want {
		t.Errorf("french error: %d %v, want %q", status, out, want)
	}
	status, out = post(`{"member": "alice", "text": ""}`, "Content-Type", "application/json", "Accept-Language", "it-IT,it;q=0.9")
	if want := e.tr("it", "web.error.empty"); status != 400 || out["error"] != want {
		t.Errorf("italian error: %d %v, want %q", status, out, want)
	}
	// a page of this very site may post
	if status, _ := post(`{"member":"alice","text":"/help"}`, "Content-Type", "application/json", "Origin", e.ts.URL); status != 200 {
		t.Errorf("same origin refused: %d", status)
	}
}

// TestChatUpdateID checks that a retried request with the same update_id changes
// nothing and gets no reply, while another member's same id is independent.
func TestChatUpdateID(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.say("alice", `/campaign new ideas "Board"`)
	c := e.newest()
	send := func(member, id string) []map[string]any {
		code, out := b.chat(map[string]any{"member": member, "text": "/idea " + c.Code + " Shade trees in the square", "update_id": id})
		if code != 200 {
			t.Fatalf("%d %v", code, out)
		}
		return replies(t, out)
	}
	if rs := send("bob", "m-1"); len(rs) != 1 {
		t.Fatalf("first: %v", rs)
	}
	if rs := send("bob", "m-1"); len(rs) != 0 {
		t.Fatalf("the same update twice should answer nothing: %v", rs)
	}
	// carol's "m-1" is her own update; her idea is the same text, so she is told it exists
	if rs := send("carol", "m-1"); len(rs) != 1 {
		t.Fatalf("another member's id: %v", rs)
	}
	ideas, _, err := e.h.Service.IdeaTotals(context.Background(), c)
	if err != nil || ideas != 1 {
		t.Fatalf("ideas = %d, %v", ideas, err)
	}
}

// TestReplyJSON checks how each part of a reply maps to JSON.
func TestReplyJSON(t *testing.T) {
	rep := bots.Reply{
		Text: "hi",
		Buttons: [][]bots.Button{
			{{Label: "Vote", Action: "iv:1"}, {Label: "Site", URL: "https://example.com/x"}},
			{{Label: "Next", Action: "il:k7Fq2:top:2"}},
		},
		Image:  bots.ProgressImage("k7Fq2"),
		File:   &bots.File{Name: "k7Fq2-ideas.csv", Type: "text/csv", Data: []byte("a,b\n")},
		Prompt: &bots.Prompt{Action: "ia:k7Fq2", Long: true, Max: 1000},
		Edit:   true,
	}
	got := toReplyJSON(rep)
	if got.Image != "/c/k7Fq2/progress.png" || len(got.Buttons) != 3 || got.Buttons[1].URL != "https://example.com/x" || got.Buttons[1].Action != "" {
		t.Fatalf("reply %+v", got)
	}
	if got.File == nil || got.File.URL != "data:text/csv;base64,YSxiCg==" || got.Prompt == nil || !got.Prompt.Long || got.Prompt.Max != 1000 || !got.Edit {
		t.Fatalf("file/prompt %+v %+v", got.File, got.Prompt)
	}
	inline := toReplyJSON(bots.Reply{Text: "x", Image: &bots.Image{PNG: []byte{1, 2}}})
	if inline.Image != "data:image/png;base64,AQI=" {
		t.Fatalf("inline image %q", inline.Image)
	}
	plain := toReplyJSON(bots.Reply{Text: "x"})
	if plain.Buttons != nil || plain.Image != "" || plain.File != nil || plain.Prompt != nil {
		t.Fatalf("plain %+v", plain)
	}
}

// TestAPICampaigns checks GET /api/campaigns and /api/campaigns/<code>: the keys,
// the numbers, and a translated 404.
func TestAPICampaigns(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	res := b.get("/api/campaigns")
	if res.StatusCode != 200 || strings.TrimSpace(res.Body) != "[]" {
		t.Fatalf("empty list: %d %q", res.StatusCode, res.Body)
	}
	b.say("alice", `/campaign new ideas "No deadline"`)
	b.say("alice", `/campaign new ideas "Timed" closes=48h`)
	c := e.newest()
	b.say("bob", "/idea "+c.Code+" Free water fountains")
	b.say("carol", "/idea "+c.Code+" Longer opening hours")
	vote := button(t, b.say("carol", "/ideas "+c.Code)[0], "iv:")
	b.press("carol", vote)

	res = b.get("/api/campaigns")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("list: %d %v", res.StatusCode, res.Header)
	}
	var list []map[string]any
	if err := jsonUnmarshal(res.Body, &list); err != nil || len(list) != 2 {
		t.Fatalf("list %v %s", err, res.Body)
	}
	for _, m := range list {
		if k := keys(m); !slices.Equal(k, []string{"closes_at", "code", "kind", "progress", "state", "title"}) {
			t.Errorf("campaign keys %v", k)
		}
		if k := keys(m["progress"].(map[string]any)); !slices.Equal(k, []string{"ideas", "votes"}) {
			t.Errorf("progress keys %v", k)
		}
	}
	if list[1]["closes_at"] != nil || list[1]["title"] != "No deadline" {
		t.Errorf("no deadline: %v", list[1])
	}

	res = b.get("/api/campaigns/" + c.Code)
	one := decode(t, res.Body)
	p := one["progress"].(map[string]any)
	if res.StatusCode != 200 || one["code"] != c.Code || one["kind"] != "ideas" || one["state"] != "open" || p["ideas"] != 2.0 || p["votes"] != 1.0 {
		t.Fatalf("one: %d %v", res.StatusCode, one)
	}
	if want := c.ClosesAt.UTC().Format("2006-01-02T15:04:05Z"); one["closes_at"] != want {
		t.Errorf("closes_at %v, want %s", one["closes_at"], want)
	}
	// the same numbers as the bots
	prog, err := e.h.Service.Progress(context.Background(), c)
	if err != nil || prog.Ideas.Ideas != 2 || prog.Ideas.Votes != 1 {
		t.Fatalf("core progress %+v %v", prog, err)
	}

	for _, code := range []string{"zzzz9", "nope", "%3Cscript%3E"} {
		res = b.get("/api/campaigns/"+code, "Accept-Language", "fr")
		out := decode(t, res.Body)
		if res.StatusCode != 404 || !slices.Equal(keys(out), []string{"error"}) || !strings.Contains(out["error"].(string), "campagne") {
			t.Errorf("%s: %d %v", code, res.StatusCode, out)
		}
	}
}

// TestProgressJSONShapes checks the progress object of every kind, from the core
// structs the kinds fill in.
func TestProgressJSONShapes(t *testing.T) {
	eur := func(n int64) core.Money { return core.Money{Amount: n, Currency: "EUR"} }
	cases := []struct {
		kind core.Kind
		p    *core.Progress
		want string
	}{
		{core.KindIdeas, &core.Progress{Ideas: &core.IdeasProgress{Ideas: 3, Votes: 9}}, `{"ideas":3,"votes":9}`},
		{core.KindPoll, &core.Progress{Poll: &core.PollProgress{Ballots: 5, Options: []core.OptionTally{{Label: "Red", Votes: 3}, {Label: "Blue", Votes: 2}}}},
			`{"ballots":5,"options":[{"label":"Red","votes":3},{"label":"Blue","votes":2}]}`},
		{core.KindPoll, &core.Progress{Poll: &core.PollProgress{Ballots: 5, Hidden: true, Options: []core.OptionTally{{Label: "Red"}, {Label: "Blue"}}}},
			`{"ballots":5,"hidden":true,"options":[{"label":"Red"},{"label":"Blue"}]}`},
		{core.KindPoll, &core.Progress{}, `{"ballots":0,"options":[]}`},
		{core.KindContest, &core.Progress{Contest: &core.ContestProgress{Entries: 4, Votes: 12}}, `{"entries":4,"votes":12}`},
		{core.KindFundraiser, &core.Progress{Fundraiser: &core.FundraiserProgress{Raised: eur(12550), Goal: eur(2000000), Spent: eur(100), Backers: 7, Percent: 0}},
			`{"raised":12550,"goal":2000000,"currency":"EUR","backers":7,"percent":0}`},
		{core.KindFundraiser, nil, `{"raised":0,"goal":0,"currency":"","backers":0,"percent":0}`},
		{core.KindTasks, &core.Progress{Tasks: &core.TasksProgress{Items: 10, Settled: 4, Answers: 13}}, `{"items":10,"settled":4,"answers":13}`},
		{core.KindTasks, &core.Progress{}, `{"items":0,"settled":0,"answers":0}`},
	}
	for _, c := range cases {
		got := jsonString(t, progressJSON(c.kind, c.p))
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.kind, got, c.want)
		}
	}
}

// TestIdentityLocal checks the local try-out: names are trusted, the first member is
// an admin and stays one across a restart (it is kept in the database), owners from
// the configuration are admins.
func TestIdentityLocal(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	if rs := b.say("alice", `/campaign new ideas "First"`); !strings.Contains(text(rs[0]), "First") {
		t.Fatalf("the first local member should be an admin: %v", rs)
	}
	denied := e.tr("en", "error.admin_only")
	if rs := b.say("bob", `/campaign new ideas "Second"`); text(rs[0]) != denied {
		t.Fatalf("bob is no admin: %v", rs)
	}
	// any browser may speak as alice here: the name is who speaks
	if rs := e.browser().say("alice", `/campaign new ideas "Third"`); strings.Contains(text(rs[0]), denied) {
		t.Fatalf("alice from another browser: %v", rs)
	}
	if rs := b.say("olivia", `/campaign new ideas "Owner's"`); text(rs[0]) == denied {
		t.Fatalf("a configured owner (web:olivia) is an admin: %v", rs)
	}

	// a restart over the same database keeps alice, and only alice
	again := *e
	again.srv = New(e.opts)
	again.ts = httptest.NewServer(again.srv.Handler())
	t.Cleanup(again.ts.Close)
	b2 := again.browser()
	if rs := b2.say("carol", `/campaign new ideas "Carol's"`); text(rs[0]) != denied {
		t.Fatalf("after a restart carol is no admin: %v", rs)
	}
	if rs := b2.say("alice", `/campaign new ideas "Again"`); text(rs[0]) == denied {
		t.Fatalf("after a restart alice is still the admin: %v", rs)
	}
}

// TestIdentitySession checks a public server: who speaks is the session cookie, not
// the name in the body, and admin rights need the admin login.
func TestIdentitySession(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Local = false })
	denied := e.tr("en", "error.admin_only")
	a := e.visitor()
	if rs := a.say("olivia", `/campaign new ideas "Takeover"`); text(rs[0]) != denied {
		t.Fatalf("a name from the body gives no rights: %v", rs)
	}
	a.login()
	if rs := a.say("whoever", `/campaign new ideas "Public board"`); text(rs[0]) == denied {
		t.Fatalf("after the admin login: %v", rs)
	}
	c := e.newest()

	// one browser is one member, whatever name it gives
	a.say("alice", "/idea "+c.Code+" Benches in the park")
	vote := button(t, a.say("alice", "/ideas "+c.Code)[0], "iv:")
	if rs := a.press("mallory", vote); text(rs[0]) != e.tr("en", "error.idea_own_vote") {
		t.Fatalf("another name from the same browser is the same member: %v", rs)
	}
	// another browser with the same name is someone else
	b := e.visitor()
	if rs := b.press("alice", vote); text(rs[0]) != e.tr("en", "idea.voted", "id", 1, "count", 1) {
		t.Fatalf("another browser: %v", rs)
	}
	if rs := b.say("alice", `/campaign new ideas "Nope"`); text(rs[0]) != denied {
		t.Fatalf("no admin without the login: %v", rs)
	}
	// a forged cookie is no session at all
	forged := e.browser()
	forged.c.Jar.SetCookies(mustURL(e.ts.URL), []*http.Cookie{{Name: sessionCookie, Value: e.srv.sign(&session{Visitor: "x", Admin: strings.Repeat("0", 32), AdminKey: e.srv.adminKey, Expires: 1 << 40}) + "x"}})
	if code, out := forged.chat(map[string]any{"member": "x", "text": `/campaign new ideas "Forged"`}); code != http.StatusUnauthorized || out["error"] != e.tr("en", "web.error.no_session") {
		t.Fatalf("a forged cookie: %d %v", code, out)
	}
	// names are only shown here, so no Host check applies (the jar keeps the cookie
	// for the test server's address, not for the name)
	cookie := b.c.Jar.Cookies(mustURL(e.ts.URL))[0]
	if code, out := b.chat(map[string]any{"member": "bob", "text": "/help"}, "Host", "crowd.example", "Cookie", cookie.String()); code != 200 {
		t.Fatalf("public host: %d %v", code, out)
	}
}

// TestSessionRenewal keeps a regular visitor the same member past the first
// session's lifetime, as long as they come back in time.
func TestSessionRenewal(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Local = false })
	b := e.browser()
	b.login()
	b.say("ada", `/campaign new ideas "Long run"`)
	c := e.newest()
	b.say("ada", "/idea "+c.Code+" Benches by the lake")
	vote := button(t, b.say("ada", "/ideas "+c.Code)[0], "iv:")
	for range 4 {
		e.h.Clock.Advance(20 * 24 * time.Hour)
		// the cookie jar drops a cookie past its Max-Age only by wall time, so the
		// server's own expiry is what this checks
		if rs := b.press("ada", vote); text(rs[0]) != e.tr("en", "error.idea_own_vote") {
			t.Fatalf("the visitor became someone else: %v", rs)
		}
	}
	e.h.Clock.Advance(sessionTTL + time.Hour)
	if code, _ := b.chat(map[string]any{"member": "ada", "action": vote}); code != http.StatusUnauthorized {
		t.Fatalf("an expired session is no session: %d", code)
	}
	b.get("/playground")
	if rs := b.press("ada", vote); text(rs[0]) != e.tr("en", "idea.voted", "id", 1, "count", 1) {
		t.Fatalf("after a page load, a new visitor: %v", rs)
	}
}

// TestWebAdminsManageTheWebsCampaigns: the web's first local member administers the
// web's own campaigns only; a Telegram group's campaign is not theirs, while the
// admin login (the deployment's token) manages it.
func TestWebAdminsManageTheWebsCampaigns(t *testing.T) {
	e := newEnv(t)
	code := botstest.Code(t, e.h.Expect(e.h.Say(botstest.Admin, `/campaign new ideas "Group board"`), "campaign.created"))
	b := e.browser()
	if rs := b.say("alice", `/campaign new ideas "Web board"`); !strings.Contains(text(rs[0]), "Web board") {
		t.Fatalf("the first local member should be an admin: %v", rs)
	}
	refused := e.tr("en", "error.not_your_campaign", "code", code)
	for _, cmd := range []string{"/campaign close " + code, `/campaign schedule ` + code + ` "0 9 * * 1"`, "/campaign invite " + code} {
		if rs := b.say("alice", cmd); text(rs[0]) != refused {
			t.Errorf("%q by the web's admin: %v", cmd, rs)
		}
	}
	if rs := b.say("alice", "/campaign link "+code); text(rs[0]) != e.tr("en", "error.link_needs_key", "code", code) {
		t.Errorf("linking by the web's admin: %v", rs)
	}
	if c, _ := e.h.Service.Campaign(context.Background(), code); c.State != core.StateOpen {
		t.Fatalf("the group's campaign is %s", c.State)
	}
	admin := e.browser()
	admin.login()
	if rs := admin.say("root", "/campaign close "+code+" confirm"); !strings.Contains(text(rs[0]), "closed") {
		t.Fatalf("the admin login closes any campaign: %v", rs)
	}
}

// tinyPNG is a picture's first bytes, enough to be taken for a PNG.
var tinyPNG = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)

func attachment(name, typ string, data []byte) []map[string]any {
	return []map[string]any{{"name": name, "type": typ, "data": base64.StdEncoding.EncodeToString(data)}}
}

// TestChatAttachments sends files with messages: a CSV of task items goes to the
// job; a picture in the try-out becomes an image entry, served back as it was sent
// and shown on the entry; a link to a picture is shown as one; a public server
// keeps no pictures.
func TestChatAttachments(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	send := func(member, text string, files []map[string]any) []map[string]any {
		t.Helper()
		status, out := b.chat(map[string]any{"member": member, "text": text, "attachments": files})
		if status != http.StatusOK {
			t.Fatalf("%s %q: %d %v", member, text, status, out)
		}
		return replies(t, out)
	}
	job := send("alice", `/tasks new "Cat or dog?" answer=choice:"cat","dog" per_item=1`+"\nhttps://img.example/1.jpg", nil)
	code := e.newest().Code
	added := text(send("alice", "/tasks add "+code, attachment("more.csv", "text/csv", []byte("text;media_url\nWhich?;https://img.example/2.jpg\n")))[0])
	if !strings.Contains(added, "1 item added; the job now has 2") {
		t.Errorf("CSV import: %q (job %q)", added, text(job[0]))
	}

	send("alice", `/contest new "Logo" brief="A logo" prize="300 EUR" entries_close=7d voting_close=10d`, nil)
	contest := e.newest().Code
	entered := send("bob", "/enter "+contest+` "Sunny wave"`, attachment("wave.png", "image/png", tinyPNG))
	if !strings.Contains(text(entered[0]), "Sunny wave") {
		t.Fatalf("entry: %v", entered)
	}
	page := send("carol", "/entries "+contest, nil)[0]
	img, _ := page["image"].(string)
	local := e.ts.URL + "/files/"
	if !strings.HasPrefix(img, local) {
		t.Fatalf("the entry shows %q, want a picture under %s", img, local)
	}
	res := b.get(strings.TrimPrefix(img, e.ts.URL))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Body != string(tinyPNG) {
		t.Errorf("the picture is served %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Content-Type-Options"))
	}
	if res := b.get("/files/0123456789abcdef0123456789abcdef"); res.StatusCode != 404 {
		t.Errorf("unknown picture: %d", res.StatusCode)
	}

	// a link to a picture is shown as one
	send("carol", "/enter "+contest+" Palm https://pics.example/palm.png", nil)
	second := send("carol", "/entries "+contest, nil)[0]
	next := button(t, second, "ce:")
	shown := b.press("carol", next)[0]
	if media, _ := shown["media"].([]any); len(media) != 1 || media[0] != "https://pics.example/palm.png" {
		t.Errorf("media of %q: %v", text(shown), shown["media"])
	}

	// a public server keeps no pictures
	pub := newEnv(t, func(o *Options) { o.Local = false })
	v := pub.visitor()
	status, out := v.chat(map[string]any{"member": "dan", "text": "/help", "attachments": attachment("x.png", "image/png", tinyPNG)})
	if status != http.StatusBadRequest || out["error"] != pub.tr("en", "web.error.pictures_tryout") {
		t.Errorf("picture on a public server: %d %v", status, out)
	}
}

func TestMediaOf(t *testing.T) {
	got := mediaOf("Entry: https://a.example/x.PNG, see https://a.example/page and http://127.0.0.1:8080/files/abc. Again https://a.example/x.PNG", "")
	if !slices.Equal(got, []string{"https://a.example/x.PNG", "http://127.0.0.1:8080/files/abc"}) {
		t.Errorf("media %q", got)
	}
	if got := mediaOf("https://a.example/x.jpg", "https://a.example/x.jpg"); len(got) != 0 {
		t.Errorf("the picture shown already is listed again: %q", got)
	}
}

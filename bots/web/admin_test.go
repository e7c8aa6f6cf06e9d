package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// adminPaths are every admin page.
var adminPaths = []string{"/admin", "/admin/outbox", "/admin/export/zzzz9.csv"}

// TestAdminNeedsLogin checks that no admin page answers without the login, on a
// loopback address too, even to the first local member.
func TestAdminNeedsLogin(t *testing.T) {
	for _, local := range []bool{true, false} {
		e := newEnv(t, func(o *Options) { o.Local = local })
		c := e.create("Secret numbers", "")
		b := e.visitor()
		b.say("alice", "/help") // alice is the local owner, which is no admin login
		for _, path := range append(adminPaths, "/admin/export/"+c.Code+".csv") {
			res := b.get(path)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" || strings.Contains(res.Body, c.Title) {
				t.Errorf("local=%v %s: %d %q", local, path, res.StatusCode, res.Header.Get("Location"))
			}
		}
	}
}

// TestAdminLogin logs in with the token, uses the dashboard, logs out; wrong tokens,
// expired and forged sessions get nothing.
func TestAdminLogin(t *testing.T) {
	e := newEnv(t)
	c := e.create("Board", "")
	b := e.browser()
	form := func(token string) response {
		return b.do(http.MethodPost, "/admin/login", strings.NewReader(url.Values{"token": {token}}.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	}
	if res := b.get("/admin/login"); res.StatusCode != 200 || !strings.Contains(res.Body, `type="password"`) {
		t.Fatalf("login form: %d", res.StatusCode)
	}
	for _, wrong := range []string{"", "correct horse battery stapl", testToken + " ", strings.ToUpper(testToken)} {
		res := form(wrong)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, e.tr("en", "web.login.wrong")) {
			t.Errorf("token %q: %d", wrong, res.StatusCode)
		}
	}
	if res := b.get("/admin"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("wrong tokens opened the dashboard: %d", res.StatusCode)
	}
	b.login()
	res := b.get("/admin")
	if res.StatusCode != 200 || !strings.Contains(res.Body, c.Title) || !strings.Contains(res.Body, "/admin/export/"+c.Code+".csv") ||
		res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("dashboard: %d %v", res.StatusCode, res.Header)
	}
	if !strings.Contains(b.get("/").Body, e.tr("en", "web.nav.logout")) {
		t.Errorf("pages should offer to log out")
	}
	// the login lasts adminTTL
	e.h.Clock.Advance(adminTTL + time.Minute)
	if res := b.get("/admin"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired login: %d", res.StatusCode)
	}
	b.login()
	if res := b.do(http.MethodPost, "/admin/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res := b.get("/admin"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", res.StatusCode)
	}
	// a cookie signed with another key opens nothing, nor one rightly signed that
	// names a login the database does not hold (a leaked session secret alone)
	other := newEnv(t)
	for _, signer := range []*Adapter{other.srv, e.srv} {
		forged := e.browser()
		forged.setSession(signer.sign(&session{Visitor: "v", Admin: strings.Repeat("ab", 16), AdminKey: e.srv.adminKey, Expires: 1 << 40}))
		if res := forged.get("/admin"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("forged session: %d", res.StatusCode)
		}
	}

	// without a token the admin pages stay closed (but to a try-out's owner, see
	// TestTryoutOwnerNeedsNoToken)
	closed := newEnv(t, func(o *Options) { o.AdminToken = ""; o.Local = false })
	cb := closed.browser()
	if res := cb.get("/admin/login"); !strings.Contains(res.Body, closed.tr("en", "web.login.closed")) {
		t.Errorf("closed login page")
	}
	res = cb.do(http.MethodPost, "/admin/login", strings.NewReader("token="), "Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("closed login: %d", res.StatusCode)
	}
}

// TestLogoutEndsCopies: after logout a copy of the cookie taken before it opens no
// admin page and gives no owner rights, on this server and on another replica; a
// logout another site's page sends is refused and ends nothing.
func TestLogoutEndsCopies(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	e := newEnv(t, func(o *Options) { o.Local = false; o.SessionSecret = secret })
	replica := e.restart()
	b := e.visitor()
	b.login()
	copied := replica.browser()
	copied.setSession(b.sessionValue())
	if res := copied.get("/admin"); res.StatusCode != http.StatusOK {
		t.Fatalf("the copy before logout, on the replica: %d", res.StatusCode)
	}
	if rs := copied.say("x", `/campaign new ideas "Owned"`); strings.Contains(text(rs[0]), e.tr("en", "error.admin_only")) {
		t.Fatalf("the copy before logout is no owner: %v", rs)
	}

	for _, cross := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		if res := b.do(http.MethodPost, "/admin/logout", nil, cross...); res.StatusCode != http.StatusForbidden ||
			!strings.Contains(res.Body, e.tr("en", "web.error.origin")) {
			t.Fatalf("cross-site logout %v: %d", cross, res.StatusCode)
		}
	}
	if res := copied.get("/admin"); res.StatusCode != http.StatusOK {
		t.Fatalf("a refused logout ended the login: %d", res.StatusCode)
	}

	if res := b.do(http.MethodPost, "/admin/logout", nil, "Origin", e.ts.URL); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	for name, br := range map[string]*browser{"the browser": b, "the copy": copied} {
		if res := br.get("/admin"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
			t.Errorf("%s after logout: %d", name, res.StatusCode)
		}
		if strings.Contains(br.get("/").Body, e.tr("en", "web.nav.logout")) {
			t.Errorf("%s after logout is offered to log out", name)
		}
	}
	if rs := copied.say("x", `/campaign new ideas "Owned"`); text(rs[0]) != e.tr("en", "error.admin_only") {
		t.Fatalf("the copy after logout is still an owner: %v", rs)
	}
	// the visitor stays who they were
	if b.sessionValue() == "" {
		t.Fatal("logout dropped the visitor's session")
	}
	b.login()
	if res := b.get("/admin"); res.StatusCode != http.StatusOK {
		t.Fatalf("logging in again: %d", res.StatusCode)
	}
}

// TestAdminTokenChangeEndsLogins: a login outlives a restart with the same token and
// session secret, and ends when the server comes back with another token, or none.
func TestAdminTokenChangeEndsLogins(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	e := newEnv(t, func(o *Options) { o.SessionSecret = secret })
	b := e.browser()
	b.login()
	cookie := b.sessionValue()
	for _, c := range []struct {
		token string
		want  int
	}{
		{testToken, http.StatusOK},
		{"another token entirely", http.StatusSeeOther},
		{"", http.StatusSeeOther},
	} {
		// on a public server: a try-out without a token opens the dashboard to its owner
		r := e.restart(func(o *Options) { o.AdminToken, o.Local = c.token, false })
		copied := r.browser()
		copied.setSession(cookie)
		if res := copied.get("/admin"); res.StatusCode != c.want {
			t.Errorf("token %q: %d, want %d", c.token, res.StatusCode, c.want)
		}
	}
}

// TestAdminLoginRate slows guessing down.
func TestAdminLoginRate(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	limited := false
	for range 30 {
		res := b.do(http.MethodPost, "/admin/login", strings.NewReader("token=guess"), "Content-Type", "application/x-www-form-urlencoded")
		if res.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("thirty wrong tokens in a row were all checked")
	}
}

// TestExportCSV exports an ideas board: a header, every idea, and cells that a
// spreadsheet would run as formulas defused.
func TestExportCSV(t *testing.T) {
	e := newEnv(t)
	c := e.create("Exports", "")
	b := e.browser()
	texts := []string{`=HYPERLINK("http://evil.example","click")`, "+SUM(A1:A2)", "@cmd|' /C calc'!A0", "-2+3 more parks", "Plain, with \"quotes\"\nand a new line"}
	for i, s := range texts {
		if rs := b.say("member"+string(rune('a'+i)), "/idea "+c.Code+" "+s); !strings.Contains(text(rs[0]), "#") {
			t.Fatalf("idea %q: %v", s, rs)
		}
	}
	b.login()
	res := b.get("/admin/export/" + c.Code + ".csv")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="`+c.Code+`-ideas.csv"` {
		t.Fatalf("export: %d %v", res.StatusCode, res.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, res.Body)
	}
	if len(rows) != len(texts)+1 || rows[0][0] != "id" || !slices.Contains(rows[0], "text") {
		t.Fatalf("rows %v", rows)
	}
	col := slices.Index(rows[0], "text")
	got := map[string]bool{}
	for _, r := range rows[1:] {
		got[r[col]] = true
	}
	for _, s := range texts {
		want := core.CleanText(s)
		if strings.ContainsRune("=+-@", rune(want[0])) {
			want = "'" + want
		}
		if !got[want] {
			t.Errorf("export lacks %q in %v", want, got)
		}
	}

	// errors are pages with their status
	if res := b.get("/admin/export/zzzz9.csv"); res.StatusCode != 404 {
		t.Errorf("unknown code: %d", res.StatusCode)
	}
	if res := b.get("/admin/export/" + c.Code + ".xlsx"); res.StatusCode != 404 {
		t.Errorf("other format: %d", res.StatusCode)
	}
}

// TestSafeCell defuses formula cells and leaves numbers and text alone.
func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "hello": "hello", "=1+1": "'=1+1", "+33 6 12": "'+33 6 12", "@SUM(A1)": "'@SUM(A1)",
		"-12.50": "-12.50", "-3": "-3", "-1+1": "'-1+1", "- item": "'- item", "\t=1": "'\t=1", "\r=1": "'\r=1",
		"12.50 EUR": "12.50 EUR", "a=b": "a=b",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
	if fileName(`k7Fq2-"ideas"/../x`) != "k7Fq2-ideas..x" || fileName("ü") != "export" {
		t.Errorf("fileName %q", fileName(`k7Fq2-"ideas"/../x`))
	}
}

// TestOutboxPage lists waiting posts, and parked posts with their errors, escaped.
func TestOutboxPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.h
	created := h.Expect(h.Say(botstest.Admin, `/campaign new ideas "Linked"`), "campaign.created")
	code := botstest.Code(t, created)
	h.Expect(h.Say(botstest.Admin, "/campaign link "+code), "campaign.linked")
	c, err := h.Service.Campaign(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	anns := []core.Announcement{core.CampaignAnnouncement(c, "announce.closed", "title", c.Title, "code", c.Code), core.CampaignAnnouncement(c, "announce.cancelled", "title", c.Title)}
	if err := h.Store.Enqueue(ctx, h.Clock.Now(), anns...); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login()
	if body := b.get("/admin/outbox").Body; !strings.Contains(body, e.tr("en", "web.outbox.empty")) {
		t.Fatalf("nothing parked yet")
	}
	if body := b.get("/admin").Body; !strings.Contains(body, e.tr("en", "web.admin.pending", "count", 2)) || !strings.Contains(body, e.tr("en", "web.admin.parked", "count", 0)) {
		t.Fatalf("dashboard counts")
	}
	if err := h.Store.Exec(ctx, "UPDATE outbox_items SET state = ?, attempts = 8, last_error = ? WHERE key = ?",
		string(core.OutboxParked), `403 Forbidden: <script>alert("bot removed")</script>`, "announce.closed"); err != nil {
		t.Fatal(err)
	}
	res := b.get("/admin/outbox")
	for _, want := range []string{"announce.closed", "/c/" + code, "-1001", `&lt;script&gt;alert(&#34;bot removed&#34;)&lt;/script&gt;`, ">8</td>"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("outbox lacks %q", want)
		}
	}
	if strings.Contains(res.Body, "<script>alert") {
		t.Errorf("outbox shows raw markup")
	}
	// the waiting row is listed under the dashboard's count of waiting posts, the
	// parked one under the parked
	waiting, parked, _ := strings.Cut(res.Body, `id="parked"`)
	if !strings.Contains(waiting, e.tr("en", "web.admin.pending", "count", 1)) || !strings.Contains(waiting, "announce.cancelled") ||
		strings.Contains(waiting, "announce.closed") || strings.Contains(parked, "announce.cancelled") {
		t.Errorf("outbox sections:\n%s", res.Body)
	}
	if body := b.get("/admin").Body; !strings.Contains(body, e.tr("en", "web.admin.parked", "count", 1)) {
		t.Errorf("dashboard parked count")
	}
}

// TestServiceOutboxNeedsAdmin checks the core method the outbox page uses.
func TestServiceOutboxNeedsAdmin(t *testing.T) {
	e := newEnv(t)
	if _, err := e.h.Service.Outbox(context.Background(), core.Actor{}, core.OutboxParked, 10); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("err = %v", err)
	}
}

// TestHTTPStatus maps every core code.
func TestHTTPStatus(t *testing.T) {
	for code, want := range map[core.Code]int{
		core.EINVALID: 400, core.ENOTFOUND: 404, core.EFORBIDDEN: 403, core.ECONFLICT: 409,
		core.ECLOSED: 409, core.ELIMIT: 429, core.EDUPLICATE: 409, core.EINTERNAL: 500,
	} {
		if got := httpStatus(core.Errorf(code, "error.internal")); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
}

// TestTryoutOwnerNeedsNoToken: on a local try-out without an admin token, whoever
// opens the dashboard from this machine has it, with no login form and no logout;
// through a proxy, from another site's page, under a foreign Host, with a token
// configured or on a public server, the login is still the way in.
func TestTryoutOwnerNeedsNoToken(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AdminToken = "" })
	c := e.create("Bike lanes", "")
	b := e.browser()
	for _, path := range []string{"/admin", "/admin/outbox", "/admin/export/" + c.Code + ".csv"} {
		if res := b.get(path); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want the page", path, res.StatusCode)
		}
	}
	res := b.get("/admin")
	if !strings.Contains(res.Body, c.Code) || strings.Contains(res.Body, "/admin/logout") {
		t.Errorf("dashboard of the try-out's owner:\n%s", res.Body)
	}
	if res := b.get("/admin/login"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Errorf("login form: %d %s, want the dashboard", res.StatusCode, res.Header.Get("Location"))
	}
	for name, header := range map[string][]string{
		"proxied":    {"X-Forwarded-For", "198.51.100.7"},
		"forwarded":  {"Forwarded", "for=198.51.100.7"},
		"cross-site": {"Sec-Fetch-Site", "cross-site"},
		"rebinding":  {"Host", "evil.example"},
	} {
		if res := b.get("/admin", header...); res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: %d, want the login form", name, res.StatusCode)
		}
	}
	for name, env := range map[string]*env{
		"with a token":    e.restart(func(o *Options) { o.AdminToken = testToken }),
		"a public server": e.restart(func(o *Options) { o.Local = false }),
	} {
		if res := env.browser().get("/admin"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: %d, want the login form", name, res.StatusCode)
		}
	}
}

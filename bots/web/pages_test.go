package web

import (
	"bytes"
	"fmt"
	"image/png"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/i18n"
)

// hostile is a title and a description written to break out of HTML.
const (
	hostileTitle = `<script>alert("t")</script> "Quotes" & 'apostrophes'`
	hostileDesc  = "javascript:alert(1)\n<img src=x onerror=alert(2)>\n\"><svg onload=alert(3)>"
)

// TestPagesEscapeHostileText renders every page that shows a campaign's title,
// description or ideas, and fails if any of it arrives as markup.
func TestPagesEscapeHostileText(t *testing.T) {
	e := newEnv(t)
	c := e.create(hostileTitle, hostileDesc)
	b := e.browser()
	b.say("bob", "/idea "+c.Code+" <script>alert('idea')</script> \"onmouseover=alert(4)")
	b.login()
	for _, path := range []string{"/", "/c/" + c.Code, "/admin", "/playground?say=%3C%2Ftextarea%3E%3Cscript%3Ealert(5)%3C%2Fscript%3E"} {
		res := b.get(path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", `href="javascript:`, "onerror=alert(2)>", `"onmouseover=`, "</textarea><script>"} {
			if strings.Contains(res.Body, bad) {
				t.Errorf("%s holds %q unescaped", path, bad)
			}
		}
		if path != "/playground?say=%3C%2Ftextarea%3E%3Cscript%3Ealert(5)%3C%2Fscript%3E" && !strings.Contains(res.Body, "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;") {
			t.Errorf("%s does not show the escaped title", path)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	page := b.get("/c/" + c.Code).Body
	for _, want := range []string{
		`<meta property="og:title" content="&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &#34;Quotes&#34; &amp; &#39;apostrophes&#39;">`,
		`&lt;img src=x onerror=alert(2)&gt;`,
		`&lt;script&gt;alert(&#39;idea&#39;)&lt;/script&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("campaign page lacks %s", want)
		}
	}
	// the JSON API escapes for HTML too, for pages that paste it in
	if body := b.get("/api/campaigns").Body; strings.Contains(body, "<script>") {
		t.Errorf("JSON holds raw markup: %s", body)
	}
}

// TestIndex lists campaigns with kind, state, progress and deadline, in the
// visitor's language.
func TestIndex(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	res := b.get("/")
	if res.StatusCode != 200 || !strings.Contains(res.Body, e.tr("en", "web.index.empty")) {
		t.Fatalf("empty index: %d", res.StatusCode)
	}
	c := e.create("Parks", "Greener parks")
	b.say("bob", "/idea "+c.Code+" More trees along the river")
	res = b.get("/", "Accept-Language", "it-IT,it;q=0.9,en;q=0.5")
	for _, want := range []string{
		`<html lang="it">`, `href="/c/` + c.Code + `"`, e.tr("it", "kind.ideas"), e.tr("it", "state.open"),
		e.tr("it", "web.count.ideas", "count", 1) + " · " + e.tr("it", "web.count.votes", "count", 0),
		`<progress max="100" value="0"`, `<time datetime="2026-03-05T09:00:00Z" data-local>2026-03-05 10:00 CET</time>`,
		`name="viewport"`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	// half the time gone shows on the bar
	e.h.Clock.Advance(36 * time.Hour)
	if body := b.get("/").Body; !strings.Contains(body, `value="50"`) || !strings.Contains(body, e.tr("en", "web.time_passed", "percent", 50)) {
		t.Errorf("time bar at half time missing")
	}
	// ?lang= wins over Accept-Language and is remembered
	res = b.get("/?lang=fr", "Accept-Language", "it")
	if !strings.Contains(res.Body, `<html lang="fr">`) {
		t.Errorf("?lang=fr ignored")
	}
	if res = b.get("/", "Accept-Language", "it"); !strings.Contains(res.Body, `<html lang="fr">`) {
		t.Errorf("the chosen language is not remembered")
	}
}

// TestCampaignPage checks the public page: numbers, image, deadline, how to take
// part, and the share-preview tags with absolute URLs.
func TestCampaignPage(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.TelegramBot = "@crowdbot" })
	c := e.create("Bike lanes", "Where should the city paint new lanes?")
	b := e.browser()
	b.say("bob", "/idea "+c.Code+" Along the canal")
	b.say("carol", "/idea "+c.Code+" Past the schools")
	b.press("carol", button(t, b.say("carol", "/ideas "+c.Code)[0], "iv:"))

	res := b.get("/c/" + c.Code)
	if res.StatusCode != 200 {
		t.Fatalf("%d", res.StatusCode)
	}
	img := "https://crowd.example/c/" + c.Code + "/progress.png"
	for _, want := range []string{
		"<h1>Bike lanes</h1>",
		e.tr("en", "web.count.ideas", "count", 2) + " · " + e.tr("en", "web.count.votes", "count", 1),
		"Along the canal", "Past the schools",
		`<img class="progress-image" src="/c/` + c.Code + `/progress.png"`,
		`<time datetime="2026-03-05T09:00:00Z" data-local>2026-03-05 10:00 CET</time>`,
		e.tr("en", "web.join.ideas", "code", c.Code),
		`href="https://t.me/crowdbot"`,
		`href="/playground?say=%2fideas%20` + c.Code + `"`,
		`<meta property="og:image" content="` + img + `">`,
		`<meta name="twitter:image" content="` + img + `">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<meta property="og:url" content="https://crowd.example/c/` + c.Code + `">`,
		`<meta property="og:description" content="Where should the city paint new lanes?">`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// the same numbers as /campaign show in the chat
	show := text(b.say("bob", "/campaign show "+c.Code)[0])
	if !strings.Contains(show, e.tr("en", "ideas.summary", "count", 2, "votes", 1)) {
		t.Errorf("bots say %q", show)
	}

	// without an image function there is no image and a plain card
	plain := newEnv(t, func(o *Options) { o.ProgressPNG = nil })
	c2 := plain.create("Plain", "")
	body := plain.browser().get("/c/" + c2.Code).Body
	if strings.Contains(body, "progress.png") || !strings.Contains(body, `<meta name="twitter:card" content="summary">`) {
		t.Errorf("page without images")
	}

	// an unknown code is a translated 404
	res = b.get("/c/zzzz9", "Accept-Language", "fr")
	if res.StatusCode != 404 || !strings.Contains(res.Body, e.tr("fr", "error.campaign_not_found", "code", "zzzz9")) {
		t.Errorf("unknown: %d", res.StatusCode)
	}
	if res = b.get("/c/%3Cb%3E"); res.StatusCode != 404 || strings.Contains(res.Body, "<b>") {
		t.Errorf("hostile code: %d", res.StatusCode)
	}
}

// TestReferral follows a share link, then takes part: the referrer is credited
// through Refer for the member who speaks, once.
func TestReferral(t *testing.T) {
	for _, local := range []bool{true, false} {
		e := newEnv(t, func(o *Options) { o.Local = local })
		c := e.create("Shared", "")
		b := e.browser()
		if res := b.get("/c/" + c.Code + "?ref=42"); res.StatusCode != 200 || !strings.Contains(res.Body, `<link rel="canonical" href="https://crowd.example/c/`+c.Code+`">`) {
			t.Fatalf("page with ref: %d", res.StatusCode)
		}
		if got := e.refs.list(); len(got) != 0 {
			t.Fatalf("visiting records nothing yet: %v", got)
		}
		b.get("/c/" + c.Code + "?ref=77") // the first referrer wins
		b.get("/c/" + c.Code + "?ref=-1") // nonsense is ignored
		b.say("bob", "/idea "+c.Code+" Came through a friend")
		b.say("bob", "/ideas "+c.Code)
		got := e.refs.list()
		who := "bob"
		if !local {
			who = e.refs.seen[0].Member.ExternalID
			if !strings.HasPrefix(who, sessionPrefix) {
				t.Fatalf("session member id %q", who)
			}
		}
		if len(got) != 1 || got[0] != who+" "+c.Code+" 42 web" {
			t.Fatalf("local=%v: referrals %v", local, got)
		}
		// a visitor without a link credits no one
		e.visitor().say("carol", "/ideas "+c.Code)
		if len(e.refs.list()) != 1 {
			t.Fatalf("referrals %v", e.refs.list())
		}
	}
	// with no referral service the link is only a link
	e := newEnv(t, func(o *Options) { o.Referrals = nil })
	c := e.create("Shared", "")
	res := e.browser().get("/c/" + c.Code + "?ref=42")
	if res.StatusCode != 200 || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("no referrer: %d %q", res.StatusCode, res.Header.Get("Set-Cookie"))
	}
}

// TestProgressImage serves the injected image with caching headers, in the
// visitor's language.
func TestProgressImage(t *testing.T) {
	e := newEnv(t)
	c := e.create("Image", "")
	b := e.browser()
	res := b.get("/c/"+c.Code+"/progress.png", "Accept-Language", "it")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("ETag") == "" {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	if _, err := png.Decode(bytes.NewReader([]byte(res.Body))); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := e.images.locales; len(got) != 1 || got[0] != "it" {
		t.Errorf("locales %v", got)
	}
	if again := b.get("/c/"+c.Code+"/progress.png", "If-None-Match", res.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.StatusCode)
	}
	if res := b.get("/c/zzzz9/progress.png"); res.StatusCode != 404 {
		t.Errorf("unknown: %d", res.StatusCode)
	}
	none := newEnv(t, func(o *Options) { o.ProgressPNG = nil })
	c2 := none.create("No image", "")
	if res := none.browser().get("/c/" + c2.Code + "/progress.png"); res.StatusCode != 404 {
		t.Errorf("without a drawer: %d", res.StatusCode)
	}
}

// TestPlaygroundPage serves the chat box and its script.
func TestPlaygroundPage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	res := b.get("/playground?say=/ideas%20k7Fq2", "Accept-Language", "fr")
	for _, want := range []string{`id="chat-form"`, `id="log"`, `data-say="/ideas k7Fq2"`, `data-local="true"`, `src="/static/playground.js"`, e.tr("fr", "web.playground.send")} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("playground lacks %q", want)
		}
	}
	pub := newEnv(t, func(o *Options) { o.Local = false })
	if body := pub.browser().get("/playground").Body; !strings.Contains(body, `data-local="false"`) || !strings.Contains(body, pub.tr("en", "web.playground.name")) {
		t.Errorf("public playground")
	}
	for path, typ := range map[string]string{"/static/playground.js": "text/javascript", "/static/site.js": "text/javascript", "/static/style.css": "text/css"} {
		res := b.get(path)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), typ) {
			t.Errorf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if res := b.get("/static/nope.js"); res.StatusCode != 404 {
		t.Errorf("missing static: %d", res.StatusCode)
	}
}

// TestHealthAndMetrics keeps /healthz and /metrics as they were.
func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	if res := b.get("/healthz"); res.StatusCode != 200 || res.Body != "ok\n" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("healthz %d %q", res.StatusCode, res.Body)
	}
	b.get("/nowhere")
	res := b.get("/metrics", "Authorization", "Bearer "+testToken)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `crowdbot_http_requests_total{code="200",route="GET /healthz"} 1`) ||
		!strings.Contains(res.Body, `route="unmatched"`) {
		t.Fatalf("metrics:\n%s", res.Body)
	}
	if res := b.do(http.MethodDelete, "/api/chat", nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /api/chat: %d", res.StatusCode)
	}
}

// TestLocale picks the page language from ?lang=, then Accept-Language.
func TestLocale(t *testing.T) {
	for header, want := range map[string]string{
		"": "en", "fr-CA": "fr", "it-IT,en;q=0.5": "it", "de-DE": "en", "de,fr;q=0.8": "fr",
		"en-GB,en;q=0.9": "en", "*": "en", "garbage;;;q=x": "en", "pt-BR,it;q=0.1": "it",
	} {
		if got := acceptLocale(header); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
}

// TestLocal says which addresses are a local try-out.
func TestLocal(t *testing.T) {
	for _, c := range []struct {
		addr, public string
		want         bool
	}{
		{"127.0.0.1:8080", "", true},
		{"localhost:8080", "", true},
		{"[::1]:8080", "http://[::1]:8080", true},
		{"127.0.0.1:8080", "http://localhost:8080", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"10.0.0.5:8080", "", false},
		{"127.0.0.1:8080", "https://crowd.example", false}, // behind a proxy on the same machine
		{"nonsense", "", false},
	} {
		if got := Local(c.addr, c.public); got != c.want {
			t.Errorf("Local(%q, %q) = %v", c.addr, c.public, got)
		}
	}
}

// templateKey matches the catalog keys templates translate.
var templateKey = regexp.MustCompile(`\.T "([a-z_.]+)"`)

// TestTemplateKeysExist fails when a template names a key no catalog has (the
// catalog test checks that every key is in every language).
func TestTemplateKeysExist(t *testing.T) {
	cat := i18n.MustLoad()
	files, _ := fs.Glob(templateFS, "templates/*.html")
	n := 0
	for _, f := range files {
		data, _ := fs.ReadFile(templateFS, f)
		for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
			n++
			if !cat.Has(m[1]) {
				t.Errorf("%s: key %q is in no catalog", f, m[1])
			}
		}
	}
	if n < 30 {
		t.Fatalf("found only %d keys: the scan is broken", n)
	}
	for _, k := range joinKeys {
		if !cat.Has(k) {
			t.Errorf("join key %q missing", k)
		}
	}
}

// TestPollSharesAgree: a poll's page shows the same percentages as its card in the
// chat, rounded by the largest remainder so that they sum to 100.
func TestPollSharesAgree(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	card := b.say("alice", `/poll new "Where?" Rome Milan Turin`)[0]
	action := button(t, card, "pv:")
	code := strings.Split(action, ":")[1]
	var last []map[string]any
	for i, who := range []string{"bob", "carol", "dave"} {
		last = b.press(who, fmt.Sprintf("pv:%s:%d", code, i))
	}
	if chat := text(last[0]); !strings.Contains(chat, "Rome — 1 (34%)") || !strings.Contains(chat, "Milan — 1 (33%)") || !strings.Contains(chat, "Turin — 1 (33%)") {
		t.Errorf("card after three votes:\n%s", chat)
	}
	body := b.get("/c/" + code).Body
	if strings.Count(body, `<progress max="100" value="34">`) != 1 || strings.Count(body, `<progress max="100" value="33">`) != 2 {
		t.Errorf("page's shares are not 34, 33, 33:\n%s", body)
	}
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// testToken is the admin token of the test servers.
const testToken = "correct horse battery staple"

// env is a web server over a fresh database, with a fake clock, a fake progress
// image and a referrer that records what it is told.
type env struct {
	t      *testing.T
	h      *botstest.Harness
	srv    *Adapter
	ts     *httptest.Server
	opts   Options
	refs   *fakeReferrer
	images *fakeImages
}

// newEnv starts a server; change adjusts its options (Local is true by default).
func newEnv(t *testing.T, change ...func(*Options)) *env {
	t.Helper()
	return newEnvOn(t, botstest.New(t, func(o *bots.Options) { o.Owners = []string{"web:olivia"} }), change...)
}

// newEnvOn starts a server over the harness h (see newEnv).
func newEnvOn(t *testing.T, h *botstest.Harness, change ...func(*Options)) *env {
	t.Helper()
	e := &env{t: t, h: h, refs: &fakeReferrer{}, images: &fakeImages{}}
	e.opts = Options{
		Service: h.Service, Router: h.Router, PublicURL: "https://crowd.example", Local: true,
		AdminToken:  testToken,
		ProgressPNG: e.images.draw, Referrals: e.refs,
	}
	for _, f := range change {
		f(&e.opts)
	}
	e.srv = New(e.opts)
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// restart starts another server over the same database and clock, as a restart or
// another replica would; change adjusts its options.
func (e *env) restart(change ...func(*Options)) *env {
	e.t.Helper()
	n := *e
	for _, f := range change {
		f(&n.opts)
	}
	n.srv = New(n.opts)
	n.ts = httptest.NewServer(n.srv.Handler())
	e.t.Cleanup(n.ts.Close)
	return &n
}

// browser is an HTTP client with its own cookies, as one visitor's browser.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// visitor is a browser that loaded the playground, which gives it its session on a
// public server.
func (e *env) visitor() *browser {
	e.t.Helper()
	b := e.browser()
	if res := b.get("/playground"); res.StatusCode != http.StatusOK {
		e.t.Fatalf("playground: %d", res.StatusCode)
	}
	return b
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	Body string
}

func (b *browser) do(method, path string, body io.Reader, header ...string) response {
	b.e.t.Helper()
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{Response: res, Body: string(data)}
}

func (b *browser) get(path string, header ...string) response {
	b.e.t.Helper()
	return b.do(http.MethodGet, path, nil, header...)
}

// chat posts a chat request and decodes the JSON answer into a map.
func (b *browser) chat(body map[string]any, header ...string) (int, map[string]any) {
	b.e.t.Helper()
	data, _ := json.Marshal(body)
	res := b.do(http.MethodPost, "/api/chat", bytes.NewReader(data), append([]string{"Content-Type", "application/json"}, header...)...)
	return res.StatusCode, decode(b.e.t, res.Body)
}

// say sends text as member and returns the replies, failing unless the answer is 200.
func (b *browser) say(member, text string) []map[string]any {
	b.e.t.Helper()
	code, out := b.chat(map[string]any{"member": member, "text": text})
	if code != http.StatusOK {
		b.e.t.Fatalf("%s %q: %d %v", member, text, code, out)
	}
	return replies(b.e.t, out)
}

// press sends a button press as member, failing unless the answer is 200.
func (b *browser) press(member, action string) []map[string]any {
	b.e.t.Helper()
	code, out := b.chat(map[string]any{"member": member, "action": action})
	if code != http.StatusOK {
		b.e.t.Fatalf("%s presses %q: %d %v", member, action, code, out)
	}
	return replies(b.e.t, out)
}

// sessionValue returns the session cookie the browser holds, "" for none.
func (b *browser) sessionValue() string {
	for _, c := range b.c.Jar.Cookies(mustURL(b.e.ts.URL)) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

// setSession makes the browser hold a session cookie, as a copy of another's.
func (b *browser) setSession(v string) {
	b.c.Jar.SetCookies(mustURL(b.e.ts.URL), []*http.Cookie{{Name: sessionCookie, Value: v}})
}

// login logs the browser in as admin.
func (b *browser) login() {
	b.e.t.Helper()
	res := b.do(http.MethodPost, "/admin/login", strings.NewReader(url.Values{"token": {testToken}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		b.e.t.Fatalf("login: %d %s", res.StatusCode, res.Body)
	}
}

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, body)
	}
	return m
}

func replies(t *testing.T, out map[string]any) []map[string]any {
	t.Helper()
	list, ok := out["replies"].([]any)
	if !ok {
		t.Fatalf("no replies array: %v", out)
	}
	rs := make([]map[string]any, len(list))
	for i, r := range list {
		rs[i] = r.(map[string]any)
	}
	return rs
}

// keys lists a JSON object's keys, sorted.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func text(r map[string]any) string { s, _ := r["text"].(string); return s }

// button returns the action of the first button whose action starts with prefix.
func button(t *testing.T, r map[string]any, prefix string) string {
	t.Helper()
	list, _ := r["buttons"].([]any)
	for _, b := range list {
		if a, _ := b.(map[string]any)["action"].(string); strings.HasPrefix(a, prefix) {
			return a
		}
	}
	t.Fatalf("no button %s* in %v", prefix, r)
	return ""
}

// tr renders a message as the Router would for locale.
func (e *env) tr(locale, key string, args ...any) string {
	return e.h.Router.T(locale, bots.M(key, args...))
}

// newest returns the most recent campaign.
func (e *env) newest() *core.Campaign {
	e.t.Helper()
	list, err := e.h.Service.Campaigns(context.Background(), core.CampaignFilter{Limit: 1})
	if err != nil || len(list) != 1 {
		e.t.Fatalf("no campaign: %v", err)
	}
	return &list[0]
}

// create makes an ideas campaign as a Telegram admin, with any title.
func (e *env) create(title, description string) *core.Campaign {
	e.t.Helper()
	ctx := context.Background()
	sp, m, err := e.h.Service.Identify(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: "-1001"}, core.MemberRef{Platform: core.Telegram, ExternalID: "1001", Name: "Ada"})
	if err != nil {
		e.t.Fatal(err)
	}
	closes := botstest.Start.Add(72 * time.Hour)
	c, err := e.h.Service.CreateCampaign(ctx, core.Actor{Member: *m, Space: *sp, Channel: "-1001", Admin: true},
		core.NewCampaign{Kind: core.KindIdeas, Title: title, Description: description, ClosesAt: &closes, TimeZone: "Europe/Rome"})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// fakeReferrer records referrals.
type fakeReferrer struct {
	mu   sync.Mutex
	got  []string
	seen []core.Actor
}

func (f *fakeReferrer) Refer(ctx context.Context, actor core.Actor, code string, referrerID int64, via string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, actor.Member.ExternalID+" "+code+" "+strconv.FormatInt(referrerID, 10)+" "+via)
	f.seen = append(f.seen, actor)
	return nil
}

func (f *fakeReferrer) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// fakeImages draws a small valid PNG and records the languages asked for.
type fakeImages struct {
	mu      sync.Mutex
	locales []string
}

func (f *fakeImages) draw(ctx context.Context, c *core.Campaign, locale string) ([]byte, error) {
	f.mu.Lock()
	f.locales = append(f.locales, locale)
	f.mu.Unlock()
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	img.Set(0, 0, color.RGBA{R: 47, G: 111, B: 222, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func jsonString(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

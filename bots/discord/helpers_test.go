package discord_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
)

// The fake Discord the tests run in: an application, a guild with a channel, and
// its members.
const (
	appID   = "900000000000000001"
	token   = "MTAwMDAwMDAwMDAwMDAwMDAx.fake.token"
	guild   = "800000000000000001"
	channel = "810000000000000001"
	dmBob   = "820000000000000002"
)

var (
	here = dcfake.Where{Guild: guild, Channel: channel}
	dm   = dcfake.Where{Channel: dmBob}
	ada  = dcfake.User{ID: "700000000000000001", Username: "ada", GlobalName: "Ada", Permissions: dcfake.PermsAdmin}
	bob  = dcfake.User{ID: "700000000000000002", Username: "bob", GlobalName: "Bob"}
	cara = dcfake.User{ID: "700000000000000003", Username: "carol.k"}
)

// env is the adapter serving HTTP interactions on the web server, with its REST
// calls going to the REST fake, over a fresh database.
type env struct {
	t    *testing.T
	h    *botstest.Harness
	rest *dcfake.REST
	dc   *dcfake.Discord
	ad   *discord.Adapter
	url  string
}

func newEnv(t *testing.T, opts ...func(*discord.Options)) *env {
	t.Helper()
	return setup(t, nil, opts...)
}

// newEnvOwners is newEnv with configured owners and an admin role.
func newEnvOwners(t *testing.T, role string, owners []string) *env {
	t.Helper()
	return setup(t, func(o *bots.Options) { o.Owners = owners }, func(o *discord.Options) { o.AdminRole = role })
}

func setup(t *testing.T, ro func(*bots.Options), opts ...func(*discord.Options)) *env {
	t.Helper()
	var h *botstest.Harness
	if ro != nil {
		h = botstest.New(t, ro)
	} else {
		h = botstest.New(t)
	}
	rest := dcfake.NewREST(t, token)
	dc := dcfake.NewDiscord(t, rest, appID, h.Clock.Now)
	sess, err := discord.NewSession(token, rest.APIBase())
	if err != nil {
		t.Fatal(err)
	}
	o := discord.Options{Router: h.Router, Session: sess, AppID: appID, PublicKey: dc.PublicKeyHex(), QuickReply: 10 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	ad, err := discord.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ad.Wait(context.Background()) })
	// the endpoint on a mux of its own, as cmd mounts it on the web server's
	mux := http.NewServeMux()
	mux.Handle("POST "+discord.InteractionsPath, ad)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, h: h, rest: rest, dc: dc, ad: ad, url: srv.URL + discord.InteractionsPath}
}

// shown is what a member saw of one interaction: the HTTP answer, and the REST
// calls made on the interaction's token afterwards.
type shown struct {
	answer dcfake.Answer
	calls  []dcfake.Call
}

// do delivers an interaction and waits for its follow-ups.
func (e *env) do(it map[string]any) shown {
	e.t.Helper()
	a := e.dc.Deliver(e.t, e.url, it)
	e.ad.Wait(context.Background())
	tok, _ := it["token"].(string)
	var calls []dcfake.Call
	for _, c := range e.rest.Calls() {
		if c.Via == "rest" && strings.Contains(c.Path, "/"+tok) {
			calls = append(calls, c)
		}
	}
	if bad := e.rest.Refused(); len(bad) > 0 {
		e.t.Fatalf("Discord refused %v", bad)
	}
	return shown{answer: a, calls: calls}
}

// msg is one message a member saw: its text (markdown escapes removed), buttons
// and privacy.
type msg struct {
	how     string // response type 4 or 7, or the REST call (PATCH @original, POST follow-up)
	text    string
	private bool
	buttons []button
	files   []dcfake.File
}

type button struct{ label, id, url string }

// messages lists the messages of an interaction in the order they were sent.
func (s shown) messages() []msg {
	var out []msg
	if s.answer.Type == 4 || s.answer.Type == 7 {
		out = append(out, toMsg("type"+itoa(s.answer.Type), s.answer.Data, nil))
	}
	for _, c := range s.calls {
		switch {
		case c.Method == "PATCH" || c.Method == "POST" && !strings.HasSuffix(c.Path, "/callback"):
			m := toMsg(c.Method+" "+lastPart(c.Path), c.Map(), c.Files)
			if m.how == "PATCH @original" && s.answer.Type == 5 {
				// the "thinking" message it replaces kept its privacy
				f, _ := s.answer.Data["flags"].(float64)
				m.private = int(f)&64 != 0
			}
			out = append(out, m)
		case c.Method == "POST":
			var r struct {
				Type int            `json:"type"`
				Data map[string]any `json:"data"`
			}
			_ = c.Decode(&r)
			if r.Type == 4 || r.Type == 7 {
				out = append(out, toMsg("type"+itoa(r.Type), r.Data, nil))
			}
		}
	}
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func lastPart(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

var unescape = regexp.MustCompile(`\\([\\*_~` + "`" + `|\[\]#>+-])`)

func toMsg(how string, m map[string]any, files []dcfake.File) msg {
	out := msg{how: how, files: files}
	var parts []string
	if s, _ := m["content"].(string); s != "" {
		parts = append(parts, s)
	}
	embeds, _ := m["embeds"].([]any)
	for _, e := range embeds {
		if d, _ := e.(map[string]any)["description"].(string); d != "" {
			parts = append(parts, d)
		}
	}
	out.text = unescape.ReplaceAllString(strings.Join(parts, ""), "$1")
	if f, _ := m["flags"].(float64); int(f)&64 != 0 {
		out.private = true
	}
	rows, _ := m["components"].([]any)
	for _, r := range rows {
		cs, _ := r.(map[string]any)["components"].([]any)
		for _, c := range cs {
			b, _ := c.(map[string]any)
			l, _ := b["label"].(string)
			id, _ := b["custom_id"].(string)
			u, _ := b["url"].(string)
			out.buttons = append(out.buttons, button{label: l, id: id, url: u})
		}
	}
	return out
}

// button returns the custom id of the first button whose id starts with prefix.
func (m msg) button(t *testing.T, prefix string) string {
	t.Helper()
	for _, b := range m.buttons {
		if strings.HasPrefix(b.id, prefix) {
			return b.id
		}
	}
	t.Fatalf("no button %s* in %+v", prefix, m.buttons)
	return ""
}

// catalog holds the raw message templates, to recognize rendered texts.
var catalog = sync.OnceValue(func() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	files, _ := filepath.Glob("../i18n/catalog/*.yaml")
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".yaml")
		lang := base[strings.LastIndexByte(base, '.')+1:]
		data, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var raw map[string]any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			panic(err)
		}
		if out[lang] == nil {
			out[lang] = map[string][]string{}
		}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				out[lang][k] = []string{v}
			case map[string]any:
				for _, form := range v {
					out[lang][k] = append(out[lang][k], form.(string))
				}
			}
		}
	}
	return out
})

var tmplToken = regexp.MustCompile(`\{\{\s*(?:\.(\w+)|if \.(\w+)|end)\s*\}\}`)

// pattern turns a catalog template into a regular expression matching one line it
// renders, with a group per placeholder.
func pattern(tmpl string) (*regexp.Regexp, []string) {
	var b strings.Builder
	var names []string
	b.WriteString(`(?m)^`)
	last := 0
	for _, m := range tmplToken.FindAllStringSubmatchIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		last = m[1]
		switch {
		case m[2] >= 0:
			b.WriteString(`([^\n]*?)`)
			names = append(names, tmpl[m[2]:m[3]])
		case m[4] >= 0:
			b.WriteString(`(?:`)
		default:
			b.WriteString(`)?`)
		}
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String()), names
}

// find reports whether text holds a line rendered from key in lang, and returns the
// placeholders' values. A template of several lines is recognized by its first.
func find(text, lang, key string) (map[string]string, bool) {
	for _, tmpl := range catalog()[lang][key] {
		tmpl, _, _ = strings.Cut(tmpl, "\n")
		re, names := pattern(tmpl)
		if m := re.FindStringSubmatch(text); m != nil {
			args := map[string]string{}
			for i, n := range names {
				args[n] = m[i+1]
			}
			return args, true
		}
	}
	return nil, false
}

// firstKey fails unless the text's first line was rendered from key in lang.
func firstKey(t *testing.T, text, lang, key string) map[string]string {
	t.Helper()
	first, _, _ := strings.Cut(text, "\n")
	args, ok := find(first, lang, key)
	if !ok {
		t.Fatalf("first line %q is not %s (%s)", first, key, lang)
	}
	return args
}

func keysOf[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

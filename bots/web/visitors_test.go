package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"crowdbot/bots/botstest"
)

// webMembers counts the web's member rows.
func webMembers(t *testing.T, e *env) int64 {
	t.Helper()
	n, err := e.h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM members WHERE platform = 'web'")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ideaVotes counts the votes of an idea.
func ideaVotes(t *testing.T, e *env, id int64) int64 {
	t.Helper()
	n, err := e.h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// publicIdea makes a public server and an idea of a Telegram member to vote for.
func publicIdea(t *testing.T, change ...func(*Options)) (*env, string, int64) {
	t.Helper()
	e := newEnv(t, append([]func(*Options){func(o *Options) { o.Local = false }}, change...)...)
	c := e.create("Board", "")
	idea := e.h.Expect(e.h.Say(botstest.Bob, "/idea "+c.Code+" Benches in the park"), "idea.added")
	id := idea.Args["id"].(int64)
	return e, "iv:" + strconv.FormatInt(id, 10), id
}

// TestOneClientIsNotACrowd: a client without cookies casts no vote and makes no
// member; clearing cookies buys one new voter per allowed session, and forwarded
// headers from an untrusted peer change nothing.
func TestOneClientIsNotACrowd(t *testing.T) {
	const sessions = 5
	e, vote, id := publicIdea(t, func(o *Options) { o.SessionsPerHour = sessions; o.ChatPerMinute = 1000 })

	for i := range 50 {
		code, out := e.browser().chat(map[string]any{"action": vote}, "X-Forwarded-For", "198.51.100."+strconv.Itoa(i))
		if code != http.StatusUnauthorized || out["error"] != e.tr("en", "web.error.no_session") {
			t.Fatalf("a request without a session: %d %v", code, out)
		}
	}
	if n, v := webMembers(t, e), ideaVotes(t, e, id); n != 0 || v != 0 {
		t.Fatalf("cookieless requests left %d members and %d votes", n, v)
	}

	// fifty fresh browsers from one address, each loading the page and voting
	voted := 0
	for i := range 50 {
		b := e.browser()
		b.get("/playground", "X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
		if code, _ := b.chat(map[string]any{"action": vote}); code == http.StatusOK {
			voted++
		}
	}
	if voted != sessions || ideaVotes(t, e, id) != sessions || webMembers(t, e) != sessions {
		t.Fatalf("one client voted %d times (%d votes, %d members); the limit is %d", voted, ideaVotes(t, e, id), webMembers(t, e), sessions)
	}
	// an hour later the client has its sessions back
	e.h.Clock.Advance(61 * 60 * 1e9)
	if code, _ := e.visitor().chat(map[string]any{"action": vote}); code != http.StatusOK {
		t.Fatalf("after an hour: %d", code)
	}
}

// TestTrustedProxyClients: behind a configured proxy each forwarded address is its
// own client, with its own sessions.
func TestTrustedProxyClients(t *testing.T) {
	proxies, err := ParseProxies([]string{"127.0.0.1/32"})
	if err != nil {
		t.Fatal(err)
	}
	e, vote, id := publicIdea(t, func(o *Options) { o.SessionsPerHour = 1; o.Proxies = proxies })
	for i := range 3 {
		b := e.browser()
		b.get("/playground", "X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
		if code, out := b.chat(map[string]any{"action": vote}, "X-Forwarded-For", "203.0.113."+strconv.Itoa(i)); code != http.StatusOK {
			t.Fatalf("client %d: %d %v", i, code, out)
		}
	}
	// a second session for one of them is refused
	b := e.browser()
	b.get("/playground", "X-Forwarded-For", "203.0.113.1")
	if code, _ := b.chat(map[string]any{"action": vote}); code != http.StatusUnauthorized {
		t.Fatalf("a second session for one client: %d", code)
	}
	if v := ideaVotes(t, e, id); v != 3 {
		t.Fatalf("%d votes, want 3", v)
	}
}

// TestChatRateLimit: one client's requests beyond its rate are refused with 429 and
// Retry-After, translated, and run nothing; others are not slowed.
func TestChatRateLimit(t *testing.T) {
	e, _, _ := publicIdea(t, func(o *Options) { o.ChatPerMinute = 3 })
	b := e.visitor()
	for range 3 {
		b.say("bob", "/help")
	}
	code, out := b.chat(map[string]any{"text": "/help"}, "Accept-Language", "fr")
	if code != http.StatusTooManyRequests || out["error"] != e.tr("fr", "web.error.slow_down") {
		t.Fatalf("the fourth request: %d %v", code, out)
	}
	res := b.do(http.MethodPost, "/api/chat", nil, "Content-Type", "application/json")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "20" {
		t.Fatalf("Retry-After %q (%d)", res.Header.Get("Retry-After"), res.StatusCode)
	}
}

// TestReadersAreNoMembers: a visitor who only reads leaves no member row; the first
// change makes it.
func TestReadersAreNoMembers(t *testing.T) {
	e, vote, id := publicIdea(t)
	c := e.newest()
	b := e.visitor()
	for _, text := range []string{"/help", "/campaign list", "/campaign show " + c.Code, "/ideas " + c.Code, "/top " + c.Code, "just chatting"} {
		b.say("reader", text)
	}
	if n := webMembers(t, e); n != 0 {
		t.Fatalf("reading made %d members", n)
	}
	b.press("reader", vote)
	if n, v := webMembers(t, e), ideaVotes(t, e, id); n != 1 || v != 1 {
		t.Fatalf("after a vote: %d members, %d votes", n, v)
	}
	// the same visitor again is the same member
	if rs := b.press("reader", vote); text(rs[0]) != e.tr("en", "idea.unvoted", "id", id, "count", 0) {
		t.Fatalf("a second press: %v", rs)
	}
	if n := webMembers(t, e); n != 1 {
		t.Fatalf("%d members", n)
	}
}

// answerChallenge passes requests that carry the right answer.
type answerChallenge string

func (a answerChallenge) Verify(_ context.Context, r *http.Request) error {
	if r.Header.Get(ChallengeHeader) != string(a) {
		return errors.New("wrong answer")
	}
	return nil
}

// TestChallenge: with a Challenge, a new session's first message runs only with a
// passed check; the session remembers it.
func TestChallenge(t *testing.T) {
	e, vote, id := publicIdea(t, func(o *Options) { o.Challenge = answerChallenge("42") })
	b := e.visitor()
	code, out := b.chat(map[string]any{"action": vote}, ChallengeHeader, "41")
	if code != http.StatusForbidden || out["error"] != e.tr("en", "web.error.challenge") || ideaVotes(t, e, id) != 0 {
		t.Fatalf("a failed check: %d %v", code, out)
	}
	if code, _ := b.chat(map[string]any{"action": vote}, ChallengeHeader, "42"); code != http.StatusOK {
		t.Fatalf("a passed check: %d", code)
	}
	if code, _ := b.chat(map[string]any{"text": "/help"}); code != http.StatusOK {
		t.Fatalf("the session remembers the check: %d", code)
	}
	if v := ideaVotes(t, e, id); v != 1 {
		t.Fatalf("%d votes", v)
	}
}

// TestTryoutRefusesProxies: a try-out trusts the typed name, so a request that came
// through a proxy (any forwarding header) or from another machine is refused, in the
// visitor's language, and runs nothing.
func TestTryoutRefusesProxies(t *testing.T) {
	e := newEnv(t) // a local try-out
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip"} {
		code, out := e.browser().chat(map[string]any{"member": "mallory", "text": `/campaign new ideas "Mine"`}, h, "for=198.51.100.7", "Accept-Language", "it")
		if code != http.StatusForbidden || out["error"] != e.tr("it", "web.error.tryout_proxied") {
			t.Errorf("%s: %d %v", h, code, out)
		}
	}
	if n := webMembers(t, e); n != 0 {
		t.Fatalf("refused requests made %d members", n)
	}
	// the first name to speak directly is still free to take
	if rs := e.browser().say("alice", `/campaign new ideas "First"`); !strings.Contains(text(rs[0]), "First") {
		t.Fatalf("alice: %v", rs)
	}

	direct := httptest.NewRequest(http.MethodPost, "/api/chat", nil)
	direct.RemoteAddr = "127.0.0.1:5000"
	far := httptest.NewRequest(http.MethodPost, "/api/chat", nil) // from 192.0.2.1
	if !tryoutReach(direct) || tryoutReach(far) {
		t.Fatalf("loopback %v, another machine %v", tryoutReach(direct), tryoutReach(far))
	}
}

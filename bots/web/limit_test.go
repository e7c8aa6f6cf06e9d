package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// behindProxy makes the test server believe X-Forwarded-For, so that a test can
// speak from any client address.
func behindProxy(o *Options) {
	p, err := ParseProxies([]string{"127.0.0.1", "::1"})
	if err != nil {
		panic(err)
	}
	o.Proxies = p
}

// loginFrom posts a token to the login form as the client at ip.
func (b *browser) loginFrom(ip, token string) int {
	b.e.t.Helper()
	res := b.do(http.MethodPost, "/admin/login", strings.NewReader(url.Values{"token": {token}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", ip)
	return res.StatusCode
}

// TestLoginLimitPerClient: ten wrong tokens from one address stop that address, not
// the admin at another; the stopped address gets a try back with time; right tokens
// use up no tries.
func TestLoginLimitPerClient(t *testing.T) {
	e := newEnv(t, behindProxy)
	guesser := e.browser()
	for i := range 30 {
		want := http.StatusUnauthorized
		if i >= clientBurst {
			want = http.StatusTooManyRequests
		}
		if got := guesser.loginFrom("203.0.113.7", "guess"); got != want {
			t.Fatalf("wrong try %d: %d, want %d", i+1, got, want)
		}
	}
	// the same client on another address of its IPv6 /64 is the same client
	for _, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::99"} {
		for range clientBurst {
			guesser.loginFrom(ip, "guess")
		}
	}
	if got := guesser.loginFrom("2001:db8:1:2:ffff::1", "guess"); got != http.StatusTooManyRequests {
		t.Errorf("another address of the /64: %d", got)
	}
	admin := e.browser()
	for i := range 2 * clientBurst {
		if got := admin.loginFrom("198.51.100.2", testToken); got != http.StatusSeeOther {
			t.Fatalf("admin login %d from another address: %d", i+1, got)
		}
	}
	if res := admin.get("/admin"); res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	e.h.Clock.Advance(clientEvery)
	if got := guesser.loginFrom("203.0.113.7", "guess"); got != http.StatusUnauthorized {
		t.Errorf("after %v: %d", clientEvery, got)
	}
	if got := guesser.loginFrom("203.0.113.7", "guess"); got != http.StatusTooManyRequests {
		t.Errorf("second try after %v: %d", clientEvery, got)
	}
	// without a trusted proxy the header is the client's own word, and ignored
	direct := newEnv(t)
	db := direct.browser()
	for i := range clientBurst {
		db.loginFrom(fmt.Sprintf("192.0.2.%d", i), "guess")
	}
	if got := db.loginFrom("192.0.2.200", "guess"); got != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For from an untrusted peer: %d", got)
	}
}

// TestLoginLimitGlobal: wrong tokens spread over many addresses stop at the global
// limit, which lets tries through again as time passes.
func TestLoginLimitGlobal(t *testing.T) {
	e := newEnv(t, behindProxy)
	b := e.browser()
	for i := range globalBurst + 20 {
		want := http.StatusUnauthorized
		if i >= globalBurst {
			want = http.StatusTooManyRequests
		}
		ip := fmt.Sprintf("10.%d.%d.1", i/200, i%200)
		if got := b.loginFrom(ip, "guess"); got != want {
			t.Fatalf("try %d from %s: %d, want %d", i+1, ip, got, want)
		}
	}
	// the backstop holds for the admin too, until time passes
	if got := b.loginFrom("198.51.100.2", testToken); got != http.StatusTooManyRequests {
		t.Fatalf("right token during the flood: %d", got)
	}
	e.h.Clock.Advance(globalEvery)
	if got := b.loginFrom("198.51.100.2", testToken); got != http.StatusSeeOther {
		t.Fatalf("right token after %v: %d", globalEvery, got)
	}
}

// TestGuessLimiterBounded forgets clients idle long enough to have their tries back,
// and past the bound the one idle longest.
func TestGuessLimiterBounded(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newGuessLimiter(2, time.Minute, 1000, time.Millisecond, 3)
	tries := func(key string, now time.Time) int {
		n := 0
		for range 5 {
			if _, ok := l.try(key, now); ok {
				n++
			}
		}
		return n
	}
	if n := tries("a", t0); n != 2 {
		t.Fatalf("a: %d tries", n)
	}
	for i, key := range []string{"b", "c", "d"} {
		tries(key, t0.Add(time.Duration(i+1)*time.Second))
	}
	if n := l.remembered(); n != 3 {
		t.Fatalf("remembered %d, want the bound 3", n)
	}
	// a was idle longest and was forgotten: it has its tries back
	if n := tries("a", t0.Add(5*time.Second)); n != 2 {
		t.Errorf("a after being forgotten: %d tries", n)
	}
	// d is still remembered and still has none
	if n := tries("d", t0.Add(6*time.Second)); n != 0 {
		t.Errorf("d: %d tries", n)
	}
	// two minutes later every bucket is full again, and the clients are forgotten
	if n := tries("e", t0.Add(3*time.Minute)); n != 2 || l.remembered() != 1 {
		t.Errorf("e: %d tries, %d remembered", n, l.remembered())
	}
	// a right guess gives its try back
	g, ok := l.try("f", t0.Add(4*time.Minute))
	if !ok {
		t.Fatal("f: no try")
	}
	g.right()
	if n := tries("f", t0.Add(4*time.Minute)); n != 2 {
		t.Errorf("f after a right guess: %d tries", n)
	}
}

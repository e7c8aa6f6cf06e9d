package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"crowdbot/bots"
	"crowdbot/bots/internal/units"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		text string
		max  int
		want []string
	}{
		{"", 10, []string{""}},
		{"short", 10, []string{"short"}},
		{"line one\nline two\nline three", 20, []string{"line one\nline two", "line three"}},
		{"aaaa bbbb cccc dddd", 10, []string{"aaaa bbbb", "cccc dddd"}},
		{"abcdefghijklmnop", 5, []string{"abcde", "fghij", "klmno", "p"}},
		// an emoji is two UTF-16 units: never cut in half, counted as Telegram counts
		{"🍦🍦🍦🍦🍦", 4, []string{"🍦🍦", "🍦🍦", "🍦"}},
		{"é\u0301é", 2, []string{"é\u0301", "é"}},
	}
	for _, c := range cases {
		got := split(c.text, c.max)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("split(%q, %d) = %q, want %q", c.text, c.max, got, c.want)
		}
		for _, p := range got {
			if units.Len(p) > c.max || !utf8.ValidString(p) {
				t.Errorf("part %q of %q is over %d or broken", p, c.text, c.max)
			}
		}
	}
	long := strings.Repeat("word ", 5000)
	parts := split(long, maxText)
	if len(parts) != 7 || strings.TrimSpace(strings.Join(parts, " ")) != strings.TrimSpace(long) {
		t.Errorf("%d parts lose words", len(parts))
	}
}

func TestFormatHTML(t *testing.T) {
	hostile := `<b>x</b> & <a href="javascript:">y</a> &amp; </pre>`
	got := formatHTML(hostile, false, nil)
	if strings.ContainsAny(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(got, "&lt;", ""), "&gt;", ""), "&amp;", ""), "<>&") {
		t.Errorf("not escaped: %q", got)
	}
	if got := formatHTML("Title <1>\nitem & more", true, nil); got != "<b>Title &lt;1&gt;</b>\nitem &amp; more" {
		t.Errorf("heading: %q", got)
	}
	u := &User{ID: 42, FirstName: `<Eve & "co">`}
	if got := formatHTML("Reply, please", false, u); got != `<a href="tg://user?id=42">&lt;Eve &amp; "co"&gt;</a>, Reply, please` {
		t.Errorf("mention: %q", got)
	}
}

func TestButtons(t *testing.T) {
	rows := [][]bots.Button{
		{{Label: "ok", Action: "iv:1"}, {Label: "too long", Action: strings.Repeat("x", 65)}},
		{{Label: "link", URL: "https://crowd.example"}, {Label: "nothing"}},
		{{Label: "gone", Action: strings.Repeat("y", 70)}},
	}
	got := buttons(rows)
	if len(got) != 2 || len(got[0]) != 1 || got[0][0].Data != "iv:1" || len(got[1]) != 1 || got[1][0].URL == "" {
		t.Errorf("buttons %+v", got)
	}
}

func TestIsCSV(t *testing.T) {
	for _, c := range []struct {
		name, mime string
		want       bool
	}{
		{"a.csv", "", true}, {"A.CSV", "application/octet-stream", true}, {"x", "text/csv; charset=utf-8", true},
		{"x.txt", "text/plain", false}, {"x.pdf", "application/pdf", false}, {"x", "application/csv", true},
	} {
		if got := isCSV(c.name, c.mime); got != c.want {
			t.Errorf("isCSV(%q, %q) = %v", c.name, c.mime, got)
		}
	}
}

// TestLimits books messages at fixed times and checks the waits Telegram's limits
// call for: 1 a second in a chat after a short burst, 20 a minute in a group, 30 a
// second in all, and a chat's retry_after.
func TestLimits(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLimits(DefaultLimits())
	var waits []time.Duration
	for range 5 {
		waits = append(waits, l.reserve(42, now))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("private chat waits %v, want %v", waits, want)
		}
	}

	// a group, a member's chat: never more than Telegram allows in any minute, however
	// fast the bot is asked to send
	for _, chat := range []int64{-100, 100} {
		l = newLimits(DefaultLimits())
		var sent []time.Time
		for i := range 120 {
			at := now.Add(time.Duration(i) * 500 * time.Millisecond)
			sent = append(sent, at.Add(l.reserve(chat, at)))
		}
		limit := 20
		if chat > 0 {
			limit = 60 + 3 // 1 a second after a burst of 3
		}
		for i, s := range sent {
			n := 0
			for _, o := range sent[i:] {
				if o.Sub(s) < time.Minute {
					n++
				}
			}
			if n > limit {
				t.Fatalf("chat %d: %d messages in the minute from %v", chat, n, s.Sub(now))
			}
		}
		if chat < 0 && sent[4] != now.Add(2*time.Second) {
			t.Errorf("a short burst in a group waits: %v", sent[4].Sub(now))
		}
	}

	// 30 a second in all
	l = newLimits(DefaultLimits())
	for i := range 30 {
		if d := l.reserve(int64(i+1), now); d != 0 {
			t.Fatalf("message %d to its own chat waits %v", i, d)
		}
	}
	if d := l.reserve(999, now); d <= 0 {
		t.Errorf("the 31st message in a second does not wait")
	}

	// retry_after
	l = newLimits(DefaultLimits())
	l.block(7, now.Add(9*time.Second))
	if d := l.blocked(7, now); d != 9*time.Second {
		t.Errorf("blocked %v", d)
	}
	if d := l.reserve(7, now); d != 9*time.Second {
		t.Errorf("a blocked chat waits %v", d)
	}
	if d := l.reserve(8, now); d != 0 {
		t.Errorf("another chat waits %v", d)
	}

	for n := 1; n < 20; n++ {
		if d := backoff(n, 10*time.Second); d <= 0 || d > 10*time.Second {
			t.Errorf("backoff(%d) = %v", n, d)
		}
	}
}

// TestLimitsTake: a send made only when it costs no wait takes the budgets' room
// while there is some, and none past it, nor from a chat Telegram asked to wait.
func TestLimitsTake(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLimits(DefaultLimits())
	n := 0
	for range 10 {
		if l.take(-100, now) {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d sends at once to a group, want the chat's burst of 3", n)
	}
	if d := l.reserve(-100, now); d <= 0 {
		t.Errorf("the takes left the chat's budget untouched (wait %s)", d)
	}
	if !l.take(-200, now) {
		t.Error("another group has room")
	}
	l.block(-300, now.Add(time.Minute))
	if l.take(-300, now) {
		t.Error("a blocked chat was taken")
	}
	if !l.take(-100, now.Add(time.Minute)) {
		t.Error("room comes back with time")
	}
}

func TestRecent(t *testing.T) {
	r := newRecent(3)
	for _, id := range []int{1, 2, 3} {
		if !r.add(id) {
			t.Fatalf("%d not new", id)
		}
	}
	if r.add(2) {
		t.Fatal("2 is new again")
	}
	r.add(4) // pushes out 1
	if !r.add(1) || r.add(4) {
		t.Fatal("the ring does not forget the oldest")
	}
}

func TestFileEndpoint(t *testing.T) {
	if got := fileEndpoint("https://api.telegram.org/bot%s/%s"); got != "https://api.telegram.org/file/bot%s/%s" {
		t.Error(got)
	}
	if got := fileEndpoint("http://10.0.0.2:8081/bot%s/%s"); got != "http://10.0.0.2:8081/file/bot%s/%s" {
		t.Error(got)
	}
}

// TestDialErrors: an unreachable server or a proxy's error page give errors that
// never show the token.
func TestDialErrors(t *testing.T) {
	const token = "999:secret-token-value"
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	_, _, err := Dial(context.Background(), token, dead.URL+"/bot%s/%s", nil)
	if err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("unreachable: %v", err)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	}))
	defer proxy.Close()
	_, _, err = Dial(context.Background(), token, proxy.URL+"/bot%s/%s", nil)
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != http.StatusBadGateway || strings.Contains(err.Error(), token) {
		t.Fatalf("proxy error: %v", err)
	}
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
	}))
	defer unauthorized.Close()
	_, _, err = Dial(context.Background(), token, unauthorized.URL+"/bot%s/%s", nil)
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Method != "getMe" {
		t.Fatalf("bad token: %v", err)
	}
}

package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies([]string{"10.0.0.0/8", "::1", " "})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"direct client", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"untrusted peer's header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted proxy", "10.1.2.3:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"rightmost untrusted wins over a forged left", "10.1.2.3:80", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of proxies", "[::1]:80", []string{"198.51.100.1, 10.9.9.9", "10.2.2.2"}, "198.51.100.1"},
		{"garbage stops at the last trusted hop", "10.1.2.3:80", []string{"nonsense"}, "10.1.2.3"},
		{"proxy without header", "10.1.2.3:80", nil, "10.1.2.3"},
		{"mapped v4", "[::ffff:203.0.113.9]:1", nil, "203.0.113.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, h := range tc.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := proxies.ClientIP(r).String(); got != tc.want {
				t.Errorf("ClientIP = %s, want %s", got, tc.want)
			}
		})
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:80"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := Proxies(nil).ClientIP(r).String(); got != "10.1.2.3" {
		t.Errorf("no trusted proxies: ClientIP = %s, want the peer", got)
	}
	if _, err := ParseProxies([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad network was accepted")
	}
}

func TestLimitKey(t *testing.T) {
	a := LimitKey(mustAddr(t, "2001:db8:1:2:aaaa::1"))
	b := LimitKey(mustAddr(t, "2001:db8:1:2:bbbb::9"))
	c := LimitKey(mustAddr(t, "2001:db8:1:3::1"))
	if a != b || a == c {
		t.Errorf("IPv6 keys: %s %s %s; want the same /64 together, another /64 apart", a, b, c)
	}
	if got := LimitKey(mustAddr(t, "::ffff:192.0.2.1")); got != "192.0.2.1" {
		t.Errorf("mapped IPv4 key = %s", got)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

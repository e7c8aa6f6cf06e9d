package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// metricLine is in every scrape once a request was counted.
const metricLine = "crowdbot_http_requests_total"

// TestMetricsNeedTheToken: on the main listener a stranger, a wrong token and a
// mere loopback address get no metrics; the token as a bearer and an admin login do.
func TestMetricsNeedTheToken(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Local = false })
	b := e.browser()
	b.get("/healthz")
	for _, auth := range []string{"", "Bearer wrong token here", "Basic " + testToken, "Bearer " + testToken + "x", testToken} {
		var header []string
		if auth != "" {
			header = []string{"Authorization", auth}
		}
		res := b.get("/metrics", header...)
		if res.StatusCode != http.StatusUnauthorized || strings.Contains(res.Body, metricLine) ||
			!strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer ") || !strings.Contains(res.Body, e.tr("en", "web.metrics.unauthorized")) {
			t.Errorf("Authorization %q: %d %q", auth, res.StatusCode, res.Body)
		}
	}
	// a stranger from afar, straight at the handler
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "203.0.113.7:4242"
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), metricLine) {
		t.Errorf("a stranger: %d", rec.Code)
	}

	for _, auth := range []string{"Bearer " + testToken, "bearer  " + testToken} {
		if res := b.get("/metrics", "Authorization", auth); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, metricLine) {
			t.Errorf("Authorization %q: %d", auth, res.StatusCode)
		}
	}
	admin := e.browser()
	admin.login()
	if res := admin.get("/metrics"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, metricLine) {
		t.Errorf("an admin login: %d", res.StatusCode)
	}
	admin.do(http.MethodPost, "/admin/logout", nil)
	if res := admin.get("/metrics"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: %d", res.StatusCode)
	}
}

// TestMetricsBearerIsLimited: wrong bearers are guesses at the admin token and spend
// the login form's tries.
func TestMetricsBearerIsLimited(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Local = false })
	b := e.browser()
	limited := false
	for range 30 {
		if res := b.get("/metrics", "Authorization", "Bearer guess"); res.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("thirty wrong bearers in a row were all checked")
	}
	res := b.do(http.MethodPost, "/admin/login", strings.NewReader("token="+testToken), "Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the login form after the bearer guesses: %d", res.StatusCode)
	}
}

// TestMetricsWithoutToken: with no admin token the metrics answer this machine only,
// and not through a proxy.
func TestMetricsWithoutToken(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Local = false; o.AdminToken = "" })
	b := e.browser()
	if res := b.get("/metrics"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "go_goroutines") {
		t.Fatalf("from this machine: %d", res.StatusCode)
	}
	if res := b.get("/metrics", "X-Forwarded-For", "203.0.113.7"); res.StatusCode != http.StatusForbidden ||
		!strings.Contains(res.Body, e.tr("en", "web.metrics.local_only")) {
		t.Errorf("through a proxy: %d %q", res.StatusCode, res.Body)
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "[2001:db8::1]:4242"
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("a stranger: %d", rec.Code)
	}
}

// TestMetricsApart: with a listener of their own the main one has no /metrics, to
// the token's bearer neither; MetricsHandler serves them.
func TestMetricsApart(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MetricsApart = true })
	b := e.browser()
	b.get("/healthz")
	if res := b.get("/metrics", "Authorization", "Bearer "+testToken); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, metricLine) {
		t.Fatalf("main listener: %d", res.StatusCode)
	}
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), metricLine) {
		t.Fatalf("own listener: %d", rec.Code)
	}
}

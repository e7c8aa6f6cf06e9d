package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/botstest"
)

// serveFor starts the bot with env until the test ends, once /healthz answers.
func serveFor(t *testing.T, env map[string]string) {
	t.Helper()
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	var stderr botstest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, envOf(env), &bytes.Buffer{}, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit code %d\n%s", code, stderr.String())
			}
		case <-time.After(shutdownGrace + 2*time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get("http://" + env["CROWDBOT_HTTP_ADDR"] + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no healthy /healthz within 15s: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrape gets a URL with an optional bearer and returns the status and body.
func scrape(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

const metricLine = "crowdbot_http_requests_total"

// TestMetricsNeedTheToken: with an admin token and no metrics.addr, /metrics on the
// main listener answers the bearer of the token only.
func TestMetricsNeedTheToken(t *testing.T) {
	addr := freeAddr(t)
	serveFor(t, map[string]string{"CROWDBOT_HTTP_ADDR": addr, "CROWDBOT_WEB_ADMIN_TOKEN": "a-long-admin-token"})
	if code, body := scrape(t, "http://"+addr+"/metrics", ""); code != http.StatusUnauthorized || strings.Contains(body, metricLine) {
		t.Errorf("a stranger: %d", code)
	}
	if code, body := scrape(t, "http://"+addr+"/metrics", "a-long-admin-token"); code != http.StatusOK || !strings.Contains(body, metricLine) {
		t.Errorf("the token's bearer: %d", code)
	}
}

// TestMetricsAddr: with metrics.addr the metrics have a listener of their own, and
// the main one serves none, to the token's bearer neither.
func TestMetricsAddr(t *testing.T) {
	addr, maddr := freeAddr(t), freeAddr(t)
	for maddr == addr {
		maddr = freeAddr(t)
	}
	serveFor(t, map[string]string{"CROWDBOT_HTTP_ADDR": addr, "CROWDBOT_METRICS_ADDR": maddr, "CROWDBOT_WEB_ADMIN_TOKEN": "a-long-admin-token"})
	if code, body := scrape(t, "http://"+addr+"/metrics", "a-long-admin-token"); code != http.StatusNotFound || strings.Contains(body, metricLine) {
		t.Errorf("main listener: %d", code)
	}
	if code, body := scrape(t, "http://"+maddr+"/metrics", ""); code != http.StatusOK || !strings.Contains(body, `route="GET /healthz"`) {
		t.Errorf("metrics listener: %d\n%s", code, body)
	}
	if code, _ := scrape(t, "http://"+maddr+"/", ""); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves pages: %d", code)
	}
}

// TestMetricsAddrConfig: a bad metrics.addr stops start-up naming it.
func TestMetricsAddrConfig(t *testing.T) {
	for _, a := range []string{"nonsense", "127.0.0.1:8080"} {
		_, err := loadConfig("", envOf(map[string]string{"CROWDBOT_METRICS_ADDR": a}))
		if err == nil || !strings.Contains(err.Error(), "metrics.addr") {
			t.Errorf("metrics.addr %q: %v", a, err)
		}
	}
	path := writeFile(t, "c.yaml", "metrics:\n  addr: 127.0.0.1:9090\n")
	if cfg, err := loadConfig(path, envOf(nil)); err != nil || cfg.Metrics.Addr != "127.0.0.1:9090" {
		t.Errorf("from the file: %q %v", cfg.Metrics.Addr, err)
	}
}

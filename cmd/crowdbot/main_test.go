package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/botstest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestFreshStart runs the README's run command in an empty folder with no
// configuration: it must create crowdbot.db, answer /healthz, say the adapters are
// off, and stop cleanly when told to.
func TestFreshStart(t *testing.T) {
	t.Chdir(t.TempDir())
	addr := freeAddr(t)
	env := map[string]string{"CROWDBOT_HTTP_ADDR": addr}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr botstest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &stderr) }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no healthy /healthz within 15s: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat("crowdbot.db"); err != nil {
		t.Errorf("crowdbot.db not created: %v", err)
	}
	for _, path := range []string{"/", "/metrics"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %v %v", path, resp, err)
		} else {
			resp.Body.Close()
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d\n%s", code, stderr.String())
		}
	case <-time.After(shutdownGrace + 2*time.Second):
		t.Fatal("serve did not stop within the grace period")
	}
	log := stderr.String()
	for _, want := range []string{"telegram adapter off", "discord adapter off", "database ready"} {
		if strings.Count(log, want) != 1 {
			t.Errorf("log should say %q once:\n%s", want, log)
		}
	}
}

func TestMigrateAndVersion(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "x.db")
	env := map[string]string{"CROWDBOT_DATABASE_URL": dsn}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, &out, &errb); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, errb.String())
	}
	if code := run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, &out, &errb); code != 0 {
		t.Fatalf("second migrate exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(dsn); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "crowdbot ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &errb); code != 2 {
		t.Fatalf("unknown subcommand exit %d", code)
	}
}

// TestPortTaken starts the bot on a port another program holds: it stops, and its
// message says how to pick another port.
func TestPortTaken(t *testing.T) {
	t.Chdir(t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{"CROWDBOT_HTTP_ADDR": ln.Addr().String()}
	var stderr botstest.SyncBuffer
	code := run(context.Background(), nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr.String())
	}
	for _, want := range []string{"already uses port", "CROWDBOT_HTTP_ADDR=127.0.0.1:8081", "http.addr"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("message lacks %q:\n%s", want, stderr.String())
		}
	}
}

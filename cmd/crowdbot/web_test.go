package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/botstest"
)

// TestPlaygroundFromFreshStart follows the README: start with no configuration,
// open the playground, create a campaign as the first local member and take part as
// another, then read the campaign back from the JSON API.
func TestPlaygroundFromFreshStart(t *testing.T) {
	t.Chdir(t.TempDir())
	addr := freeAddr(t)
	env := map[string]string{"CROWDBOT_HTTP_ADDR": addr}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr botstest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &stderr) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(shutdownGrace + 2*time.Second):
			t.Error("serve did not stop")
		}
	}()
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(base + "/playground")
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 200 && strings.Contains(string(body), `id="chat-form"`) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no playground within 15s: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	say := func(member, text string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"member": member, "text": text})
		res, err := http.Post(base+"/api/chat", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Replies []struct{ Text string } `json:"replies"`
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || len(out.Replies) == 0 {
			t.Fatalf("%s %q: %d %v %+v", member, text, res.StatusCode, err, out)
		}
		return out.Replies[0].Text
	}
	created := say("alice", `/campaign new ideas "Try-out" First steps`)
	var list []struct {
		Code     string         `json:"code"`
		Progress map[string]int `json:"progress"`
	}
	res, err := http.Get(base + "/api/campaigns")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if err != nil || len(list) != 1 || !strings.Contains(created, list[0].Code) {
		t.Fatalf("campaigns %+v %v after %q", list, err, created)
	}
	say("bob", "/idea "+list[0].Code+" A first idea from bob")
	if got := say("bob", "/campaign show "+list[0].Code); !strings.Contains(got, "1") {
		t.Errorf("show: %q", got)
	}
	for _, want := range []string{"playground: local try-out", "web admin pages closed"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestWebSecretsConfig(t *testing.T) {
	secret := writeFile(t, "s", strings.Repeat("k", 40)+"\n")
	path := writeFile(t, "c.yaml", "web:\n  session_secret_file: "+secret+"\n  tryout: off\n")
	cfg, err := loadConfig(path, envOf(map[string]string{"CROWDBOT_WEB_ADMIN_TOKEN": "a-long-admin-token"}))
	if err != nil || cfg.Web.SessionSecret != strings.Repeat("k", 40) || cfg.Web.AdminToken != "a-long-admin-token" || cfg.Web.Tryout != "off" {
		t.Fatalf("%+v %v", cfg.Web, err)
	}
	for env, key := range map[string]string{
		"CROWDBOT_WEB_SESSION_SECRET": "web.session_secret_file",
		"CROWDBOT_WEB_ADMIN_TOKEN":    "web.admin_token_file",
	} {
		_, err := loadConfig("", envOf(map[string]string{env: "short"}))
		if err == nil || !strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "short") {
			t.Errorf("%s=short: %v", env, err)
		}
	}
}

// TestTryoutSetting: the try-out is on by itself only on a loopback address, and the
// setting decides otherwise; a bad value stops start-up naming it.
func TestTryoutSetting(t *testing.T) {
	for _, c := range []struct {
		mode, addr string
		want       bool
	}{
		{"auto", "127.0.0.1:8080", true},
		{"auto", "0.0.0.0:8080", false},
		{"off", "127.0.0.1:8080", false},
		{"on", "127.0.0.1:8080", true},
	} {
		cfg, err := loadConfig("", envOf(map[string]string{"CROWDBOT_WEB_TRYOUT": c.mode, "CROWDBOT_HTTP_ADDR": c.addr}))
		if err != nil || tryout(cfg) != c.want {
			t.Errorf("%s on %s: %v, %v", c.mode, c.addr, tryout(cfg), err)
		}
	}
	if _, err := loadConfig("", envOf(map[string]string{"CROWDBOT_WEB_TRYOUT": "maybe"})); err == nil || !strings.Contains(err.Error(), "web.tryout") {
		t.Fatalf("a bad mode: %v", err)
	}
}

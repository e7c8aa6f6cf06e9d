package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/web"
	"crowdbot/core"
	"crowdbot/storage"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:8080" || cfg.Database.URL != storage.DefaultSQLiteFile || cfg.Telegram.Mode != "polling" || cfg.Telegram.Token != "" {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestConfigLayers(t *testing.T) {
	token := writeFile(t, "tg", "123:abc\n")
	path := writeFile(t, "c.yaml", `
http:
  addr: 0.0.0.0:9000
log:
  format: json
telegram:
  token_file: `+token+`
rules:
  points:
    idea: 7
`)
	cfg, err := loadConfig(path, envOf(map[string]string{"CROWDBOT_HTTP_ADDR": "127.0.0.1:7000", "CROWDBOT_ADMINS": "telegram:42, discord:1234"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:7000" {
		t.Errorf("env should win over the file: %s", cfg.HTTP.Addr)
	}
	if cfg.Log.Format != "json" || cfg.Telegram.Token != "123:abc" {
		t.Errorf("file values lost: %+v", cfg)
	}
	if len(cfg.Admins) != 2 || cfg.Admins[1] != "discord:1234" {
		t.Errorf("admins = %v", cfg.Admins)
	}
	if s := cfg.settings(); s.Points["idea"] != 7 || s.Points["vote"] != 1 {
		t.Errorf("points = %v", s.Points)
	}
	cfg, err = loadConfig(path, envOf(map[string]string{"CROWDBOT_TELEGRAM_TOKEN": "999:env"}))
	if err != nil || cfg.Telegram.Token != "999:env" {
		t.Errorf("env token should win over the token file: %q %v", cfg.Telegram.Token, err)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		yaml string
		env  map[string]string
		key  string
	}{
		{yaml: "htpp:\n  addr: x\n", key: "htpp"},
		{yaml: "http:\n  adr: x\n", key: "adr"},
		{yaml: "http:\n  addr: nonsense\n", key: "http.addr"},
		{yaml: "log:\n  format: xml\n", key: "log.format"},
		{env: map[string]string{"CROWDBOT_LOG_FORMAT": "xml"}, key: "log.format"},
		{env: map[string]string{"CROWDBOT_TELEGRAM_MODE": "push"}, key: "telegram.mode"},
		{env: map[string]string{"CROWDBOT_ADMINS": "myspace:1"}, key: "admins"},
		{env: map[string]string{"CROWDBOT_TELEGRAM_API_ENDPOINT": "http://x/bot"}, key: "telegram.api_endpoint"},
		{env: map[string]string{"CROWDBOT_DISCORD_PUBLIC_KEY": "abc"}, key: "discord.public_key"},
		{env: map[string]string{"CROWDBOT_DISCORD_APP_ID": "x1"}, key: "discord.app_id"},
		{yaml: "rules:\n  max_fundraiser_days: 0\n", key: "rules.max_fundraiser_days"},
		{yaml: "rules:\n  points:\n    hugs: 3\n", key: "rules.points"},
		{yaml: "rules:\n  points: many\n", key: "line 2"},
		{yaml: "database:\n  url: postgres://u:secret@db/crowd\n", key: "database.url"},
		{yaml: "telegram:\n  token_file: /nonexistent/tg\n", key: "telegram.token_file"},
		{yaml: "http:\n  read_timeout: 0s\n", key: "http.read_timeout"},
		{yaml: "http:\n  idle_timeout: 3h\n", key: "http.idle_timeout"},
		{yaml: "http:\n  write_timeout: soon\n", key: "line 2"},
		{yaml: "http:\n  request_timeout: 1ms\n", key: "http.request_timeout"},
		{yaml: "http:\n  max_connections: -1\n", key: "http.max_connections"},
		{yaml: "http:\n  max_connections_per_client: 0\n", key: "http.max_connections_per_client"},
		{yaml: "cleanup:\n  processed_updates_after: 2h\n", key: "cleanup.processed_updates_after"},
		{yaml: "cleanup:\n  sent_outbox_after: soon\n", key: "line 2"},
		{env: map[string]string{"CROWDBOT_CLEANUP_IDLE_MEMBERS_AFTER": "-3d"}, key: "cleanup.idle_members_after"},
		{env: map[string]string{"CROWDBOT_CLEANUP_SENT_OUTBOX_AFTER": "30m"}, key: "cleanup.sent_outbox_after"},
	}
	for _, c := range cases {
		path := ""
		if c.yaml != "" {
			path = writeFile(t, "c.yaml", c.yaml)
		}
		_, err := loadConfig(path, envOf(c.env))
		if err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%q %v: error %v should name %q", c.yaml, c.env, err, c.key)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

// TestConfigCleanup: the retention defaults to core's, is read in days or as Go
// durations from the file, and the environment wins.
func TestConfigCleanup(t *testing.T) {
	cfg, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.settings().Retention; got != core.DefaultRetention() {
		t.Errorf("default retention = %+v, want %+v", got, core.DefaultRetention())
	}
	path := writeFile(t, "c.yaml", "cleanup:\n  sent_outbox_after: 3d\n  processed_updates_after: 36h\n  idle_members_after: 90d\n")
	cfg, err = loadConfig(path, envOf(map[string]string{"CROWDBOT_CLEANUP_PROCESSED_UPDATES_AFTER": "4d"}))
	if err != nil {
		t.Fatal(err)
	}
	want := core.Retention{SentOutbox: 72 * time.Hour, ProcessedUpdates: 96 * time.Hour, IdleMembers: 90 * 24 * time.Hour}
	if got := cfg.settings().Retention; got != want {
		t.Errorf("retention = %+v, want %+v", got, want)
	}
}

// TestConfigSchedules: the service is given cron to read update schedules, so
// admins may set any cron spec, not only the default one.
func TestConfigSchedules(t *testing.T) {
	cfg, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(nil, core.SystemClock{}, cfg.settings())
	at := time.Date(2026, 3, 2, 9, 10, 0, 0, time.UTC)
	if next, err := svc.NextRun("*/15 * * * *", "", at); err != nil || !next.Equal(at.Add(5*time.Minute)) {
		t.Errorf("NextRun(*/15) = %v, %v", next, err)
	}
}

// TestExampleConfigLoads keeps config.example.yaml in step with Config: every key it
// documents must be known, and its values valid.
func TestExampleConfigLoads(t *testing.T) {
	if _, err := loadConfig("../../config.example.yaml", envOf(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestConfigTrustedProxies(t *testing.T) {
	cfg, err := loadConfig("", envOf(map[string]string{"CROWDBOT_HTTP_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.HTTP.TrustedProxies) != 2 || cfg.HTTP.TrustedProxies[1] != "10.0.0.0/8" {
		t.Errorf("trusted proxies = %v", cfg.HTTP.TrustedProxies)
	}
	_, err = loadConfig("", envOf(map[string]string{"CROWDBOT_HTTP_TRUSTED_PROXIES": "10.0.0.0/40"}))
	if err == nil || !strings.Contains(err.Error(), "http.trusted_proxies") {
		t.Errorf("a bad network: err = %v, want one naming http.trusted_proxies", err)
	}
}

func TestHTTPLimitsConfig(t *testing.T) {
	cfg, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	l := httpLimits(cfg)
	if l.ReadTimeout != web.DefaultLimits.ReadTimeout || l.MaxConnsPerClient != web.DefaultLimits.MaxConnsPerClient || l.MaxConns < 64 || l.MaxConns >= openFileLimit() {
		t.Errorf("default limits %+v (open-file limit %d)", l, openFileLimit())
	}
	path := writeFile(t, "c.yaml", "http:\n  read_timeout: 45s\n  idle_timeout: 5m\n  request_timeout: 3s\n  max_connections: 500\n  max_connections_per_client: 8\n")
	if cfg, err = loadConfig(path, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	l = httpLimits(cfg)
	if l.ReadTimeout != 45*time.Second || l.IdleTimeout != 5*time.Minute || l.MaxConns != 500 || l.MaxConnsPerClient != 8 || cfg.HTTP.RequestTimeout != 3*time.Second {
		t.Errorf("limits %+v, request timeout %v", l, cfg.HTTP.RequestTimeout)
	}
}

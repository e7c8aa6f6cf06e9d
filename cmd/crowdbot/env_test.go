package main

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// envSettings lists every environment variable the configuration reads, with a
// valid value and where that value must land.
var envSettings = map[string]struct {
	value, want string
	got         func(c *Config) any
}{
	"CROWDBOT_DATABASE_URL":                    {"other.db", "", func(c *Config) any { return c.Database.URL }},
	"CROWDBOT_HTTP_ADDR":                       {"127.0.0.1:7001", "", func(c *Config) any { return c.HTTP.Addr }},
	"CROWDBOT_PUBLIC_URL":                      {"https://crowd.example", "", func(c *Config) any { return c.HTTP.PublicURL }},
	"CROWDBOT_METRICS_ADDR":                    {"127.0.0.1:9091", "", func(c *Config) any { return c.Metrics.Addr }},
	"CROWDBOT_HTTP_TRUSTED_PROXIES":            {"10.0.0.0/8, 127.0.0.1", "[10.0.0.0/8 127.0.0.1]", func(c *Config) any { return c.HTTP.TrustedProxies }},
	"CROWDBOT_ADMINS":                          {"web:alice", "[web:alice]", func(c *Config) any { return c.Admins }},
	"CROWDBOT_LOG_FORMAT":                      {"json", "", func(c *Config) any { return c.Log.Format }},
	"CROWDBOT_LOG_LEVEL":                       {"debug", "", func(c *Config) any { return c.Log.Level }},
	"CROWDBOT_TELEGRAM_TOKEN":                  {"1:abc", "", func(c *Config) any { return c.Telegram.Token }},
	"CROWDBOT_TELEGRAM_API_ENDPOINT":           {"http://tg.test/bot%s/%s", "", func(c *Config) any { return c.Telegram.APIEndpoint }},
	"CROWDBOT_TELEGRAM_MODE":                   {"webhook", "", func(c *Config) any { return c.Telegram.Mode }},
	"CROWDBOT_TELEGRAM_WEBHOOK_URL":            {"https://crowd.example/telegram/webhook", "", func(c *Config) any { return c.Telegram.WebhookURL }},
	"CROWDBOT_TELEGRAM_WEBHOOK_SECRET":         {"s3cret_-", "", func(c *Config) any { return c.Telegram.WebhookSecret }},
	"CROWDBOT_DISCORD_TOKEN":                   {"discord-token", "", func(c *Config) any { return c.Discord.Token }},
	"CROWDBOT_DISCORD_APP_ID":                  {"123456789", "", func(c *Config) any { return c.Discord.AppID }},
	"CROWDBOT_DISCORD_PUBLIC_KEY":              {strings.Repeat("ab", 32), "", func(c *Config) any { return c.Discord.PublicKey }},
	"CROWDBOT_DISCORD_API_BASE":                {"http://dc.test/api", "", func(c *Config) any { return c.Discord.APIBase }},
	"CROWDBOT_DISCORD_GUILD_ID":                {"987654321", "", func(c *Config) any { return c.Discord.GuildID }},
	"CROWDBOT_DISCORD_ADMIN_ROLE":              {"Moderators", "", func(c *Config) any { return c.Discord.AdminRole }},
	"CROWDBOT_WEB_ADMIN_TOKEN":                 {"an-admin-token-1", "", func(c *Config) any { return c.Web.AdminToken }},
	"CROWDBOT_WEB_SESSION_SECRET":              {strings.Repeat("k", 32), "", func(c *Config) any { return c.Web.SessionSecret }},
	"CROWDBOT_WEB_TRYOUT":                      {"off", "", func(c *Config) any { return c.Web.Tryout }},
	"CROWDBOT_BALLOT_KEY":                      {"a-ballot-key-of-16+", "", func(c *Config) any { return c.Polls.BallotKey }},
	"CROWDBOT_CLEANUP_SENT_OUTBOX_AFTER":       {"2d", "48h0m0s", func(c *Config) any { return c.Cleanup.SentOutboxAfter }},
	"CROWDBOT_CLEANUP_PROCESSED_UPDATES_AFTER": {"3d", "72h0m0s", func(c *Config) any { return c.Cleanup.ProcessedUpdatesAfter }},
	"CROWDBOT_CLEANUP_IDLE_MEMBERS_AFTER":      {"10d", "240h0m0s", func(c *Config) any { return c.Cleanup.IdleMembersAfter }},
}

// envName matches the environment variables named in the documentation.
var envName = regexp.MustCompile(`CROWDBOT_[A-Z0-9_]*[A-Z0-9]`)

// promisedEnv returns the environment variables that README.md and
// config.example.yaml promise, but CROWDBOT_CONFIG (read before the file, by run)
// and the tests' own.
func promisedEnv(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	for _, f := range []string{"../../README.md", "../../config.example.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range envName.FindAllString(string(data), -1) {
			if name != "CROWDBOT_CONFIG" && !strings.HasPrefix(name, "CROWDBOT_TEST_") {
				set[name] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// TestEveryDocumentedVariableIsRead sets, one at a time, each environment variable
// the README or the example configuration names, and checks that its value lands in
// the configuration, over the default and over the file.
func TestEveryDocumentedVariableIsRead(t *testing.T) {
	promised := promisedEnv(t)
	if len(promised) < 20 {
		t.Fatalf("found only %d variables in the docs; the scan is broken", len(promised))
	}
	file := writeFile(t, "c.yaml", "log:\n  level: warn\ndiscord:\n  guild_id: \"42\"\n  admin_role: Staff\n")
	for _, name := range promised {
		s, ok := envSettings[name]
		if !ok {
			t.Errorf("%s is documented, but no test says what it sets", name)
			continue
		}
		want := s.want
		if want == "" {
			want = s.value
		}
		for _, path := range []string{"", file} {
			cfg, err := loadConfig(path, envOf(map[string]string{name: s.value}))
			if err != nil {
				t.Errorf("%s=%q: %v", name, s.value, err)
				continue
			}
			if got := fmt.Sprint(s.got(&cfg)); got != want {
				t.Errorf("%s=%q (file %q): the setting is %q", name, s.value, path, got)
			}
		}
	}
	for name := range envSettings {
		if !strings.Contains(strings.Join(promised, " "), name) {
			t.Errorf("%s is read but neither README.md nor config.example.yaml names it", name)
		}
	}
}

// TestDefaultsAreTheDocumentedOnes checks the defaults the configuration table
// states against defaultConfig, the one place they are set.
func TestDefaultsAreTheDocumentedOnes(t *testing.T) {
	cfg, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"database.url", cfg.Database.URL, "crowdbot.db"},
		{"http.addr", cfg.HTTP.Addr, "127.0.0.1:8080"},
		{"public URL", cfg.publicURL(), "http://127.0.0.1:8080"},
		{"log.format", cfg.Log.Format, "text"},
		{"log.level", cfg.Log.Level, "info"},
		{"telegram.mode", cfg.Telegram.Mode, "polling"},
		{"web.tryout", cfg.Web.Tryout, "auto"},
		{"cleanup.sent_outbox_after", cfg.Cleanup.SentOutboxAfter.String(), "168h0m0s"},
		{"cleanup.processed_updates_after", cfg.Cleanup.ProcessedUpdatesAfter.String(), "48h0m0s"},
		{"cleanup.idle_members_after", cfg.Cleanup.IdleMembersAfter.String(), "720h0m0s"},
	} {
		if c.got != c.want {
			t.Errorf("default %s = %v, the docs say %v", c.name, c.got, c.want)
		}
	}
	cfg.HTTP.PublicURL = "https://crowd.example"
	if got := cfg.publicURL(); got != "https://crowd.example" {
		t.Errorf("a set public URL is %q", got)
	}
}

// TestExampleStatesTheDefaults loads config.example.yaml, which writes every key with
// its default, and expects exactly what no file at all gives: the example and
// defaultConfig cannot drift apart.
func TestExampleStatesTheDefaults(t *testing.T) {
	example, err := loadConfig("../../config.example.yaml", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	none, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Config{&example, &none} {
		c.passwordInYAML = false
		// an empty list in the file is no list at all
		if len(c.Admins) == 0 {
			c.Admins = nil
		}
		if len(c.HTTP.TrustedProxies) == 0 {
			c.HTTP.TrustedProxies = nil
		}
	}
	if !reflect.DeepEqual(example, none) {
		t.Errorf("config.example.yaml says\n%+v\nthe defaults are\n%+v", example, none)
	}
}

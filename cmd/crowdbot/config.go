package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"crowdbot/bots"
	"crowdbot/bots/web"
	"crowdbot/core"
	"crowdbot/storage"
)

// Config is everything the operator can set. Defaults come first, then the YAML file,
// then the environment. Secrets (tokens, keys, passwords) come only from the
// environment or from a file named in the YAML, and are never logged.
type Config struct {
	Database DatabaseConfig `yaml:"database"`
	HTTP     HTTPConfig     `yaml:"http"`
	Metrics  MetricsConfig  `yaml:"metrics"`
	Log      LogConfig      `yaml:"log"`
	// Admins are owners who are admins everywhere, as platform:id.
	Admins   []string       `yaml:"admins"`
	Telegram TelegramConfig `yaml:"telegram"`
	Discord  DiscordConfig  `yaml:"discord"`
	Web      WebConfig      `yaml:"web"`
	Rules    RulesConfig    `yaml:"rules"`
	Polls    PollsConfig    `yaml:"polls"`
	Cleanup  CleanupConfig  `yaml:"cleanup"`

	// passwordInYAML is set when database.url came from the file itself.
	passwordInYAML bool
}

// DatabaseConfig says where state is kept.
type DatabaseConfig struct {
	// URL is an SQLite path or a postgres:// URL without a password.
	URL string `yaml:"url"`
	// URLFile names a file holding the URL, for URLs with a password.
	URLFile string `yaml:"url_file"`
}

// HTTPConfig is the web server's.
type HTTPConfig struct {
	Addr string `yaml:"addr"`
	// PublicURL is the address people reach the web pages at, for share links;
	// empty means http:// and Addr (see publicURL).
	PublicURL string `yaml:"public_url"`
	// TrustedProxies are the reverse proxies (addresses or networks) whose
	// X-Forwarded-For is believed; from any other peer the header is ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ReadTimeout bounds reading a whole request, WriteTimeout sending its answer,
	// IdleTimeout how long a kept-alive connection may wait for its next request.
	ReadTimeout  time.Duration `yaml:"read_timeout"`
	WriteTimeout time.Duration `yaml:"write_timeout"`
	IdleTimeout  time.Duration `yaml:"idle_timeout"`
	// RequestTimeout bounds the handling of one request, message or button press on
	// every platform, waiting for the database included.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// MaxConnections is how many connections the server holds at once (0: three
	// quarters of the process's open-file limit); MaxConnectionsPerClient how many
	// one address (an IPv6 /64) other than a trusted proxy may hold.
	MaxConnections          int `yaml:"max_connections"`
	MaxConnectionsPerClient int `yaml:"max_connections_per_client"`
}

// MetricsConfig says where /metrics is served.
type MetricsConfig struct {
	// Addr is a listener of the metrics' own (host:port, e.g. 127.0.0.1:9090), where
	// they answer anyone who reaches it, and the main listener serves none. Empty:
	// the main listener serves /metrics to the admin token's bearer (or, with no
	// token, to this machine only).
	Addr string `yaml:"addr"`
}

// LogConfig shapes the log.
type LogConfig struct {
	Format string `yaml:"format"` // text or json
	Level  string `yaml:"level"`  // debug, info, warn, error
}

// TelegramConfig is the Telegram adapter's.
type TelegramConfig struct {
	TokenFile   string `yaml:"token_file"`
	APIEndpoint string `yaml:"api_endpoint"`
	Mode        string `yaml:"mode"` // polling or webhook
	// WebhookURL is the public URL Telegram posts updates to, in webhook mode.
	WebhookURL        string `yaml:"webhook_url"`
	WebhookSecretFile string `yaml:"webhook_secret_file"`

	Token         string `yaml:"-"`
	WebhookSecret string `yaml:"-"`
}

// DiscordConfig is the Discord adapter's.
type DiscordConfig struct {
	TokenFile string `yaml:"token_file"`
	AppID     string `yaml:"app_id"`
	PublicKey string `yaml:"public_key"`
	APIBase   string `yaml:"api_base"`
	GuildID   string `yaml:"guild_id"`
	// AdminRole is a role (its name, or its id) whose members are admins, besides
	// those with Manage Server.
	AdminRole string `yaml:"admin_role"`

	Token string `yaml:"-"`
}

// WebConfig is the web front's.
type WebConfig struct {
	// AdminTokenFile names a file with the admin login token.
	AdminTokenFile string `yaml:"admin_token_file"`
	// SessionSecretFile names a file with the key that signs session cookies; without
	// one a random key is made at each start (sessions end with a restart, and
	// replicas do not share them).
	SessionSecretFile string `yaml:"session_secret_file"`
	// Tryout is the playground's try-out mode, where the name typed in is who speaks
	// and the first name is an admin: "auto" (on when the server listens only on a
	// loopback address), "on" or "off".
	Tryout string `yaml:"tryout"`
	// SessionsPerHour is how many new visitor sessions one client (an address, an
	// IPv6 /64) gets an hour on a public server.
	SessionsPerHour int `yaml:"sessions_per_hour"`
	// ChatPerMinute is how many playground requests one client may send a minute on
	// a public server.
	ChatPerMinute int `yaml:"chat_per_minute"`

	AdminToken    string `yaml:"-"`
	SessionSecret string `yaml:"-"`
}

// RulesConfig tunes the campaign rules.
type RulesConfig struct {
	MaxFundraiserDays int            `yaml:"max_fundraiser_days"`
	Points            map[string]int `yaml:"points"`
	// SubmissionsPerMinute bounds each member's submissions; 0 turns the limit off.
	SubmissionsPerMinute int     `yaml:"submissions_per_minute"`
	TaskMinAccuracy      float64 `yaml:"task_min_accuracy"`
}

// PollsConfig is the polls'.
type PollsConfig struct {
	// BallotKeyFile names a file with the key that seals anonymous ballots. Without
	// one, a random key kept in the database is used.
	BallotKeyFile string `yaml:"ballot_key_file"`

	BallotKey string `yaml:"-"`
}

// CleanupConfig says how long the rows that would otherwise only grow are kept.
type CleanupConfig struct {
	// SentOutboxAfter is how long a delivered (or given up) announcement is kept.
	SentOutboxAfter Duration `yaml:"sent_outbox_after"`
	// ProcessedUpdatesAfter is how long a platform update's id is remembered, to drop
	// a second delivery of it.
	ProcessedUpdatesAfter Duration `yaml:"processed_updates_after"`
	// IdleMembersAfter is how old a web visitor who never took part must be to go.
	IdleMembersAfter Duration `yaml:"idle_members_after"`
}

// Duration is a time.Duration written as Go writes one ("36h", "90m") or as whole
// days ("7d").
type Duration time.Duration

// parseDuration reads a Duration.
func parseDuration(s string) (Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return Duration(time.Duration(n) * 24 * time.Hour), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (7d, 36h, 90m)", s)
	}
	return Duration(d), nil
}

// UnmarshalYAML reads a Duration from a YAML string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}

// String writes d as Go does.
func (d Duration) String() string { return time.Duration(d).String() }

// Shortest retention accepted: an update must be remembered for the platforms'
// redelivery window (Telegram keeps an undelivered update for a day), and an
// announcement for a while after it went, for the admins' outbox page.
const (
	minSentOutboxAfter       = time.Hour
	minProcessedUpdatesAfter = 24 * time.Hour
	minIdleMembersAfter      = 24 * time.Hour
)

// defaultConfig returns the configuration used when nothing is set: SQLite in the
// working directory, the web page on localhost, platform adapters off. It is the one
// place the defaults are written; the few that follow from another setting (the
// public URL from http.addr, the connection limit from the open-file limit, the
// platforms' own API addresses) are worked out where their fields say.
func defaultConfig() Config {
	s := core.DefaultSettings()
	return Config{
		Database: DatabaseConfig{URL: storage.DefaultSQLiteFile},
		HTTP: HTTPConfig{Addr: "127.0.0.1:8080",
			ReadTimeout: web.DefaultLimits.ReadTimeout, WriteTimeout: web.DefaultLimits.WriteTimeout, IdleTimeout: web.DefaultLimits.IdleTimeout,
			RequestTimeout: bots.DefaultDeadline, MaxConnectionsPerClient: web.DefaultLimits.MaxConnsPerClient},
		Log:      LogConfig{Format: "text", Level: "info"},
		Telegram: TelegramConfig{Mode: "polling"},
		Web:      WebConfig{Tryout: "auto", SessionsPerHour: web.DefaultSessionsPerHour, ChatPerMinute: web.DefaultChatPerMinute},
		Rules: RulesConfig{
			MaxFundraiserDays:    s.MaxFundraiserDays,
			Points:               s.Points,
			SubmissionsPerMinute: 20,
			TaskMinAccuracy:      s.TaskMinAccuracy,
		},
		Cleanup: CleanupConfig{
			SentOutboxAfter:       Duration(s.Retention.SentOutbox),
			ProcessedUpdatesAfter: Duration(s.Retention.ProcessedUpdates),
			IdleMembersAfter:      Duration(s.Retention.IdleMembers),
		},
	}
}

// loadConfig reads the YAML file at path ("" for none) over the defaults, then the
// environment over that, and checks the result.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	cfg.passwordInYAML = cfg.Database.URL != defaultConfig().Database.URL
	if err := cfg.applyEnv(getenv); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

// applyEnv reads the environment variables and the secret files.
func (c *Config) applyEnv(getenv func(string) string) error {
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&c.HTTP.Addr, "CROWDBOT_HTTP_ADDR")
	set(&c.HTTP.PublicURL, "CROWDBOT_PUBLIC_URL")
	set(&c.Metrics.Addr, "CROWDBOT_METRICS_ADDR")
	set(&c.Log.Format, "CROWDBOT_LOG_FORMAT")
	set(&c.Log.Level, "CROWDBOT_LOG_LEVEL")
	set(&c.Telegram.APIEndpoint, "CROWDBOT_TELEGRAM_API_ENDPOINT")
	set(&c.Telegram.Mode, "CROWDBOT_TELEGRAM_MODE")
	set(&c.Telegram.WebhookURL, "CROWDBOT_TELEGRAM_WEBHOOK_URL")
	set(&c.Discord.AppID, "CROWDBOT_DISCORD_APP_ID")
	set(&c.Discord.PublicKey, "CROWDBOT_DISCORD_PUBLIC_KEY")
	set(&c.Discord.APIBase, "CROWDBOT_DISCORD_API_BASE")
	set(&c.Discord.GuildID, "CROWDBOT_DISCORD_GUILD_ID")
	set(&c.Discord.AdminRole, "CROWDBOT_DISCORD_ADMIN_ROLE")
	list := func(dst *[]string, name string) {
		if v := getenv(name); v != "" {
			*dst = nil
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					*dst = append(*dst, a)
				}
			}
		}
	}
	set(&c.Web.Tryout, "CROWDBOT_WEB_TRYOUT")
	durations := []struct {
		dst      *Duration
		env, key string
	}{
		{&c.Cleanup.SentOutboxAfter, "CROWDBOT_CLEANUP_SENT_OUTBOX_AFTER", "cleanup.sent_outbox_after"},
		{&c.Cleanup.ProcessedUpdatesAfter, "CROWDBOT_CLEANUP_PROCESSED_UPDATES_AFTER", "cleanup.processed_updates_after"},
		{&c.Cleanup.IdleMembersAfter, "CROWDBOT_CLEANUP_IDLE_MEMBERS_AFTER", "cleanup.idle_members_after"},
	}
	for _, d := range durations {
		if v := getenv(d.env); v != "" {
			parsed, err := parseDuration(v)
			if err != nil {
				return fmt.Errorf("config %s (%s): %w", d.key, d.env, err)
			}
			*d.dst = parsed
		}
	}
	list(&c.Admins, "CROWDBOT_ADMINS")
	list(&c.HTTP.TrustedProxies, "CROWDBOT_HTTP_TRUSTED_PROXIES")
	secrets := []struct {
		dst       *string
		env, file string
		key       string
	}{
		{&c.Database.URL, "CROWDBOT_DATABASE_URL", c.Database.URLFile, "database.url_file"},
		{&c.Telegram.Token, "CROWDBOT_TELEGRAM_TOKEN", c.Telegram.TokenFile, "telegram.token_file"},
		{&c.Telegram.WebhookSecret, "CROWDBOT_TELEGRAM_WEBHOOK_SECRET", c.Telegram.WebhookSecretFile, "telegram.webhook_secret_file"},
		{&c.Discord.Token, "CROWDBOT_DISCORD_TOKEN", c.Discord.TokenFile, "discord.token_file"},
		{&c.Web.AdminToken, "CROWDBOT_WEB_ADMIN_TOKEN", c.Web.AdminTokenFile, "web.admin_token_file"},
		{&c.Web.SessionSecret, "CROWDBOT_WEB_SESSION_SECRET", c.Web.SessionSecretFile, "web.session_secret_file"},
		{&c.Polls.BallotKey, "CROWDBOT_BALLOT_KEY", c.Polls.BallotKeyFile, "polls.ballot_key_file"},
	}
	for _, s := range secrets {
		if v := getenv(s.env); v != "" {
			*s.dst = v
			if s.key == "database.url_file" {
				c.passwordInYAML = false
			}
			continue
		}
		if s.file != "" {
			if s.key == "database.url_file" {
				c.passwordInYAML = false
			}
			data, err := os.ReadFile(s.file)
			if err != nil {
				return fmt.Errorf("config %s: %w", s.key, err)
			}
			*s.dst = strings.TrimSpace(string(data))
		}
	}
	return nil
}

// Shortest web secrets accepted: a guessable token or key would open the admin pages.
const (
	minSessionSecret = 32
	minAdminToken    = 12
)

// validate checks every value and names the key of the first bad one.
func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config %s: %s", key, fmt.Sprintf(format, args...))
	}
	if u := c.Database.URL; strings.Contains(u, "://") && !strings.HasPrefix(u, "sqlite://") {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
			return bad("database.url", "want an SQLite path or a postgres:// URL")
		}
		if _, ok := p.User.Password(); ok && c.passwordInYAML {
			return bad("database.url", "holds a password: put the URL in CROWDBOT_DATABASE_URL or database.url_file")
		}
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		return bad("http.addr", "%q is not host:port", c.HTTP.Addr)
	}
	if a := c.Metrics.Addr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return bad("metrics.addr", "%q is not host:port", a)
		}
		if a == c.HTTP.Addr {
			return bad("metrics.addr", "%q is http.addr too: give the metrics another port", a)
		}
	}
	if c.HTTP.PublicURL != "" {
		if u, err := url.Parse(c.HTTP.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("http.public_url", "%q is not an http(s) URL", c.HTTP.PublicURL)
		}
	}
	if _, err := web.ParseProxies(c.HTTP.TrustedProxies); err != nil {
		return bad("http.trusted_proxies", "%v", err)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"http.read_timeout", c.HTTP.ReadTimeout}, {"http.write_timeout", c.HTTP.WriteTimeout}, {"http.idle_timeout", c.HTTP.IdleTimeout},
		{"http.request_timeout", c.HTTP.RequestTimeout}} {
		if d.v < time.Second || d.v > time.Hour {
			return bad(d.key, "%v is not between 1s and 1h", d.v)
		}
	}
	if c.HTTP.MaxConnections < 0 || c.HTTP.MaxConnections > 10_000_000 {
		return bad("http.max_connections", "%d is not between 0 (from the open-file limit) and 10000000", c.HTTP.MaxConnections)
	}
	if c.HTTP.MaxConnectionsPerClient < 1 || c.HTTP.MaxConnectionsPerClient > 100000 {
		return bad("http.max_connections_per_client", "%d is not between 1 and 100000", c.HTTP.MaxConnectionsPerClient)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", "%q is not text or json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	for _, a := range c.Admins {
		p, id, ok := strings.Cut(a, ":")
		if !ok || !core.Platform(p).Valid() || id == "" {
			return bad("admins", "%q is not platform:id (telegram:42, discord:1234, web:alice)", a)
		}
	}
	switch c.Telegram.Mode {
	case "polling", "webhook":
	default:
		return bad("telegram.mode", "%q is not polling or webhook", c.Telegram.Mode)
	}
	if c.Telegram.APIEndpoint != "" && strings.Count(c.Telegram.APIEndpoint, "%s") != 2 {
		return bad("telegram.api_endpoint", "%q must have two %%s, as in https://api.telegram.org/bot%%s/%%s", c.Telegram.APIEndpoint)
	}
	if c.Telegram.Mode == "webhook" && c.Telegram.Token != "" && c.Telegram.WebhookURL == "" {
		return bad("telegram.webhook_url", "is needed in webhook mode")
	}
	if sec := c.Telegram.WebhookSecret; sec != "" && !validWebhookSecret(sec) {
		return bad("telegram.webhook_secret", "Telegram takes 1 to 256 characters among A-Z, a-z, 0-9, _ and -")
	}
	if c.Telegram.WebhookURL != "" {
		if u, err := url.Parse(c.Telegram.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("telegram.webhook_url", "%q is not an http(s) URL", c.Telegram.WebhookURL)
		}
	}
	if c.Discord.APIBase != "" {
		if u, err := url.Parse(c.Discord.APIBase); err != nil || u.Scheme == "" || u.Host == "" {
			return bad("discord.api_base", "%q is not a URL", c.Discord.APIBase)
		}
	}
	if c.Discord.PublicKey != "" && len(c.Discord.PublicKey) != 64 {
		return bad("discord.public_key", "want the 64 hex digits shown in the Developer Portal")
	}
	if c.Discord.AppID != "" {
		if _, err := strconv.ParseUint(c.Discord.AppID, 10, 64); err != nil {
			return bad("discord.app_id", "%q is not a snowflake", c.Discord.AppID)
		}
	}
	if n := len(c.Web.SessionSecret); n > 0 && n < minSessionSecret {
		return bad("web.session_secret_file", "the secret has %d characters; use at least %d (CROWDBOT_WEB_SESSION_SECRET or the file)", n, minSessionSecret)
	}
	if n := len(c.Web.AdminToken); n > 0 && n < minAdminToken {
		return bad("web.admin_token_file", "the token has %d characters; use at least %d (CROWDBOT_WEB_ADMIN_TOKEN or the file)", n, minAdminToken)
	}
	if c.Discord.GuildID != "" {
		if _, err := strconv.ParseUint(c.Discord.GuildID, 10, 64); err != nil {
			return bad("discord.guild_id", "%q is not a snowflake", c.Discord.GuildID)
		}
	}
	switch c.Web.Tryout {
	case "auto", "on", "off":
	default:
		return bad("web.tryout", "%q is not auto, on or off", c.Web.Tryout)
	}
	if c.Web.SessionsPerHour < 1 || c.Web.SessionsPerHour > 100000 {
		return bad("web.sessions_per_hour", "%d is not between 1 and 100000", c.Web.SessionsPerHour)
	}
	if c.Web.ChatPerMinute < 1 || c.Web.ChatPerMinute > 100000 {
		return bad("web.chat_per_minute", "%d is not between 1 and 100000", c.Web.ChatPerMinute)
	}
	if c.Rules.MaxFundraiserDays < 1 || c.Rules.MaxFundraiserDays > 365 {
		return bad("rules.max_fundraiser_days", "%d is not between 1 and 365", c.Rules.MaxFundraiserDays)
	}
	known := core.DefaultSettings().Points
	for k, v := range c.Rules.Points {
		if _, ok := known[k]; !ok {
			return bad("rules.points", "unknown action %q", k)
		}
		if v < 0 || v > 1000 {
			return bad("rules.points."+k, "%d is not between 0 and 1000", v)
		}
	}
	if c.Rules.SubmissionsPerMinute < 0 || c.Rules.SubmissionsPerMinute > 6000 {
		return bad("rules.submissions_per_minute", "%d is not between 0 and 6000", c.Rules.SubmissionsPerMinute)
	}
	if c.Rules.TaskMinAccuracy < 0 || c.Rules.TaskMinAccuracy > 1 {
		return bad("rules.task_min_accuracy", "%v is not between 0 and 1", c.Rules.TaskMinAccuracy)
	}
	for _, d := range []struct {
		v   Duration
		min time.Duration
		key string
	}{
		{c.Cleanup.SentOutboxAfter, minSentOutboxAfter, "cleanup.sent_outbox_after"},
		{c.Cleanup.ProcessedUpdatesAfter, minProcessedUpdatesAfter, "cleanup.processed_updates_after"},
		{c.Cleanup.IdleMembersAfter, minIdleMembersAfter, "cleanup.idle_members_after"},
	} {
		if time.Duration(d.v) < d.min {
			return bad(d.key, "%v is shorter than %v", d.v, d.min)
		}
	}
	if k := c.Polls.BallotKey; k != "" && len(k) < 16 {
		return bad("polls.ballot_key_file", "the ballot key (or CROWDBOT_BALLOT_KEY) must be at least 16 characters")
	}
	return nil
}

// publicURL is the address people reach the web pages at: http.public_url, or by
// default http:// and the server's address.
func (c *Config) publicURL() string {
	if c.HTTP.PublicURL != "" {
		return c.HTTP.PublicURL
	}
	return "http://" + c.HTTP.Addr
}

// settings returns the core settings the configuration describes.
func (c *Config) settings() core.Settings {
	points := core.DefaultSettings().Points
	for k, v := range c.Rules.Points {
		points[k] = v
	}
	return core.Settings{MaxFundraiserDays: c.Rules.MaxFundraiserDays, Points: points, TaskMinAccuracy: c.Rules.TaskMinAccuracy,
		BallotKey: []byte(c.Polls.BallotKey), Schedules: bots.ParseCron,
		Retention: core.Retention{
			SentOutbox:       time.Duration(c.Cleanup.SentOutboxAfter),
			ProcessedUpdates: time.Duration(c.Cleanup.ProcessedUpdatesAfter),
			IdleMembers:      time.Duration(c.Cleanup.IdleMembersAfter),
		}}
}

// validWebhookSecret reports whether Telegram accepts s as a webhook secret token.
func validWebhookSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

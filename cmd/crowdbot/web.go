package main

import (
	"log/slog"
	"path/filepath"
	"strings"

	"crowdbot/bots"
	"crowdbot/bots/web"
	"crowdbot/core"
	"crowdbot/storage"
)

// ownerFileName is the file that names the first local playground member.
const ownerFileName = "crowdbot-web-owner"

// newWeb builds the web front from the configuration.
func newWeb(cfg Config, svc *core.Service, router *bots.Router, metrics *bots.Metrics, log *slog.Logger, publicURL string) *web.Server {
	proxies, _ := web.ParseProxies(cfg.HTTP.TrustedProxies) // validated with the config
	o := web.Options{
		Service: svc, Router: router, Metrics: metrics, Logger: log,
		PublicURL:     publicURL,
		Local:         web.Local(cfg.HTTP.Addr, cfg.HTTP.PublicURL),
		OwnerFile:     ownerFile(cfg),
		Proxies:       proxies,
		AdminToken:    cfg.Web.AdminToken,
		SessionSecret: []byte(cfg.Web.SessionSecret),
	}
	o.ProgressPNG = router.ProgressPNG
	o.Referrals = svc
	if o.Local {
		log.Info("playground: local try-out, member names are trusted", "owner_file", o.OwnerFile)
	}
	if cfg.Web.AdminToken == "" {
		log.Info("web admin pages closed: CROWDBOT_WEB_ADMIN_TOKEN is not set")
	}
	return web.New(o)
}

// ownerFile is where the first local member is kept: the configured file, or one next
// to the SQLite database (so that a fresh database starts a fresh try-out), or in the
// working directory when the database is Postgres.
func ownerFile(cfg Config) string {
	if cfg.Web.OwnerFile != "" {
		return cfg.Web.OwnerFile
	}
	u := cfg.Database.URL
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return ownerFileName
	}
	path := strings.TrimPrefix(u, "sqlite://")
	if path == "" {
		path = storage.DefaultSQLiteFile
	}
	path, _, _ = strings.Cut(strings.TrimPrefix(path, "file:"), "?")
	return filepath.Join(filepath.Dir(path), ownerFileName)
}

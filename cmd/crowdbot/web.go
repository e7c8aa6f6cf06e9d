package main

import (
	"log/slog"

	"crowdbot/bots"
	"crowdbot/bots/web"
	"crowdbot/core"
)

// newWeb builds the web front from the configuration.
func newWeb(cfg Config, svc *core.Service, router *bots.Router, metrics *bots.Metrics, log *slog.Logger, publicURL string) *web.Adapter {
	proxies, _ := web.ParseProxies(cfg.HTTP.TrustedProxies) // validated with the config
	o := web.Options{
		Service: svc, Router: router, Metrics: metrics, Logger: log,
		PublicURL:       publicURL,
		Local:           tryout(cfg),
		SessionsPerHour: cfg.Web.SessionsPerHour,
		ChatPerMinute:   cfg.Web.ChatPerMinute,
		Proxies:         proxies,
		AdminToken:      cfg.Web.AdminToken,
		SessionSecret:   []byte(cfg.Web.SessionSecret),
		MetricsApart:    cfg.Metrics.Addr != "",
	}
	o.ProgressPNG = router.ProgressPNG
	o.Referrals = svc
	if o.Local {
		log.Info("playground: local try-out, member names are trusted; only this machine is answered", "web.tryout", cfg.Web.Tryout)
	}
	if cfg.Web.AdminToken == "" {
		log.Info("web admin pages closed: CROWDBOT_WEB_ADMIN_TOKEN is not set")
	}
	return web.New(o)
}

// tryout reports whether the playground is a try-out: web.tryout, where "auto" means
// on when the server listens only on a loopback address.
func tryout(cfg Config) bool {
	switch cfg.Web.Tryout {
	case "on":
		return true
	case "off":
		return false
	}
	return web.Local(cfg.HTTP.Addr, cfg.HTTP.PublicURL)
}

// httpLimits are the web server's limits the configuration describes.
func httpLimits(cfg Config) web.Limits {
	l := web.DefaultLimits
	l.ReadTimeout, l.WriteTimeout, l.IdleTimeout = cfg.HTTP.ReadTimeout, cfg.HTTP.WriteTimeout, cfg.HTTP.IdleTimeout
	l.MaxConns, l.MaxConnsPerClient = cfg.HTTP.MaxConnections, cfg.HTTP.MaxConnectionsPerClient
	if l.MaxConns == 0 {
		// past the open-file limit, accepting fails for everyone, the database's
		// connections and the platforms' included; a quarter stays for those
		l.MaxConns = max(64, openFileLimit()*3/4)
	}
	return l
}

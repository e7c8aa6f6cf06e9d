// Command crowdbot runs crowdsourcing campaigns on Discord, Telegram and the web.
//
// Usage:
//
//	crowdbot [-config PATH] [serve]   run the bot (the default)
//	crowdbot [-config PATH] migrate   bring the database schema up to date
//	crowdbot version                  print the version
//
// It is the one package that sees every layer: it reads the configuration
// (config.go: defaults, then the YAML file, then the environment), opens storage,
// builds core's Service and the neutral Router, and starts the fronts (front ends:
// Telegram, Discord and the web, one file each here) and the loops of the spread
// (spread.go: the scheduler of progress posts, reminders and deadlines, the outbox's
// dispatchers, and the refresher that keeps posted cards, such as a poll with its
// tally, up to date). The house, in the code, is what every campaign kind shares.
// docs/DESIGN.md has the layers and their rules.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // campaigns name IANA zones; do not depend on the host's tzdata

	"crowdbot/bots"
	"crowdbot/bots/i18n"
	"crowdbot/bots/web"
	"crowdbot/core"
	"crowdbot/storage"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// shutdownGrace bounds how long in-flight work may take after a stop signal.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process around it, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crowdbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", getenv("CROWDBOT_CONFIG"), "YAML configuration `file` (optional)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: crowdbot [-config PATH] [serve|migrate|version]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cmd := "serve"
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "crowdbot", version)
		return 0
	}
	if cmd != "serve" && cmd != "migrate" {
		fs.Usage()
		return 2
	}
	cfg, err := loadConfig(*configPath, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "crowdbot:", err)
		return 2
	}
	log := newLogger(cfg.Log, stderr)
	if cmd == "migrate" {
		err = migrate(ctx, cfg, log)
	} else {
		err = serve(ctx, cfg, log)
	}
	if err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	return 0
}

// listenError explains a listener that could not open. When another program holds
// the port it says how to pick another one, since that is the usual cause on a
// first run (another server on 8080).
func listenError(what, env, key, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		host, port, _ := net.SplitHostPort(addr)
		other := "8081"
		if port == "8081" {
			other = "8082"
		}
		return fmt.Errorf("%s: %w: another program already uses port %s; pick another one with %s=%s or %s in the config file",
			what, err, port, env, net.JoinHostPort(host, other), key)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated with the config
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.Database.URL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	where := cfg.Database.URL
	if db.Dialect() == storage.Postgres {
		where = "postgres" // the URL may hold a password
	} else if where == "" {
		where = storage.DefaultSQLiteFile // a file that says url: ""
	}
	log.Info("database ready", "dialect", db.Dialect(), "at", where)
	return db, nil
}

func migrate(ctx context.Context, cfg Config, log *slog.Logger) error {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	return db.Close()
}

// serve runs the bot until ctx ends, then stops taking work, lets in-flight work
// finish for up to shutdownGrace, and closes the database.
func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()

	catalog, err := i18n.Load()
	if err != nil {
		return err
	}
	svc := core.NewService(db, core.SystemClock{}, cfg.settings())
	tg, err := dialTelegram(ctx, cfg.Telegram, log)
	if err != nil {
		return err
	}
	metrics := bots.NewMetrics()
	publicURL := cfg.publicURL()
	router := bots.NewRouter(bots.Options{
		Service: svc, Catalog: catalog, Owners: cfg.Admins, SubmissionsPerMinute: cfg.Rules.SubmissionsPerMinute,
		Metrics: metrics, Logger: log, PublicURL: publicURL, TelegramBot: tg.username(), Deadline: cfg.HTTP.RequestTimeout,
	})
	site := newWeb(cfg, svc, router, metrics, log, publicURL)

	if cfg.Telegram.Token == "" {
		log.Info("telegram adapter off: CROWDBOT_TELEGRAM_TOKEN is not set")
	}
	if cfg.Discord.Token == "" && cfg.Discord.PublicKey == "" {
		log.Info("discord adapter off: CROWDBOT_DISCORD_TOKEN and CROWDBOT_DISCORD_PUBLIC_KEY are not set")
	}

	if err := tg.start(ctx, router, site); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return listenError("http", "CROWDBOT_HTTP_ADDR", "http.addr", cfg.HTTP.Addr, err)
	}
	limits := httpLimits(cfg)
	proxies, _ := web.ParseProxies(cfg.HTTP.TrustedProxies) // validated with the config
	srv := web.HTTPServer(site.Handler(), limits)
	log.Debug("http limits", "max_connections", limits.MaxConns, "max_connections_per_client", limits.MaxConnsPerClient)
	log.Info("web page ready", "url", "http://"+ln.Addr().String()+"/", "playground", "http://"+ln.Addr().String()+"/playground")
	servers := []*http.Server{srv}
	listeners := []net.Listener{web.Listen(ln, limits, proxies)}
	if cfg.Metrics.Addr != "" {
		mln, err := net.Listen("tcp", cfg.Metrics.Addr)
		if err != nil {
			_ = ln.Close()
			return listenError("metrics", "CROWDBOT_METRICS_ADDR", "metrics.addr", cfg.Metrics.Addr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", site.MetricsHandler())
		servers = append(servers, web.HTTPServer(mux, limits))
		listeners = append(listeners, mln)
		log.Info("metrics ready", "url", "http://"+mln.Addr().String()+"/metrics")
	}

	// work is the context of background loops; it ends with ctx
	var wg sync.WaitGroup
	// the platforms' posters deliver the outbox and refresh posted poll cards
	var posters []bots.Poster
	if p := tg.poster(); p != nil {
		posters = append(posters, p)
	}
	if p := startDiscord(ctx, cfg, router, site, log, &wg); p != nil {
		posters = append(posters, p)
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		wg.Go(func() {
			if err := s.Serve(listeners[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("http: %w", err)
			}
		})
	}
	wg.Go(func() { runSpreading(ctx, svc, db, router, metrics, log, posters...) })
	wg.Go(func() { tg.run(ctx) })

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range servers {
		if serr := s.Shutdown(sctx); serr != nil {
			log.Warn("http shutdown", "err", serr)
		}
	}
	wg.Wait()
	return err
}

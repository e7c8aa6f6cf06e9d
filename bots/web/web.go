// Package web is crowdbot's web front: health and metrics, the public campaign pages,
// the playground chat and its JSON API, and the admin pages with their CSV exports.
// It is one more front end over the neutral conversation layer: the playground turns
// what a visitor types or presses into a bots.Input, and the Router answers.
//
// A front (front end) is one place people reach the bot: this package, Telegram or
// Discord. The house is what every campaign kind shares (campaigns, spaces, members,
// languages), the spread what makes a campaign travel (share links, referrals, the
// leaderboard, progress posts); a card is an announcement in its kind's own shape (a
// poll with its vote buttons and tally). docs/DESIGN.md has the layers and their
// rules.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
)

// ProgressFunc draws a campaign's progress image as PNG in a language.
type ProgressFunc func(ctx context.Context, c *core.Campaign, locale string) ([]byte, error)

// Referrer records that the actor came to a campaign through another member's share
// link (via says how: "web"); the referrer is credited when the actor first takes
// part. Core's Service implements it.
type Referrer interface {
	Refer(ctx context.Context, actor core.Actor, code string, referrerID int64, via string) error
}

// Options are what the web front needs.
type Options struct {
	// Service is read by the public and admin pages; it is required.
	Service *core.Service
	// Router is the neutral conversation (a *bots.Router): the playground chat goes
	// through it, as Telegram and Discord do.
	Router  bots.Conversation
	Metrics *bots.Metrics
	Logger  *slog.Logger
	// PublicURL is where people reach the pages ("https://crowd.example"), for the
	// absolute links of share previews.
	PublicURL string
	// Local is the try-out mode: the member name a playground request gives is who
	// speaks, and the first name is an admin of the web's space. It is only for
	// someone at this machine: requests from another address, or through a proxy
	// (with Forwarded or X-Forwarded-* headers), are refused. Otherwise a web member
	// is tied to a signed session cookie.
	Local bool
	// Proxies are the reverse proxies whose X-Forwarded-For names the client.
	Proxies Proxies
	// AdminToken opens the admin pages; "" keeps them closed.
	AdminToken string
	// SessionSecret signs session cookies; empty picks a random one at start, so
	// sessions end with the process.
	SessionSecret []byte
	// ProgressPNG draws progress images; nil serves none.
	ProgressPNG ProgressFunc
	// Referrals records who brought whom; nil records nothing.
	Referrals Referrer
	// SessionsPerHour is how many new sessions (visitors) one client (an address, an
	// IPv6 /64) gets an hour on a public server; 0 for DefaultSessionsPerHour.
	SessionsPerHour int
	// ChatPerMinute is how many chat requests one client may send a minute on a
	// public server; 0 for DefaultChatPerMinute.
	ChatPerMinute int
	// Challenge, when set, is asked of each new session before its first chat
	// message runs.
	Challenge Challenge
	// TelegramBot is the bot's username, for a link on campaign pages; "" for none.
	TelegramBot string
	// MetricsApart says the metrics have a listener of their own (MetricsHandler), so
	// this one answers 404 for /metrics. Otherwise /metrics here needs the admin
	// token as a bearer, or an admin login; with no admin token, only this machine.
	MetricsApart bool
}

// Adapter is the web front: it serves crowdbot's HTTP routes. Other front ends mount theirs with Handle.
type Adapter struct {
	svc       *core.Service
	router    bots.Conversation
	metrics   *bots.Metrics
	log       *slog.Logger
	mux       *http.ServeMux
	public    string
	local     bool
	proxies   Proxies
	token     string
	secret    []byte
	adminKey  string // ties admin logins to the token (adminKeyOf)
	png       ProgressFunc
	referrer  Referrer
	tgBot     string
	pages     map[string]*template.Template
	logins    *guessLimiter
	visitors  visitorLimits
	challenge Challenge
	firstName atomic.Pointer[string] // the try-out's admin, once known
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New returns an Adapter with its routes mounted.
func New(o Options) *Adapter {
	s := &Adapter{
		svc: o.Service, router: o.Router, metrics: o.Metrics, log: o.Logger, mux: http.NewServeMux(),
		public: strings.TrimRight(o.PublicURL, "/"), local: o.Local, proxies: o.Proxies,
		token: o.AdminToken, secret: o.SessionSecret, png: o.ProgressPNG, referrer: o.Referrals,
		tgBot: strings.TrimPrefix(o.TelegramBot, "@"),
		// a token cannot be guessed at this pace, and a guesser at one address does not
		// lock the admin at another out
		logins:    newGuessLimiter(clientBurst, clientEvery, globalBurst, globalEvery, maxClients),
		visitors:  newVisitorLimits(o.SessionsPerHour, o.ChatPerMinute),
		challenge: o.Challenge,
	}
	if s.svc == nil || s.router == nil {
		panic("web: a Service and a Router are needed")
	}
	if s.metrics == nil {
		s.metrics = bots.NewMetrics()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		_, _ = rand.Read(s.secret) // crypto/rand.Read never fails
	}
	s.adminKey = adminKeyOf(s.token, s.secret)
	s.pages = mustParsePages()

	s.mux.HandleFunc("GET /healthz", s.healthz)
	if !o.MetricsApart {
		s.mux.HandleFunc("GET /metrics", s.metricsPage)
	}
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /c/{code}", s.campaignPage)
	s.mux.HandleFunc("GET /c/{code}/progress.png", s.progressImage)
	s.mux.HandleFunc("GET /playground", s.playground)
	s.mux.HandleFunc("POST /api/chat", s.chat)
	s.mux.HandleFunc("GET /files/{id}", s.upload)
	s.mux.HandleFunc("GET /api/campaigns", s.apiCampaigns)
	s.mux.HandleFunc("GET /api/campaigns/{code}", s.apiCampaign)
	s.mux.HandleFunc("GET /admin/login", s.loginForm)
	s.mux.HandleFunc("POST /admin/login", s.login)
	s.mux.HandleFunc("POST /admin/logout", s.logout)
	s.mux.HandleFunc("GET /admin", s.admin(s.dashboard))
	s.mux.HandleFunc("GET /admin/outbox", s.admin(s.outbox))
	s.mux.HandleFunc("GET /admin/export/{file}", s.admin(s.export))
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	}))
	return s
}

// Handle mounts a handler on the server, for the platform adapters' endpoints.
func (s *Adapter) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler returns the server's handler, counting every request by route and status.
func (s *Adapter) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		_, pattern := s.mux.Handler(r)
		// every request runs under the Router's deadline, an export under its own
		deadline := s.router.Deadline()
		if strings.HasPrefix(pattern, "GET /admin/export/") {
			deadline = exportWriteTimeout
		}
		ctx, cancel := context.WithTimeout(r.Context(), deadline)
		defer cancel()
		r = r.WithContext(ctx)
		h := sw.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		s.mux.ServeHTTP(sw, r)
		if pattern == "" {
			pattern = "unmatched"
		}
		s.metrics.Requests.WithLabelValues(pattern, strconv.Itoa(sw.code)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// healthz answers 200 only when the database answers.
func (s *Adapter) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.svc.Ping(ctx); err != nil {
		s.log.Warn("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// httpStatus maps a core error code to the HTTP status that says the same.
func httpStatus(err error) int {
	switch core.ErrorCode(err) {
	case core.EINVALID:
		return http.StatusBadRequest
	case core.ENOTFOUND:
		return http.StatusNotFound
	case core.EFORBIDDEN:
		return http.StatusForbidden
	case core.ECONFLICT, core.ECLOSED, core.EDUPLICATE:
		return http.StatusConflict
	case core.ELIMIT:
		return http.StatusTooManyRequests
	case core.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// unavailableRetry is the Retry-After of a 503: a stalled database or a full house
// is seldom over at once.
const unavailableRetry = 5 * time.Second

// errorText is the translated text of an error for a visitor: a core error's own
// message, or the generic apology for anything internal (which is logged).
func (s *Adapter) errorText(locale string, err error) string {
	switch e := core.AsError(err); {
	case e != nil && e.Code != core.EINTERNAL:
		return s.router.T(locale, bots.Msg{Key: e.Key, Args: e.Args})
	case core.ErrorCode(err) == core.EUNAVAILABLE:
		return s.router.T(locale, bots.M("error.unavailable"))
	}
	return s.router.T(locale, bots.M("error.internal"))
}

// Package web is crowdbot's web front: health and metrics, the public pages, the
// playground chat and its JSON API. It is one more front end over the neutral
// conversation layer.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
)

// Options are what the web front needs.
type Options struct {
	Service *core.Service
	Router  *bots.Router
	Metrics *bots.Metrics
	Logger  *slog.Logger
}

// Server serves crowdbot's HTTP routes. Other front ends mount theirs with Handle.
type Server struct {
	svc     *core.Service
	router  *bots.Router
	metrics *bots.Metrics
	log     *slog.Logger
	mux     *http.ServeMux
}

// New returns a Server with its routes mounted.
func New(o Options) *Server {
	s := &Server{svc: o.Service, router: o.Router, metrics: o.Metrics, log: o.Logger, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", o.Metrics.Handler())
	s.mux.HandleFunc("GET /{$}", s.index)
	return s
}

// Handle mounts a handler on the server, for the platform adapters' endpoints.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler returns the server's handler, counting every request by route and status.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		_, pattern := s.mux.Handler(r)
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
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
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

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crowdbot</title></head><body>
<h1>crowdbot</h1>
<ul>{{range .}}<li><code>{{.Code}}</code> {{.Kind}} · {{.Title}} · {{.State}}</li>{{else}}<li>—</li>{{end}}</ul>
</body></html>`))

// index lists the campaigns.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Campaigns(r.Context(), core.CampaignFilter{Limit: 100})
	if err != nil {
		s.log.Error("list campaigns", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexPage.Execute(w, list); err != nil {
		s.log.Error("render index", "err", err)
	}
}

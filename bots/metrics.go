package bots

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics counts what crowdbot does, for Prometheus. Each instance has its own
// registry, so tests can make as many as they like.
type Metrics struct {
	registry *prometheus.Registry
	// Requests counts HTTP requests by route pattern and status code.
	Requests *prometheus.CounterVec
	// Updates counts platform updates handled, by platform and command.
	Updates *prometheus.CounterVec
	// Errors counts failures by platform and error code.
	Errors *prometheus.CounterVec
	// Posts counts announcements delivered, by platform and outcome.
	Posts *prometheus.CounterVec
}

// NewMetrics returns metrics registered on a fresh registry, with the Go runtime and
// process collectors.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crowdbot_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		Updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crowdbot_updates_total", Help: "Platform updates handled, by platform and command.",
		}, []string{"platform", "command"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crowdbot_errors_total", Help: "Failures by platform and error code.",
		}, []string{"platform", "code"}),
		Posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crowdbot_posts_total", Help: "Announcements delivered, by platform and outcome.",
		}, []string{"platform", "outcome"}),
	}
	r.MustRegister(m.Requests, m.Updates, m.Errors, m.Posts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

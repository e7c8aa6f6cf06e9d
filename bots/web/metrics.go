package web

import (
	"net/http"
	"strings"

	"crowdbot/bots"
)

// metricsPage serves /metrics on the main listener to whoever may read it: the
// bearer of the admin token, or a browser with an admin login. Without an admin
// token only this machine is answered (the try-out), never through a proxy. When the
// metrics have a listener of their own (Options.MetricsApart), the main one has no
// /metrics at all. Metrics name routes, rates and memory: enough to time an attack,
// so they are not for strangers.
func (s *Adapter) metricsPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	locale := acceptLocale(r.Header.Get("Accept-Language"))
	refuse := func(status int, key string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(s.router.T(locale, bots.M(key)) + "\n"))
	}
	if s.token == "" {
		if !tryoutReach(r) {
			refuse(http.StatusForbidden, "web.metrics.local_only")
			return
		}
		s.metrics.Handler().ServeHTTP(w, r)
		return
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		// a bearer is a guess at the admin token: it spends the login form's tries
		g, ok := s.logins.try(LimitKey(s.proxies.ClientIP(r)), s.svc.Now())
		if !ok {
			refuse(http.StatusTooManyRequests, "web.login.slow_down")
			return
		}
		scheme, token, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") || !s.tokenMatches(strings.TrimSpace(token)) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="crowdbot metrics", error="invalid_token"`)
			refuse(http.StatusUnauthorized, "web.metrics.unauthorized")
			return
		}
		g.right()
		s.metrics.Handler().ServeHTTP(w, r)
		return
	}
	admin, err := s.isAdmin(r)
	if err != nil {
		s.log.Error("check admin login", "path", r.URL.Path, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(httpStatus(err))
		_, _ = w.Write([]byte(s.errorText(locale, err) + "\n"))
		return
	}
	if !admin {
		w.Header().Set("WWW-Authenticate", `Bearer realm="crowdbot metrics"`)
		refuse(http.StatusUnauthorized, "web.metrics.unauthorized")
		return
	}
	s.metrics.Handler().ServeHTTP(w, r)
}

// MetricsHandler serves the metrics to anyone, for a listener of their own that
// only the scraper reaches (metrics.addr).
func (s *Adapter) MetricsHandler() http.Handler { return s.metrics.Handler() }

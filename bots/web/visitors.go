package web

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// What a public web visitor costs. A browser becomes a visitor (a session cookie)
// by loading a page; each client (an IPv4 address, an IPv6 /64) gets a few new
// sessions an hour, so clearing cookies in a loop buys no new voters. Each client's
// chat requests are limited too, reads and writes alike: a minute's worth at once,
// then at that pace.
const (
	DefaultSessionsPerHour = 20
	DefaultChatPerMinute   = 60
	// maxVisitorClients bounds the clients remembered by each limit; past it the one
	// idle longest is forgotten.
	maxVisitorClients = 100000
)

// Challenge is a deployment's proof that a new visitor is a person, asked once per
// session before its first chat message runs: a proof of work, a captcha, a check
// with an identity provider. Verify gets the chat request (a client sends its answer
// in the ChallengeHeader header) and returns nil when it passes; the session then
// remembers it. crowdbot ships none: a deployment that wants one adds it with
// Options.Challenge, and the client part to its pages.
type Challenge interface {
	Verify(ctx context.Context, r *http.Request) error
}

// ChallengeHeader carries a client's answer to the deployment's Challenge.
const ChallengeHeader = "X-Crowdbot-Challenge"

// clientLimiter is a per-client rate with no limit over all clients: a crowd of
// new visitors is what a campaign wants, one client posing as a crowd is not.
type clientLimiter struct{ l *guessLimiter }

func newClientLimiter(perHour float64, burst int) clientLimiter {
	every := time.Duration(float64(time.Hour) / perHour)
	return clientLimiter{newGuessLimiter(burst, every, 1, 0, maxVisitorClients)}
}

// allow takes one from the client's bucket, or reports how long until there is one.
func (c clientLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	lim := c.l.client(client, now)
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); !r.OK() || d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// visitorLimits are the limits on public visitors.
type visitorLimits struct {
	sessions clientLimiter // new sessions, per client
	chat     clientLimiter // chat requests, per client
}

func newVisitorLimits(sessionsPerHour, chatPerMinute int) visitorLimits {
	if sessionsPerHour <= 0 {
		sessionsPerHour = DefaultSessionsPerHour
	}
	if chatPerMinute <= 0 {
		chatPerMinute = DefaultChatPerMinute
	}
	return visitorLimits{
		sessions: newClientLimiter(float64(sessionsPerHour), sessionsPerHour),
		chat:     newClientLimiter(float64(chatPerMinute*60), chatPerMinute), // a minute's worth at once
	}
}

// admit returns the session of a browser loading a page, giving it one when it has
// none and its client has not had too many new ones lately; nil when it may not
// have one now. On a local try-out nothing is limited.
func (s *Adapter) admit(w http.ResponseWriter, r *http.Request) *session {
	sess := s.session(r)
	if !sess.fresh {
		return sess
	}
	if !s.local {
		client := LimitKey(s.proxies.ClientIP(r))
		if ok, _ := s.visitors.sessions.allow(client, s.svc.Now()); !ok {
			s.log.Debug("no new session: too many from one client", "client", client)
			return nil
		}
	}
	s.saveSession(w, r, sess)
	return sess
}

// retryAfter sets Retry-After to d, in whole seconds and at least one.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((d+time.Second-1)/time.Second))))
}

package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/language"

	"crowdbot/core"
)

// Local reports whether a server listening on addr and reached at publicURL is a
// local try-out: it listens on a loopback address only, and no public address names
// another host (a reverse proxy on the same machine would make it public).
func Local(addr, publicURL string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !loopbackHost(host) {
		return false
	}
	if publicURL == "" {
		return true
	}
	u, err := url.Parse(publicURL)
	return err == nil && loopbackHost(u.Hostname())
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Session cookie lifetimes.
const (
	sessionCookie = "crowdbot_session"
	sessionTTL    = 30 * 24 * time.Hour
	// adminTTL bounds an admin login; the admin logs in again after it.
	adminTTL = 12 * time.Hour
	// maxPendingRefs bounds the share links a browser remembers before taking part.
	maxPendingRefs = 5
)

// session is what the signed cookie holds: who the browser is, the admin login it
// holds if any, and the share links it followed and has not used yet.
type session struct {
	Visitor string `json:"v"`
	// Admin is the id of an admin login (core.AdminSession), whose expiry and logout
	// the database keeps; AdminKey ties it to the admin token it was opened with.
	Admin    string       `json:"s,omitempty"`
	AdminKey string       `json:"k,omitempty"`
	Refs     []pendingRef `json:"r,omitempty"`
	Expires  int64        `json:"e"`
	Human    bool         `json:"h,omitempty"` // passed the deployment's Challenge

	fresh bool // made for this request; not yet in the browser
}

// pendingRef is a share link followed: campaign code and the referrer's member id.
type pendingRef struct {
	Code     string `json:"c"`
	Referrer int64  `json:"r"`
}

// addRef remembers a share link, once per campaign (the first referrer wins).
func (s *session) addRef(code string, referrer int64) bool {
	for _, r := range s.Refs {
		if r.Code == code {
			return false
		}
	}
	if len(s.Refs) >= maxPendingRefs {
		s.Refs = s.Refs[1:]
	}
	s.Refs = append(s.Refs, pendingRef{Code: code, Referrer: referrer})
	return true
}

// session reads the request's session, or starts a new one when there is none or it
// does not verify or has expired.
func (s *Adapter) session(r *http.Request) *session {
	now := s.svc.Now()
	if c, err := r.Cookie(sessionCookie); err == nil {
		if sess, ok := s.verify(c.Value); ok && sess.Expires > now.Unix() && sess.Visitor != "" {
			return sess
		}
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	return &session{Visitor: base64.RawURLEncoding.EncodeToString(id), Expires: now.Add(sessionTTL).Unix(), fresh: true}
}

// saveSession sends the session to the browser, renewing its lifetime.
func (s *Adapter) saveSession(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.Expires = s.svc.Now().Add(sessionTTL).Unix()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.sign(sess), Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
	sess.fresh = false
}

// secure reports whether cookies must only travel over HTTPS.
func (s *Adapter) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.public, "https://")
}

// sign encodes a session as base64(JSON) "." base64(HMAC-SHA256).
func (s *Adapter) sign(sess *session) string {
	data, _ := json.Marshal(sess) // a struct of strings and numbers always marshals
	payload := base64.RawURLEncoding.EncodeToString(data)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s *Adapter) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verify decodes a signed session, checking its signature in constant time.
func (s *Adapter) verify(v string) (*session, bool) {
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return nil, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return nil, false
	}
	data, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, false
	}
	var sess session
	if err := json.Unmarshal(data, &sess); err != nil {
		return nil, false
	}
	return &sess, true
}

// localeMatcher picks one of crowdbot's languages from an Accept-Language header.
var localeMatcher = func() language.Matcher {
	tags := make([]language.Tag, len(core.Locales))
	for i, l := range core.Locales {
		tags[i] = language.Make(l)
	}
	return language.NewMatcher(tags)
}()

// langCookie keeps a language chosen with ?lang= for the next pages.
const langCookie = "crowdbot_lang"

// locale returns the language of a page: ?lang=, then the language chosen before,
// then Accept-Language, then English.
func (s *Adapter) locale(r *http.Request) string {
	if l := core.NormalizeLocale(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l := core.NormalizeLocale(c.Value); l != "" {
			return l
		}
	}
	return acceptLocale(r.Header.Get("Accept-Language"))
}

// acceptLocale matches an Accept-Language header against crowdbot's languages.
func acceptLocale(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return core.Locales[0]
	}
	_, i, conf := localeMatcher.Match(tags...)
	if conf == language.No {
		return core.Locales[0]
	}
	return core.Locales[i]
}

// rememberLocale keeps a language picked with ?lang= for later pages.
func (s *Adapter) rememberLocale(w http.ResponseWriter, r *http.Request) {
	if l := core.NormalizeLocale(r.URL.Query().Get("lang")); l != "" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	}
}

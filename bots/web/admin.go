package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"

	"crowdbot/core"
)

// adminChannel is where admin pages act from, for the actor they act as.
const adminChannel = "admin"

// admin wraps an admin page: without an admin login it answers nothing but a
// redirect to the login form, on every address, loopback included, except to the
// owner of a local try-out without an admin token (see localOwner).
func (s *Adapter) admin(h func(w http.ResponseWriter, r *http.Request, actor core.Actor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		sess := s.session(r)
		ok, err := s.adminLogin(r.Context(), sess)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		who := core.MemberRef{Platform: core.Web, ExternalID: sessionPrefix + sess.Visitor, Name: "admin"}
		if !ok && s.localOwner(r) {
			// one member for the try-out's owner, whatever cookie the browser holds
			ok, who.ExternalID = true, sessionPrefix+"tryout-owner"
		}
		if !ok {
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		// the page's own checks (newPage) need not ask the database again
		r = r.WithContext(context.WithValue(r.Context(), adminChecked{}, true))
		sp, m, err := s.svc.Identify(r.Context(), core.SpaceRef{Platform: core.Web, ExternalID: webSpace}, who)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		h(w, r, core.Actor{Member: *m, Space: *sp, Channel: adminChannel, Admin: true, Owner: true})
	}
}

// adminChecked marks a request's context once its admin login has been checked.
type adminChecked struct{}

// isAdmin reports whether the request holds an admin login (see adminLogin), or
// comes from the owner of a local try-out (see localOwner).
func (s *Adapter) isAdmin(r *http.Request) (bool, error) {
	if ok, _ := r.Context().Value(adminChecked{}).(bool); ok {
		return true, nil
	}
	if s.localOwner(r) {
		return true, nil
	}
	return s.adminLogin(r.Context(), s.session(r))
}

// localOwner reports whether a request comes from the owner of a local try-out: a
// try-out with no admin token, reached from this machine directly (a loopback peer
// and Host, no header a proxy adds), from one of its own pages or the address bar.
// Whoever sits at the machine runs the deployment; with a token the login form is
// the way in, as anywhere.
func (s *Adapter) localOwner(r *http.Request) bool {
	return s.local && s.token == "" && loopbackHost(hostOnly(r.Host)) && tryoutReach(r) && sameOrigin(r)
}

// adminLogin reports whether a session holds an admin login: one opened under the
// current admin token, that the database says has neither expired nor been logged
// out (on any replica). A visitor without one costs no query.
func (s *Adapter) adminLogin(ctx context.Context, sess *session) (bool, error) {
	if s.token == "" || sess.fresh || sess.Admin == "" ||
		subtle.ConstantTimeCompare([]byte(sess.AdminKey), []byte(s.adminKey)) != 1 {
		return false, nil
	}
	return s.svc.AdminSessionActive(ctx, sess.Admin)
}

// adminKeyOf is what a cookie's admin login is tied to: the admin token, hashed with
// the session secret, so a cookie (which whoever holds it can read) tells nothing of
// the token. Another token gives another key, which ends every login at once.
func adminKeyOf(token string, secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("crowdbot admin token\x00"))
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// loginData is what the login form shows.
type loginData struct {
	Closed bool   // no admin token is configured
	Error  string // why the last try failed
}

func (s *Adapter) loginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	if s.localOwner(r) {
		// nothing to log in to: the try-out's owner has the dashboard
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	p := s.newPage(w, r, "web.login.title")
	p.Data = loginData{Closed: s.token == ""}
	s.render(w, http.StatusOK, "login", p)
}

// login checks the admin token in constant time and opens an admin login, which
// the session cookie names. Wrong tokens are limited per client and over all
// clients (see guessLimiter).
func (s *Adapter) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	p := s.newPage(w, r, "web.login.title")
	if s.token == "" {
		p.Data = loginData{Closed: true}
		s.render(w, http.StatusForbidden, "login", p)
		return
	}
	if !sameOrigin(r) {
		// another site's form would log this browser in (and out of its own login)
		p.Data = loginData{Error: p.T("web.error.origin")}
		s.render(w, http.StatusForbidden, "login", p)
		return
	}
	g, ok := s.logins.try(LimitKey(s.proxies.ClientIP(r)), s.svc.Now())
	if !ok {
		p.Data = loginData{Error: p.T("web.login.slow_down")}
		s.render(w, http.StatusTooManyRequests, "login", p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if !s.tokenMatches(r.PostFormValue("token")) {
		p.Data = loginData{Error: p.T("web.login.wrong")}
		s.render(w, http.StatusUnauthorized, "login", p)
		return
	}
	g.right()
	sess := s.session(r)
	if sess.Admin != "" {
		// a browser holds one login at a time
		if err := s.svc.EndAdminSession(r.Context(), sess.Admin); err != nil {
			s.errorPage(w, r, err)
			return
		}
	}
	a, err := s.svc.StartAdminSession(r.Context(), adminTTL)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	sess.Admin, sess.AdminKey = a.ID, s.adminKey
	s.saveSession(w, r, sess)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// tokenMatches compares hashes, so neither the content nor the length of the token
// shows in the time the comparison takes.
func (s *Adapter) tokenMatches(given string) bool {
	a := sha256.Sum256([]byte(given))
	b := sha256.Sum256([]byte(s.token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// logout ends the admin login in the database, so a copy of the cookie opens
// nothing either, then drops it from the cookie; the visitor's session itself stays.
func (s *Adapter) logout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !sameOrigin(r) {
		s.errorPage(w, r, core.Errorf(core.EFORBIDDEN, "web.error.origin"))
		return
	}
	sess := s.session(r)
	if !sess.fresh && sess.Admin != "" {
		if err := s.svc.EndAdminSession(r.Context(), sess.Admin); err != nil {
			s.errorPage(w, r, err)
			return
		}
		sess.Admin, sess.AdminKey = "", ""
		s.saveSession(w, r, sess)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Campaigns []campaignRow
	Parked    int
	Pending   int
}

// dashboard lists every campaign, drafts included, with its export, and counts the
// outbox rows waiting and parked.
func (s *Adapter) dashboard(w http.ResponseWriter, r *http.Request, actor core.Actor) {
	p := s.newPage(w, r, "web.admin.title")
	p.Admin = true
	list, err := s.svc.Campaigns(r.Context(), core.CampaignFilter{Limit: 200})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	rows, err := s.rows(r.Context(), p.Locale, list)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	parked, err := s.svc.Outbox(r.Context(), actor, core.OutboxParked, core.MaxOutboxList)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	pending, err := s.svc.Outbox(r.Context(), actor, core.OutboxPending, core.MaxOutboxList)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	p.Data = dashboardData{Campaigns: rows, Parked: len(parked), Pending: len(pending)}
	s.render(w, http.StatusOK, "dashboard", p)
}

// outboxRow is an outbox row with its campaign's code.
type outboxRow struct {
	core.OutboxItem
	Code string
	// Where is the destination in words: a channel, a member privately, or a web
	// member, who is shown it with their next message (nothing is posted).
	Where string
}

// outboxSection is one list of the outbox page: the rows waiting (the dashboard's
// count of waiting posts), or the rows parked; Empty is said when it has none.
type outboxSection struct {
	ID, Title, Intro, Empty string
	Rows                    []outboxRow
}

// outbox lists the rows waiting to be delivered, and the parked rows (posts that kept
// failing) with their last error.
func (s *Adapter) outbox(w http.ResponseWriter, r *http.Request, actor core.Actor) {
	p := s.newPage(w, r, "web.outbox.title")
	p.Admin = true
	codes := map[int64]string{}
	list := func(state core.OutboxState) ([]outboxRow, error) {
		items, err := s.svc.Outbox(r.Context(), actor, state, core.MaxOutboxList)
		if err != nil {
			return nil, err
		}
		rows := make([]outboxRow, 0, len(items))
		for _, it := range items {
			id := it.Announcement.CampaignID
			if _, ok := codes[id]; !ok && id != 0 {
				if c, err := s.svc.CampaignByID(r.Context(), id); err == nil {
					codes[id] = c.Code
				}
			}
			where := string(it.Platform) + " " + it.ChannelID
			switch {
			case it.ChannelID != "":
			case it.Platform == core.Web:
				where = p.T("web.outbox.next_message")
			default:
				where = string(it.Platform) + " " + p.T("web.outbox.private")
			}
			rows = append(rows, outboxRow{OutboxItem: it, Code: codes[id], Where: where})
		}
		return rows, nil
	}
	waiting, err := list(core.OutboxPending)
	var parked []outboxRow
	if err == nil {
		parked, err = list(core.OutboxParked)
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	p.Data = []outboxSection{
		{ID: "waiting", Title: p.T("web.admin.pending", "count", len(waiting)), Intro: p.T("web.outbox.waiting_intro"), Rows: waiting},
		{ID: "parked", Title: p.T("web.admin.parked", "count", len(parked)), Intro: p.T("web.outbox.intro"), Empty: p.T("web.outbox.empty"), Rows: parked},
	}
	s.render(w, http.StatusOK, "outbox", p)
}

// export sends a campaign's data as CSV: GET /admin/export/<code>.csv.
func (s *Adapter) export(w http.ResponseWriter, r *http.Request, actor core.Actor) {
	code, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok {
		http.NotFound(w, r)
		return
	}
	t, err := s.svc.Export(r.Context(), actor, code)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	name := t.Name
	if name == "" {
		name = code
	}
	extendWrite(w, exportWriteTimeout)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+fileName(name)+`.csv"`)
	if err := writeCSV(w, t); err != nil {
		s.log.Error("write export", "code", code, "err", err)
	}
}

// writeCSV writes a table as CSV, every cell defused against formula injection.
func writeCSV(w io.Writer, t *core.Table) error {
	cw := csv.NewWriter(w)
	if len(t.Header) > 0 {
		if err := cw.Write(defuse(t.Header)); err != nil {
			return err
		}
	}
	for _, row := range t.Rows {
		if err := cw.Write(defuse(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func defuse(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = safeCell(c)
	}
	return out
}

// safeCell stops a spreadsheet from running a cell as a formula: a cell that starts
// with = + - @ (or a tab or carriage return, which some spreadsheets skip before
// one) gets a leading quote. Plain numbers such as -12.5 stay numbers.
func safeCell(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(c, 64); err == nil && c[0] == '-' {
			return c
		}
		return "'" + c
	}
	return c
}

// fileName keeps the characters that are safe in a download's file name.
func fileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "export"
	}
	return b.String()
}

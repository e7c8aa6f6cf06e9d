package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"crowdbot/bots"
	"crowdbot/core"
)

// pageNames are the pages, each a template in templates/NAME.html over layout.html.
var pageNames = []string{"index", "campaign", "playground", "login", "dashboard", "outbox", "error"}

func mustParsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		out[name] = template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}

// page is what every template gets: the language, the page's own data, and T to
// translate with.
type page struct {
	s      *Adapter
	Locale string
	Title  string
	Path   string // the page's path, for the language links
	Admin  bool   // an admin is logged in
	Tryout bool   // the admin is the local try-out's owner, with no login to end
	Meta   *meta  // share-preview tags
	Data   any
}

// meta is what a shared link previews with (OpenGraph and Twitter cards).
type meta struct {
	Title, Description, URL, Image string
}

// T translates a catalog key with alternating argument names and values.
func (p *page) T(key string, args ...any) string {
	return p.s.router.T(p.Locale, bots.M(key, args...))
}

// lang is one entry of the language switcher.
type lang struct {
	Code, Name string
	Current    bool
}

// Langs lists the languages, each named in its own language.
func (p *page) Langs() []lang {
	out := make([]lang, len(core.Locales))
	for i, l := range core.Locales {
		out[i] = lang{Code: l, Name: p.s.router.T(l, bots.M("lang.name."+l)), Current: l == p.Locale}
	}
	return out
}

// newPage starts the data of a page for request r.
func (s *Adapter) newPage(w http.ResponseWriter, r *http.Request, title string) *page {
	s.rememberLocale(w, r)
	p := &page{s: s, Locale: s.locale(r), Path: r.URL.Path}
	admin, err := s.isAdmin(r)
	if err != nil {
		// the page still shows, as to a visitor; the admin pages themselves refuse
		s.log.Error("check admin login", "path", r.URL.Path, "err", err)
	}
	p.Admin = admin
	p.Tryout = s.localOwner(r)
	p.Title = p.T(title)
	return p
}

// contentSecurity lets pages load only their own scripts, styles and images (and
// pictures from HTTPS links); no inline script runs, whatever a title holds.
const contentSecurity = "default-src 'self'; img-src 'self' data: https:; script-src 'self'; style-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// render writes a page, or a plain 500 when its template fails (never half a page).
func (s *Adapter) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurity)
	h.Set("Vary", "Accept-Language, Cookie")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows a translated error with its status.
func (s *Adapter) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	switch status {
	case http.StatusInternalServerError:
		s.log.Error("page", "path", r.URL.Path, "err", err)
	case http.StatusServiceUnavailable:
		s.log.Warn("page", "path", r.URL.Path, "err", err)
		retryAfter(w, unavailableRetry)
	}
	p := s.newPage(w, r, "web.error.title")
	p.Data = s.errorText(p.Locale, err)
	s.render(w, status, "error", p)
}

// base is the site's address for absolute links: the public URL, or the address the
// request came to.
func (s *Adapter) base(r *http.Request) string {
	if s.public != "" {
		return s.public
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// maxListed bounds the campaigns a list shows.
const maxListed = 100

// index lists the campaigns, newest first.
func (s *Adapter) index(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "web.index.title")
	list, err := s.svc.Campaigns(r.Context(), core.CampaignFilter{States: publicStates, Limit: maxListed})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	rows, err := s.rows(r.Context(), p.Locale, list)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	p.Data = rows
	s.render(w, http.StatusOK, "index", p)
}

// visible returns the campaign a visitor may see: any but drafts, which only admins see.
func (s *Adapter) visible(r *http.Request, code string) (*core.Campaign, error) {
	c, err := s.svc.Campaign(r.Context(), code)
	if err != nil {
		return nil, err
	}
	if c.State == core.StateDraft {
		admin, err := s.isAdmin(r)
		if err != nil {
			return nil, err
		}
		if !admin {
			return nil, core.Errorf(core.ENOTFOUND, "error.campaign_not_found", "code", code)
		}
	}
	return c, nil
}

// campaignData is what the campaign page shows.
type campaignData struct {
	campaignRow
	Image    string // the progress image's path, or ""
	Join     string // the command that takes part, on Discord and Telegram
	Try      string // the same command for the playground
	Telegram string // a link to the bot on Telegram, or ""
	Live     bool   // it takes part: the page says how
	Contest  *contestView
	Fund     *fundView
	// Recognized lists the contributors the campaign recognized, by rank
	Recognized []recognizedView
}

// recognizedView is one recognized contributor on a campaign's page.
type recognizedView struct {
	Rank  int
	Name  string
	Score string // translated: "3 accepted ideas"
}

// maxPageIdeas bounds the ideas a campaign's page lists, and maxPageComments the
// latest comments it shows under each.
const (
	maxPageIdeas    = 20
	maxPageComments = 5
)

// joinKeys name the command that takes part in each kind.
var joinKeys = map[core.Kind]string{
	core.KindIdeas:      "web.join.ideas",
	core.KindPoll:       "web.join.poll",
	core.KindContest:    "web.join.contest",
	core.KindFundraiser: "web.join.fundraiser",
	core.KindTasks:      "web.join.tasks",
}

// campaignPage is a campaign's public page, the one share links lead to. A ?ref=
// names the member whose link it was: the browser remembers it, and the referrer
// is credited when this browser takes part in the playground.
func (s *Adapter) campaignPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.visible(r, r.PathValue("code"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.followRef(w, r, c)
	p := s.newPage(w, r, "web.index.title")
	p.Title = c.Title
	prog, err := s.svc.Progress(r.Context(), c)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := campaignData{campaignRow: s.row(p.Locale, c, prog), Live: c.State.Live()}
	switch c.Kind {
	case core.KindContest:
		d.Contest, err = s.contestBoard(r.Context(), p.Locale, c)
	case core.KindFundraiser:
		d.Fund, err = s.fundBoard(r.Context(), p.Locale, c)
	case core.KindIdeas:
		// the page lists more ideas than the cards, each with its status and tags
		var page *core.IdeaPage
		if _, page, err = s.svc.Ideas(r.Context(), c.Code, core.IdeaQuery{Sort: core.IdeasTop, Page: 1, PerPage: maxPageIdeas}); err == nil {
			d.Progress.Top = s.ideaViews(p.Locale, page.Ideas)
			d.Progress.MoreIdeas = page.Total - len(page.Ideas)
			err = s.discussions(r.Context(), d.Progress.Top, page.Ideas)
		}
	}
	if err == nil {
		d.Recognized, err = s.recognized(r.Context(), p.Locale, c)
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d.Join = p.T(joinKeys[c.Kind], "code", c.Code)
	d.Try = "/campaign show " + c.Code
	if c.Kind == core.KindIdeas {
		d.Try = "/ideas " + c.Code
	}
	if s.tgBot != "" {
		d.Telegram = "https://t.me/" + s.tgBot
	}
	m := &meta{Title: c.Title, URL: s.base(r) + "/c/" + c.Code, Description: preview(c.Description, 200)}
	if m.Description == "" {
		m.Description = d.Kind + " · " + d.Progress.Summary
	}
	if s.png != nil {
		d.Image = "/c/" + c.Code + "/progress.png"
		m.Image = s.base(r) + d.Image
	}
	p.Meta = m
	p.Data = d
	s.render(w, http.StatusOK, "campaign", p)
}

// recognized lists whom the campaign recognized, with what they were ranked by.
func (s *Adapter) recognized(ctx context.Context, locale string, c *core.Campaign) ([]recognizedView, error) {
	all, err := s.svc.Recognized(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []recognizedView
	for _, rc := range all {
		out = append(out, recognizedView{Rank: rc.Rank, Name: rc.Name,
			Score: s.router.T(locale, bots.M("measure.score."+string(rc.Measure), "count", rc.Score))})
	}
	return out, nil
}

// discussions fills in the latest visible comments under each idea of a page.
func (s *Adapter) discussions(ctx context.Context, views []ideaView, ideas []core.Idea) error {
	latest, err := s.svc.LatestComments(ctx, ideas, maxPageComments)
	if err != nil {
		return err
	}
	for i, idea := range ideas {
		for _, c := range latest[idea.ID] {
			views[i].Discussion = append(views[i].Discussion, commentView{ID: c.Number, Name: c.AuthorName, Text: c.Text})
		}
		views[i].Earlier = idea.Comments - len(views[i].Discussion)
	}
	return nil
}

// followRef remembers the referrer a share link names, in the session cookie (none
// when the visitor may not have a session now). It writes nothing to the database:
// link previews and visitors who never take part leave no trace.
func (s *Adapter) followRef(w http.ResponseWriter, r *http.Request, c *core.Campaign) {
	ref, err := strconv.ParseInt(r.URL.Query().Get("ref"), 10, 64)
	if err != nil || ref <= 0 || s.referrer == nil || !c.State.Live() {
		return
	}
	sess := s.admit(w, r)
	if sess == nil {
		return
	}
	if sess.addRef(c.Code, ref) {
		s.saveSession(w, r, sess)
	}
}

// preview shortens text to n characters, on one line.
func preview(text string, n int) string {
	return core.Clip(strings.Join(strings.Fields(text), " "), n)
}

// progressImage serves a campaign's progress image, drawn by the injected function.
func (s *Adapter) progressImage(w http.ResponseWriter, r *http.Request) {
	if s.png == nil {
		http.NotFound(w, r)
		return
	}
	c, err := s.visible(r, r.PathValue("code"))
	if err != nil {
		http.Error(w, http.StatusText(httpStatus(err)), httpStatus(err))
		return
	}
	data, err := s.png(r.Context(), c, s.locale(r))
	if err != nil {
		s.log.Error("progress image", "code", c.Code, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	// the numbers move: previews may keep it a minute, then ask again
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("Vary", "Accept-Language")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// playgroundData is what the playground page needs.
type playgroundData struct {
	Local bool   // names are trusted: anyone here picks any name
	Say   string // a command to start with, from ?say=
}

// playground is the chat box where anyone can run the bot's commands.
func (s *Adapter) playground(w http.ResponseWriter, r *http.Request) {
	s.admit(w, r)
	p := s.newPage(w, r, "web.playground.title")
	say := preview(r.URL.Query().Get("say"), 500)
	p.Data = playgroundData{Local: s.local, Say: say}
	s.render(w, http.StatusOK, "playground", p)
}

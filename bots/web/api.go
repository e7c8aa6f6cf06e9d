package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
)

// The playground's place in the neutral layer: one web space, one channel.
const (
	webSpace          = "web"
	playgroundChannel = "playground"
)

// Limits of a chat request.
const (
	// maxChatBody leaves room for one attachment, base64-encoded
	maxChatBody   = maxChatText + (core.MaxUpload/3+1)*4 + 4<<10
	maxChatText   = 32 << 10              // bytes of text
	maxNameLen    = 32                    // characters
	maxUpdateID   = 40                    // bytes
	sessionPrefix = core.WebSessionPrefix // starts the platform id of a session member; never a local name
)

// chatRequest is what POST /api/chat takes.
type chatRequest struct {
	Member   string `json:"member"`
	Text     string `json:"text"`
	Action   string `json:"action"`
	Locale   string `json:"locale"`
	UpdateID string `json:"update_id"` // optional: a retry with the same id changes nothing
	// Attachments are files sent with the text: a CSV of task items, a picture.
	Attachments []attachmentJSON `json:"attachments"`
}

// attachmentJSON is a file the member attached, its content base64-encoded.
type attachmentJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data string `json:"data"`
}

// chatResponse is what POST /api/chat answers.
type chatResponse struct {
	Replies []replyJSON `json:"replies"`
}

// replyJSON is one reply of the bot.
type replyJSON struct {
	Text    string       `json:"text"`
	Buttons []buttonJSON `json:"buttons,omitempty"`
	Image   string       `json:"image,omitempty"`
	File    *fileJSON    `json:"file,omitempty"`
	// Prompt says the member's next plain text answers this reply.
	Prompt *promptJSON `json:"prompt,omitempty"`
	// Edit says the reply replaces the message whose button was pressed.
	Edit bool `json:"edit,omitempty"`
	// Media are the links to pictures the text holds, to show as pictures.
	Media []string `json:"media,omitempty"`
}

// buttonJSON is a button: pressing it sends its action, or a link button opens url.
type buttonJSON struct {
	Label  string `json:"label"`
	Action string `json:"action,omitempty"`
	URL    string `json:"url,omitempty"`
}

// fileJSON is a document offered for download, as a data URL.
type fileJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// promptJSON describes the answer a prompt waits for.
type promptJSON struct {
	Long bool `json:"long,omitempty"`
	Max  int  `json:"max,omitempty"`
}

// errorJSON is every 4xx and 5xx answer of the API.
type errorJSON struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func (s *Adapter) apiError(w http.ResponseWriter, status int, locale, key string, args ...any) {
	writeJSON(w, status, errorJSON{Error: s.router.T(locale, bots.M(key, args...))})
}

// chat runs one message or button press of the playground through the Router.
func (s *Adapter) chat(w http.ResponseWriter, r *http.Request) {
	locale := acceptLocale(r.Header.Get("Accept-Language"))
	if s.local && !loopbackHost(hostOnly(r.Host)) {
		// a page of another site whose name points at this machine (DNS rebinding)
		s.apiError(w, http.StatusForbidden, locale, "web.error.host")
		return
	}
	if !sameOrigin(r) {
		s.apiError(w, http.StatusForbidden, locale, "web.error.origin")
		return
	}
	if s.local && !tryoutReach(r) {
		// a try-out trusts the name typed in: only for someone at this machine, never
		// through a proxy, which would make every visitor anyone they like
		s.apiError(w, http.StatusForbidden, locale, "web.error.tryout_proxied")
		return
	}
	if !s.local {
		// one client posing as a crowd: its requests are limited, whatever cookies
		if ok, wait := s.visitors.chat.allow(LimitKey(s.proxies.ClientIP(r)), s.svc.Now()); !ok {
			retryAfter(w, wait)
			s.apiError(w, http.StatusTooManyRequests, locale, "web.error.slow_down")
			return
		}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		// a form on another site cannot send JSON without asking first
		s.apiError(w, http.StatusUnsupportedMediaType, locale, "web.error.json_only")
		return
	}
	var req chatRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxChatBody))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiError(w, http.StatusRequestEntityTooLarge, locale, "web.error.too_large", "max", maxChatBody)
			return
		}
		s.apiError(w, http.StatusBadRequest, locale, "web.error.bad_json")
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		// one object and nothing after it: a second one would be read by no one
		s.apiError(w, http.StatusBadRequest, locale, "web.error.bad_json")
		return
	}
	if l := core.NormalizeLocale(req.Locale); l != "" {
		locale = l
	} else if req.Locale != "" {
		s.apiError(w, http.StatusBadRequest, locale, "error.bad_locale", "locale", preview(req.Locale, 20), "locales", strings.Join(core.Locales, ", "))
		return
	}
	if strings.TrimSpace(req.Text) == "" && req.Action == "" {
		s.apiError(w, http.StatusBadRequest, locale, "web.error.empty")
		return
	}
	if len(req.Text) > maxChatText {
		s.apiError(w, http.StatusRequestEntityTooLarge, locale, "web.error.too_large", "max", maxChatText)
		return
	}
	if len(req.Attachments) > 1 {
		s.apiError(w, http.StatusBadRequest, locale, "web.error.attachments_one")
		return
	}
	if req.UpdateID != "" && !validUpdateID(req.UpdateID) {
		s.apiError(w, http.StatusBadRequest, locale, "web.error.bad_update_id", "max", maxUpdateID)
		return
	}

	now := s.svc.Now()
	sess := s.session(r)
	if sess.fresh && !s.local {
		// a visitor is a session a page load gave (admit); a request without one
		// would be a new member each time
		s.apiError(w, http.StatusUnauthorized, locale, "web.error.no_session")
		return
	}
	// a regular's session is renewed before it runs out; a try-out's request without
	// one gets none (the name is who speaks), so a client that keeps no cookie costs
	// no signing
	save := !sess.fresh && time.Unix(sess.Expires, 0).Sub(now) < sessionTTL/2
	// an admin login holds the deployment's admin token: an owner, who manages every
	// campaign; the first local member is an admin of the web's own space only
	owner, err := s.adminLogin(r.Context(), sess)
	if err != nil {
		s.log.Error("check admin login", "err", err)
		s.apiError(w, http.StatusInternalServerError, locale, "error.internal")
		return
	}
	if s.challenge != nil && !sess.Human && !owner {
		if err := s.challenge.Verify(r.Context(), r); err != nil {
			s.log.Debug("challenge not passed", "err", err)
			s.apiError(w, http.StatusForbidden, locale, "web.error.challenge")
			return
		}
		sess.Human, save = true, true
	}
	member := core.MemberRef{Platform: core.Web}
	admin := owner
	if s.local {
		name, ok := validName(req.Member)
		if !ok {
			s.apiError(w, http.StatusBadRequest, locale, "web.error.bad_member", "max", maxNameLen)
			return
		}
		member.ExternalID, member.Name = name, name
		first, err := s.tryoutAdmin(r.Context(), name)
		if err != nil {
			s.log.Error("try-out admin", "err", err)
		}
		admin = admin || first == name
	} else {
		// the name in the body is only shown; who speaks is the session
		member.ExternalID = sessionPrefix + sess.Visitor
		member.Name, _ = validName(req.Member)
	}
	in := bots.Input{
		Platform: core.Web,
		Space:    core.SpaceRef{Platform: core.Web, ExternalID: webSpace},
		Channel:  playgroundChannel,
		Member:   member,
		Locale:   locale,
		Admin:    admin,
		Owner:    owner,
		Guest:    true, // a visitor is a member once they change something
		Text:     req.Text,
		Action:   req.Action,
		Private:  true,
		Notices:  true, // nothing reaches a web member between two of their messages
	}
	if req.UpdateID != "" {
		in.UpdateID = member.ExternalID + ":" + req.UpdateID
	}
	for _, a := range req.Attachments {
		att, status, key, args := s.attachment(r, a)
		if key != "" {
			s.apiError(w, status, locale, key, args...)
			return
		}
		in.Attachments = append(in.Attachments, att)
	}
	if len(sess.Refs) > 0 && s.applyRefs(r, in, sess) {
		save = true
	}
	if save {
		s.saveSession(w, r, sess)
	}

	replies := s.router.Handle(r.Context(), in)
	if len(replies) == 1 {
		switch rep := replies[0]; {
		case rep.Failure == core.EUNAVAILABLE:
			// what was asked may or may not be done: the client is told to come back
			retryAfter(w, unavailableRetry)
			writeJSON(w, http.StatusServiceUnavailable, errorJSON{Error: rep.Text})
			return
		case rep.Failure == core.EINTERNAL:
			writeJSON(w, http.StatusInternalServerError, errorJSON{Error: rep.Text})
			return
		case req.Action != "" && rep.Key == "error.unknown_action":
			writeJSON(w, http.StatusBadRequest, errorJSON{Error: rep.Text})
			return
		}
	}
	out := chatResponse{Replies: make([]replyJSON, 0, len(replies))}
	for _, rep := range replies {
		out.Replies = append(out.Replies, toReplyJSON(rep))
	}
	writeJSON(w, http.StatusOK, out)
}

// attachment reads a file sent with a message. A picture is kept (see
// core.SaveUpload) and passed on by its address here, as the platforms pass theirs;
// only a local try-out keeps pictures, so that strangers cannot fill the database
// with them. Any other file (a CSV of task items) goes with its content. A refusal
// is an HTTP status and a message key with its arguments.
func (s *Adapter) attachment(r *http.Request, a attachmentJSON) (bots.Attachment, int, string, []any) {
	data, err := base64.StdEncoding.DecodeString(a.Data)
	if err != nil || len(data) == 0 {
		return bots.Attachment{}, http.StatusBadRequest, "web.error.bad_attachment", nil
	}
	if len(data) > core.MaxUpload {
		return bots.Attachment{}, http.StatusRequestEntityTooLarge, "web.error.attachment_too_large", []any{"max_kb", core.MaxUpload >> 10}
	}
	name := core.CleanLine(a.Name)
	if core.Len(name) > core.MaxFileName {
		name = string([]rune(name)[:core.MaxFileName])
	}
	out := bots.Attachment{Platform: core.Web, Name: name, ContentType: a.Type, Size: int64(len(data))}
	if core.PictureType(data) == "" {
		out.Data = data
		return out, 0, "", nil
	}
	if !s.local {
		return bots.Attachment{}, http.StatusBadRequest, "web.error.pictures_tryout", nil
	}
	u, err := s.svc.SaveUpload(r.Context(), data)
	if err != nil {
		s.log.Error("save upload", "err", err)
		return bots.Attachment{}, http.StatusInternalServerError, "error.internal", nil
	}
	// the try-out is reached at r.Host (a loopback name: see chat)
	out.ContentType, out.FileID, out.URL = u.ContentType, u.ID, "http://"+r.Host+"/files/"+u.ID
	return out, 0, "", nil
}

// upload serves a picture sent in the try-out, as it was sent, never as a page.
func (s *Adapter) upload(w http.ResponseWriter, r *http.Request) {
	u, err := s.svc.Upload(r.Context(), r.PathValue("id"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", u.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400, immutable")
	_, _ = w.Write(u.Data)
}

// pictureLink finds links to pictures in a text: http(s) addresses whose path ends
// like a picture file, or the try-out's own uploads.
var pictureLink = regexp.MustCompile(`https?://[^\s<>"'()]+`)

// mediaOf lists the links to pictures a text holds, but the one shown already.
func mediaOf(text, shown string) []string {
	var out []string
	for _, link := range pictureLink.FindAllString(text, 8) {
		link = strings.TrimRight(link, ".,;:!?»”")
		u, err := url.Parse(link)
		if err != nil || link == shown || slices.Contains(out, link) {
			continue
		}
		switch strings.ToLower(path.Ext(u.Path)) {
		case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		default:
			if !strings.HasPrefix(u.Path, "/files/") {
				continue
			}
		}
		out = append(out, link)
	}
	return out
}

// applyRefs records the share links this browser followed for the member now
// speaking, and reports whether the session changed.
func (s *Adapter) applyRefs(r *http.Request, in bots.Input, sess *session) bool {
	if s.referrer == nil {
		return false
	}
	actor, err := s.router.Identify(r.Context(), in)
	if err != nil {
		s.log.Error("identify for referral", "err", err)
		return false
	}
	for _, ref := range sess.Refs {
		if err := s.referrer.Refer(r.Context(), actor, ref.Code, ref.Referrer, "web"); err != nil {
			// self-referral, a closed campaign, an unknown referrer: nothing to credit
			s.log.Debug("referral not recorded", "code", ref.Code, "referrer", ref.Referrer, "err", err)
		}
	}
	sess.Refs = nil
	return true
}

// toReplyJSON turns a rendered reply into its JSON: button rows are flattened, the
// image is linked by path (or inlined when it has none), a file is a data URL.
func toReplyJSON(rep bots.Reply) replyJSON {
	out := replyJSON{Text: rep.Text, Edit: rep.Edit}
	for _, row := range rep.Buttons {
		for _, b := range row {
			out.Buttons = append(out.Buttons, buttonJSON{Label: b.Label, Action: b.Action, URL: b.URL})
		}
	}
	if img := rep.Image; img != nil {
		switch {
		case img.Path != "":
			out.Image = img.Path
		case len(img.PNG) > 0:
			out.Image = "data:image/png;base64," + base64.StdEncoding.EncodeToString(img.PNG)
		}
	}
	if f := rep.File; f != nil {
		typ := f.Type
		if typ == "" {
			typ = "application/octet-stream"
		}
		out.File = &fileJSON{Name: f.Name, Type: typ, URL: "data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(f.Data)}
	}
	if p := rep.Prompt; p != nil {
		out.Prompt = &promptJSON{Long: p.Long, Max: p.Max}
	}
	out.Media = mediaOf(rep.Text, out.Image)
	return out
}

// validName checks a local member name: one clean line of at most maxNameLen
// characters, not shaped like a session member's id.
func validName(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" || name != core.CleanLine(name) || core.Len(name) > maxNameLen || strings.HasPrefix(name, sessionPrefix) {
		return "", false
	}
	return name, true
}

func validUpdateID(id string) bool {
	if len(id) > maxUpdateID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// tryoutAdmin returns the try-out's admin, claiming it for name when there is none.
// Once known it never changes, so it is asked of the database once.
func (s *Adapter) tryoutAdmin(ctx context.Context, name string) (string, error) {
	if known := s.firstName.Load(); known != nil {
		return *known, nil
	}
	first, err := s.svc.TryoutAdmin(ctx, core.SpaceRef{Platform: core.Web, ExternalID: webSpace}, name)
	if err != nil {
		return "", err
	}
	s.firstName.Store(&first)
	return first, nil
}

// forwardedHeaders are what a proxy adds to say who the client is.
var forwardedHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip"}

// tryoutReach reports whether a request reaches a try-out directly from this
// machine: from a loopback peer, with no header a proxy adds.
func tryoutReach(r *http.Request) bool {
	for _, h := range forwardedHeaders {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	ip := PeerAddr(r)
	return ip.IsValid() && ip.IsLoopback()
}

// sameOrigin refuses requests a browser sent from another site's page.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
	return r.Header.Get("Sec-Fetch-Site") != "cross-site"
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// apiCampaigns lists the public campaigns with their progress.
func (s *Adapter) apiCampaigns(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Campaigns(r.Context(), core.CampaignFilter{States: publicStates, Limit: maxListed})
	if err != nil {
		s.apiFailure(w, r, err)
		return
	}
	out := make([]campaignJSON, 0, len(list))
	for i := range list {
		p, err := s.svc.Progress(r.Context(), &list[i])
		if err != nil {
			s.apiFailure(w, r, err)
			return
		}
		out = append(out, toJSON(&list[i], p))
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, out)
}

// apiCampaign shows one public campaign with its progress.
func (s *Adapter) apiCampaign(w http.ResponseWriter, r *http.Request) {
	c, err := s.visible(r, r.PathValue("code"))
	if err != nil {
		s.apiFailure(w, r, err)
		return
	}
	p, err := s.svc.Progress(r.Context(), c)
	if err != nil {
		s.apiFailure(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, toJSON(c, p))
}

// apiFailure answers an error as JSON with its status, in the visitor's language.
func (s *Adapter) apiFailure(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	if status == http.StatusInternalServerError {
		s.log.Error("api", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorJSON{Error: s.errorText(s.locale(r), err)})
}

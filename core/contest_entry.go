package core

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
)

// NewEntry is what a member sends to enter a contest: a title, and a picture, a
// link or text (a slogan; for pictures and links, a note).
type NewEntry struct {
	Title   string
	Content string // a link, or text
	File    *EntryFile
}

// SubmitEntry enters the actor's work in a contest that takes entries.
func (s *Service) SubmitEntry(ctx context.Context, actor Actor, code string, in NewEntry) (*Entry, error) {
	c, k, err := s.Contest(ctx, code)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if c.State != StateOpen || !now.Before(k.EntriesCloseAt) {
		return nil, Errorf(ECLOSED, "error.entries_closed", "code", c.Code)
	}
	e, err := buildEntry(k.Type, in)
	if err != nil {
		return nil, err
	}
	e.CampaignID, e.AuthorID, e.AuthorName, e.Status, e.CreatedAt = c.ID, actor.Member.ID, actor.Member.Name, EntryActive, now
	if err := s.store.AddEntry(ctx, e, s.PointsFor(PointsEntry)); err != nil {
		return nil, fmt.Errorf("submit entry: %w", err)
	}
	return e, nil
}

// buildEntry checks what a member sent against the contest's type and makes the
// entry: pictures (or links to the work) for design and logo contests, text for
// slogans.
func buildEntry(t ContestType, in NewEntry) (*Entry, error) {
	content := CleanText(in.Content)
	link := ""
	if LooksLikeLink(content) {
		var err error
		if link, err = CheckLink(content); err != nil {
			return nil, err
		}
		content = ""
	}
	if t == ContestSlogan && (in.File != nil || link != "") {
		return nil, Errorf(EINVALID, "error.entry_text_only")
	}
	title := in.Title
	if t == ContestSlogan && CleanLine(title) == "" {
		title = content
	}
	title, err := checkText("entry_title", title, true, 1, MaxEntryTitle)
	if err != nil {
		return nil, err
	}
	e := &Entry{Title: title, Link: link}
	if t == ContestSlogan {
		e.Kind = EntryText
		if content == "" {
			content = title
		}
		e.Text, err = checkText("entry_text", content, false, 1, MaxEntryText)
		return e, err
	}
	if e.Text, err = checkText("entry_text", content, false, 0, MaxEntryText); err != nil {
		return nil, err
	}
	switch {
	case in.File != nil:
		f := *in.File
		if err := f.Validate(); err != nil {
			return nil, err
		}
		e.Kind, e.File = EntryImage, &f
	case link != "":
		e.Kind = EntryLink
	default:
		return nil, Errorf(EINVALID, "error.entry_needs_image")
	}
	return e, nil
}

// imageTypes are the pictures an entry may be.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/gif": true}

// imageExts map file name extensions to picture types, for platforms that send no type.
var imageExts = map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"}

// Validate checks a sent picture: a platform reference or an http(s) URL, a picture
// type (PNG, JPEG, WebP or GIF), at most MaxEntryFile bytes. It cleans the name and
// settles the type.
func (f *EntryFile) Validate() error {
	f.Name = CleanLine(f.Name)
	if Len(f.Name) > MaxFileName {
		f.Name = string([]rune(f.Name)[:MaxFileName])
	}
	ct := strings.ToLower(strings.TrimSpace(f.ContentType))
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	}
	if ct == "" {
		ct = imageExts[strings.ToLower(path.Ext(f.Name))]
	}
	if !imageTypes[ct] {
		shown := ct
		if shown == "" {
			shown = path.Ext(f.Name)
		}
		return Errorf(EINVALID, "error.entry_file_type", "type", shorten(shown, 40))
	}
	f.ContentType = ct
	if f.Size > MaxEntryFile {
		return Errorf(EINVALID, "error.entry_file_too_big", "max_mb", MaxEntryFile>>20)
	}
	if f.Size < 0 || f.Width < 0 || f.Height < 0 || f.Width > MaxImageSide || f.Height > MaxImageSide ||
		!f.Platform.Valid() || f.FileID == "" && f.URL == "" || len(f.FileID) > MaxFileRef || hasControl(f.FileID) {
		return Errorf(EINVALID, "error.entry_file_bad")
	}
	if f.URL != "" {
		u, err := CheckLink(f.URL)
		if err != nil {
			return Errorf(EINVALID, "error.entry_file_bad")
		}
		f.URL = u
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) })
}

// linkish matches text that starts like a URL: a scheme followed by "//", a scheme
// that runs code or embeds data, or "www.".
var linkish = regexp.MustCompile(`(?i)^([a-z][a-z0-9+.-]{0,30}://|(javascript|vbscript|data|file|blob|about):|www\.)`)

// scheme reads the scheme a link starts with.
var scheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]{0,30}):`)

// LooksLikeLink reports whether a member's text is meant as a link (which CheckLink
// then accepts or refuses) rather than words.
func LooksLikeLink(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsSpace) && linkish.MatchString(strings.TrimSpace(s))
}

// CheckLink checks a link a member sent: http or https only, with a host, no
// credentials, no spaces or control characters, at most MaxLink bytes. "www." links
// get https://.
func CheckLink(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(EINVALID, "error.empty", "field", "entry_link")
	}
	if len(s) > MaxLink {
		return "", Errorf(EINVALID, "error.too_long", "field", "entry_link", "max", MaxLink, "len", len(s))
	}
	shown := shorten(s, 80)
	if strings.HasPrefix(strings.ToLower(s), "www.") {
		s = "https://" + s
	}
	if m := scheme.FindStringSubmatch(s); m != nil && !strings.EqualFold(m[1], "http") && !strings.EqualFold(m[1], "https") {
		return "", Errorf(EINVALID, "error.entry_link_scheme", "scheme", shorten(strings.ToLower(m[1]), 40))
	}
	if hasControl(s) || strings.ContainsAny(s, "<>\"\\`") || strings.ContainsFunc(s, isFormat) {
		return "", Errorf(EINVALID, "error.entry_bad_link", "text", shown)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", Errorf(EINVALID, "error.entry_bad_link", "text", shown)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", Errorf(EINVALID, "error.entry_bad_link", "text", shown)
	}
	host := u.Hostname()
	if u.Opaque != "" || u.User != nil || host == "" || strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
		return "", Errorf(EINVALID, "error.entry_bad_link", "text", shown)
	}
	return s, nil
}

func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// EntryView is one entry as a member browses a contest, with what they may do.
type EntryView struct {
	Campaign *Campaign
	Contest  *Contest
	Entry    *Entry // nil when there is nothing to show
	Index    int
	Total    int
	// Hidden is true in a blind contest before voting: the member sees only their
	// own entries.
	Hidden     bool
	CanVote    bool  // the member may vote for this entry now
	MyVote     int64 // the entry the member votes for in this round, 0 for none
	ShowVotes  bool  // tallies are shown once voting is over, and to admins
	ShowAuthor bool  // authors of a blind contest stay hidden until voting is over
}

// BrowseEntries returns the entry at index of those the actor may see.
func (s *Service) BrowseEntries(ctx context.Context, actor Actor, code string, index int) (*EntryView, error) {
	c, k, err := s.Contest(ctx, code)
	if err != nil {
		return nil, err
	}
	v := &EntryView{Campaign: c, Contest: k}
	manager := actor.Manages(c)
	var f EntryFilter
	switch c.State {
	case StateOpen:
		if k.Blind && !manager {
			f.AuthorID, v.Hidden = actor.Member.ID, true
		}
	case StateVoting:
		f.Finalists = k.Round == 2
	}
	v.Index = max(index, 0)
	v.Entry, v.Total, err = s.store.EntryAt(ctx, c.ID, f, v.Index)
	if err != nil {
		return nil, fmt.Errorf("browse entries: %w", err)
	}
	if v.Entry == nil && v.Total > 0 {
		v.Index = v.Total - 1 // entries went away since the page was drawn
		if v.Entry, v.Total, err = s.store.EntryAt(ctx, c.ID, f, v.Index); err != nil {
			return nil, fmt.Errorf("browse entries: %w", err)
		}
	}
	over := c.State.Final()
	v.ShowVotes = manager || over
	if v.Entry == nil {
		return v, nil
	}
	mine := v.Entry.AuthorID == actor.Member.ID
	v.ShowAuthor = !k.Blind || over || manager || mine
	if now := s.clock.Now(); votingOpen(c, now) {
		v.CanVote = mayVoteFor(c, k, v.Entry, actor.Member.ID, now) == nil
		if v.MyVote, err = s.store.MemberEntryVote(ctx, c.ID, k.Round, actor.Member.ID); err != nil {
			return nil, fmt.Errorf("browse entries: %w", err)
		}
	}
	return v, nil
}

// entryForAdmin loads an entry with its campaign and contest for an admin's change.
func (s *Service) entryForAdmin(ctx context.Context, actor Actor, entryID int64) (*Entry, *Campaign, *Contest, error) {
	if !actor.Admin {
		return nil, nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	e, err := s.store.Entry(ctx, entryID)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := s.store.Campaign(ctx, e.CampaignID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, nil, err
	}
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return e, c, k, nil
}

// DisqualifyEntry takes an entry out of its contest and tells its author why, in
// their language (the reason is the admin's own words).
func (s *Service) DisqualifyEntry(ctx context.Context, actor Actor, entryID int64, reason string) (*Entry, error) {
	reason, err := checkText("disqualify_reason", reason, false, 1, MaxReason)
	if err != nil {
		return nil, err
	}
	e, c, _, err := s.entryForAdmin(ctx, actor, entryID)
	if err != nil {
		return nil, err
	}
	if e.Status != EntryActive {
		return nil, Errorf(ECONFLICT, "error.entry_already_disqualified", "id", e.Number)
	}
	notice := MemberNotice(c, e.AuthorID, "notice.entry_disqualified", "title", c.Title, "code", c.Code,
		"id", e.Number, "entry", e.Title, "reason", reason)
	if err := s.store.DisqualifyEntry(ctx, e.ID, reason, notice, s.PointsFor(PointsEntry), s.clock.Now()); err != nil {
		return nil, fmt.Errorf("disqualify entry: %w", err)
	}
	e.Status, e.Reason = EntryDisqualified, reason
	return e, nil
}

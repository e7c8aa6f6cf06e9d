package core

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ContestType is what a contest asks for: a picture (design, logo) or words (slogan).
type ContestType string

// Contest types.
const (
	ContestDesign ContestType = "design"
	ContestLogo   ContestType = "logo"
	ContestSlogan ContestType = "slogan"
)

// ContestTypes lists every contest type.
var ContestTypes = []ContestType{ContestDesign, ContestLogo, ContestSlogan}

// Valid reports whether t is a known type.
func (t ContestType) Valid() bool { return slices.Contains(ContestTypes, t) }

// Images reports whether entries of this type are pictures.
func (t ContestType) Images() bool { return t == ContestDesign || t == ContestLogo }

// Judging says who decides a contest's winner.
type Judging string

// Ways of judging. Community: the entry with the most votes when voting closes wins,
// and the brand only breaks a tie. Brand: the brand picks any entry once entries are
// closed; votes are advice. Both: the community's vote makes the shortlist (the top
// BothShortlist entries of the last round, ties at the cut included) and the brand
// picks the winner among it once voting is closed.
const (
	JudgingCommunity Judging = "community"
	JudgingBrand     Judging = "brand"
	JudgingBoth      Judging = "both"
)

// Judgings lists every way of judging.
var Judgings = []Judging{JudgingCommunity, JudgingBrand, JudgingBoth}

// Valid reports whether j is a known way of judging.
func (j Judging) Valid() bool { return slices.Contains(Judgings, j) }

// Limits for contests.
const (
	MaxEntryTitle   = 120
	MaxEntryText    = 1000 // a slogan, or a note with a picture or a link
	MaxLink         = 2000
	MaxEntryFile    = 10 << 20 // bytes
	MaxImageSide    = 20000    // pixels
	MaxFileName     = 200
	MaxFileRef      = 1000
	MaxPerMember    = 20
	MaxFinalists    = 25
	MaxReason       = 500
	MinContestPhase = 30 * time.Minute // the shortest entry window and voting round
	MaxContestDays  = 365              // the latest a contest may end, from its start
	BothShortlist   = 3                // the community's shortlist when judging is "both"
)

// Award reasons, as written on earnings.
const (
	AwardPrize     = "prize"
	AwardUsedEntry = "used_entry"
)

// Contest is a contest campaign's settings and where it stands. The campaign's
// ClosesAt is the end of voting; its DeadlineAt is the end of entries while open,
// then the end of the current voting round.
type Contest struct {
	CampaignID     int64
	Type           ContestType
	Prize          Money
	PerMember      int // entries one member may submit
	Blind          bool
	Judging        Judging
	Finalists      int // how many entries the final round keeps; 0 for no planned final
	EntriesCloseAt time.Time
	// FinalAt is when the qualifying round ends and the final round among the
	// finalists begins; nil when no final round is planned.
	FinalAt       *time.Time
	Round         int // 1, then 2 once the final round runs
	WinnerEntryID *int64
}

// EntryKind is what an entry is made of.
type EntryKind string

// Entry kinds.
const (
	EntryImage EntryKind = "image" // a picture the member sent
	EntryLink  EntryKind = "link"  // a link to the work
	EntryText  EntryKind = "text"  // a slogan
)

// EntryStatus is whether an entry still competes.
type EntryStatus string

// Entry statuses.
const (
	EntryActive       EntryStatus = "active"
	EntryDisqualified EntryStatus = "disqualified"
)

// EntryFile is a picture a member sent, kept by reference to the platform's copy:
// the platform and its file id (re-sent as is on that platform) and a URL to fetch
// it from elsewhere, with what is needed to show it.
type EntryFile struct {
	Platform    Platform
	FileID      string
	URL         string
	Name        string
	ContentType string
	Size        int64
	Width       int
	Height      int
}

// Entry is one submission to a contest.
type Entry struct {
	ID         int64
	CampaignID int64
	Number     int64 // within the campaign: #1, #2, ...
	AuthorID   int64
	AuthorName string // filled in on reads
	Title      string
	Kind       EntryKind
	Text       string // the slogan, or a note with a picture or a link
	Link       string // the work's http(s) link, for link entries
	File       *EntryFile
	Status     EntryStatus
	Reason     string // why it was disqualified
	Finalist   bool
	Votes      int    // votes in the first (or only) round
	FinalVotes int    // votes in the final round
	Award      string // "", AwardPrize or AwardUsedEntry
	Payout     Money  // what its author was paid, when Award is set
	CreatedAt  time.Time
}

// Tally returns the entry's votes in a round.
func (e Entry) Tally(round int) int {
	if round == 2 {
		return e.FinalVotes
	}
	return e.Votes
}

// EntryFilter selects the entries a member may browse.
type EntryFilter struct {
	AuthorID  int64 // only this author's; 0 for everyone's
	Finalists bool  // only finalists
}

// EntryVote is the outcome of a vote.
type EntryVote struct {
	Round    int
	Previous int64 // the entry the vote moved from, 0 for a first vote
	Votes    int   // the entry's votes in the round now
}

// Payout is one payment a contest made.
type Payout struct {
	EntryID     int64
	EntryNumber int64 // within the contest
	EntryTitle  string
	MemberID    int64
	AuthorName  string
	Reason      string // AwardPrize or AwardUsedEntry
	Amount      Money
	CreatedAt   time.Time
}

// Award is a payment to an entry's author: the prize to the winner, or the fee for
// an entry the brand uses.
type Award struct {
	EntryID int64
	Reason  string // AwardPrize or AwardUsedEntry
	Amount  Money
	// States are the campaign states in which the award may be made.
	States []State
	At     time.Time
	// Announce returns the announcements of the award, given the entry.
	Announce func(e *Entry) []Announcement
}

// ContestClose ends a contest's voting.
type ContestClose struct {
	Transition Transition // to StateClosed; its announcements are replaced by Announce's
	// AutoWinner names the entry with the most votes of Round the winner, when one
	// entry alone has the most (community judging).
	AutoWinner bool
	Round      int
	Prize      Money
	// Announce returns the announcements of the close, given the winner (nil when
	// there is none yet).
	Announce func(winner *Entry) []Announcement
}

// FinalRound starts a contest's final round.
type FinalRound struct {
	CampaignID int64
	EntryIDs   []int64 // the brand's shortlist; nil to take the top N of the first round
	N          int
	Deadline   time.Time // the end of the final round
	At         time.Time
	Announce   func(finalists []Entry) []Announcement
}

// ContestStore keeps the contest campaign kind.
type ContestStore interface {
	// CreateContest stores a new contest campaign and its settings, giving it a fresh
	// unique code, and links the channel if link is set.
	CreateContest(ctx context.Context, c *Campaign, k *Contest, link *ChannelLink) error
	// Contest returns a contest's settings.
	Contest(ctx context.Context, campaignID int64) (*Contest, error)
	// AddEntry stores an entry while the contest takes entries and its author is under
	// the per-member limit (both checked in the transaction), and credits the
	// author's points.
	AddEntry(ctx context.Context, e *Entry, points int) error
	// Entry returns an entry by id.
	Entry(ctx context.Context, id int64) (*Entry, error)
	// EntryAt returns the entry at index (from 0, in order of submission) of those f
	// selects among a contest's active entries, and how many there are; the entry is
	// nil when there are none.
	EntryAt(ctx context.Context, campaignID int64, f EntryFilter, index int) (*Entry, int, error)
	// Entries returns the first limit (in order of submission) of the active entries f
	// selects among a contest's, and how many there are.
	Entries(ctx context.Context, campaignID int64, f EntryFilter, limit int) ([]Entry, int, error)
	// CastEntryVote records the member's vote for the entry in the contest's current
	// round, or moves it there from another entry. One vote per member per round,
	// never for their own entry, only while the round is open at now: all checked in
	// the transaction.
	CastEntryVote(ctx context.Context, entryID, memberID int64, now time.Time, points int) (*EntryVote, error)
	// MemberEntryVote returns the entry the member votes for in a round, or 0.
	MemberEntryVote(ctx context.Context, campaignID int64, round int, memberID int64) (int64, error)
	// TopEntries returns the active entries (finalists in round 2) whose votes in
	// the round are at least those of the n-th best, best first.
	TopEntries(ctx context.Context, campaignID int64, round, n int) ([]Entry, error)
	// StartFinalRound moves a contest in its first voting round to the final round
	// among the finalists, sets the campaign's deadline, and queues the
	// announcements, in one transaction.
	StartFinalRound(ctx context.Context, f FinalRound) ([]Entry, error)
	// CloseContest closes the contest's voting and, when asked, names the winner and
	// credits the prize, in one transaction; it returns the winner or nil.
	CloseContest(ctx context.Context, cc ContestClose) (*Entry, error)
	// AwardEntry pays an entry's author (the winner's prize or a used entry's fee):
	// one payment per entry, one winner per contest.
	AwardEntry(ctx context.Context, a Award) (*Entry, error)
	// DisqualifyEntry takes an entry out of the contest with the reason: its votes are
	// dropped (the voters may vote again), its slot freed and its points taken back;
	// the notice to its author is queued.
	DisqualifyEntry(ctx context.Context, entryID int64, reason string, notice Announcement, points int, now time.Time) error
	// ContestPayouts lists a contest's payments, oldest first.
	ContestPayouts(ctx context.Context, campaignID int64) ([]Payout, error)
	// ContestTotals counts a contest's active entries and its votes in every round.
	ContestTotals(ctx context.Context, campaignID int64) (entries, votes int, err error)
	// AllEntries returns a page of every entry of a contest as export rows (see
	// Service.exportContest for the columns).
	AllEntries(ctx context.Context, campaignID int64, page, perPage int) ([][]string, error)
}

// NewContest is what an admin gives to start a contest.
type NewContest struct {
	Title        string
	Brief        string
	Type         ContestType // "" for design
	Prize        Money
	EntriesClose time.Time
	VotingClose  time.Time
	// FinalAt, with Finalists, is when the final round begins; nil puts it half-way
	// through voting.
	FinalAt   *time.Time
	PerMember int // from 1 to MaxPerMember
	Blind     bool
	Judging   Judging // "" for community
	Finalists int     // 0 for no planned final round
	TimeZone  string
	Schedule  string
}

// CreateContest starts a contest campaign that takes entries until EntriesClose and
// votes until VotingClose. The channel the admin asked from is linked to it.
func (s *Service) CreateContest(ctx context.Context, actor Actor, in NewContest) (*Campaign, *Contest, error) {
	now := s.clock.Now()
	c, k, err := in.prepare(actor, now)
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.CreateContest(ctx, c, k, linkFor(actor, now)); err != nil {
		return nil, nil, fmt.Errorf("create contest: %w", err)
	}
	k.CampaignID = c.ID
	return c, k, nil
}

// prepare checks a new contest and builds it, as CreateContest stores it.
func (in NewContest) prepare(actor Actor, now time.Time) (*Campaign, *Contest, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	k, err := in.contest(now)
	if err != nil {
		return nil, nil, err
	}
	brief, err := checkText("contest_brief", in.Brief, false, 1, MaxDescription)
	if err != nil {
		return nil, nil, err
	}
	closes := in.VotingClose.UTC()
	c := NewCampaign{Kind: KindContest, Title: in.Title, Description: brief, ClosesAt: &closes,
		TimeZone: in.TimeZone, Schedule: in.Schedule}.build(actor, now)
	entriesClose := k.EntriesCloseAt
	c.DeadlineAt = &entriesClose
	if err := c.Validate(now); err != nil {
		return nil, nil, err
	}
	return c, k, nil
}

// contest checks a new contest's settings, filling in the defaults.
func (in NewContest) contest(now time.Time) (*Contest, error) {
	k := &Contest{Type: in.Type, Prize: in.Prize, PerMember: in.PerMember, Blind: in.Blind, Judging: in.Judging,
		Finalists: in.Finalists, EntriesCloseAt: in.EntriesClose.UTC(), Round: 1}
	if k.Type == "" {
		k.Type = ContestDesign
	}
	if k.Judging == "" {
		k.Judging = JudgingCommunity
	}
	switch {
	case !k.Type.Valid():
		return nil, Errorf(EINVALID, "error.contest_type", "text", shorten(string(k.Type), 40))
	case !k.Judging.Valid():
		return nil, Errorf(EINVALID, "error.contest_judging", "text", shorten(string(k.Judging), 40))
	case k.PerMember < 1 || k.PerMember > MaxPerMember:
		return nil, Errorf(EINVALID, "error.contest_per_member", "max", MaxPerMember)
	case k.Finalists != 0 && (k.Finalists < 2 || k.Finalists > MaxFinalists):
		return nil, Errorf(EINVALID, "error.contest_finalists", "max", MaxFinalists)
	case !ValidCurrency(k.Prize.Currency) || k.Prize.Amount <= 0:
		return nil, Errorf(EINVALID, "error.amount_not_positive")
	case in.FinalAt != nil && k.Finalists == 0:
		return nil, Errorf(EINVALID, "error.contest_final_needs_finalists")
	}
	minutes := int(MinContestPhase / time.Minute)
	if !in.EntriesClose.After(now) || !in.VotingClose.After(now) {
		return nil, Errorf(EINVALID, "error.deadline_past")
	}
	if !in.VotingClose.After(in.EntriesClose) {
		return nil, Errorf(EINVALID, "error.contest_voting_before_entries")
	}
	if in.EntriesClose.Sub(now) < MinContestPhase || in.VotingClose.Sub(in.EntriesClose) < MinContestPhase {
		return nil, Errorf(EINVALID, "error.contest_phase_short", "minutes", minutes)
	}
	if in.VotingClose.Sub(now) > MaxContestDays*24*time.Hour {
		return nil, Errorf(EINVALID, "error.contest_too_long", "days", MaxContestDays)
	}
	if k.Finalists > 0 {
		final := in.EntriesClose.Add(in.VotingClose.Sub(in.EntriesClose) / 2).UTC().Truncate(time.Minute)
		if in.FinalAt != nil {
			final = in.FinalAt.UTC()
		}
		if final.Sub(in.EntriesClose) < MinContestPhase || in.VotingClose.Sub(final) < MinContestPhase {
			return nil, Errorf(EINVALID, "error.contest_final_round", "minutes", minutes)
		}
		k.FinalAt = &final
	}
	return k, nil
}

// Contest returns a contest campaign and its settings by code.
func (s *Service) Contest(ctx context.Context, code string) (*Campaign, *Contest, error) {
	c, err := s.CampaignOf(ctx, code, KindContest)
	if err != nil {
		return nil, nil, err
	}
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("contest %s: %w", c.Code, err)
	}
	return c, k, nil
}

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
	if c.State == StateVoting && c.DeadlineAt != nil && s.clock.Now().Before(*c.DeadlineAt) {
		v.CanVote = !mine && (k.Round == 1 || v.Entry.Finalist)
		if v.MyVote, err = s.store.MemberEntryVote(ctx, c.ID, k.Round, actor.Member.ID); err != nil {
			return nil, fmt.Errorf("browse entries: %w", err)
		}
	}
	return v, nil
}

// VoteEntry casts the actor's vote for an entry in the contest's current round, or
// moves it there. Members cannot vote for their own entries.
func (s *Service) VoteEntry(ctx context.Context, actor Actor, entryID int64) (*Entry, *EntryVote, error) {
	e, err := s.store.Entry(ctx, entryID)
	if err != nil {
		return nil, nil, err
	}
	if e.Status != EntryActive {
		return nil, nil, Errorf(ENOTFOUND, "error.entry_not_found", "id", e.Number)
	}
	c, err := s.store.Campaign(ctx, e.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	if c.State != StateVoting || c.DeadlineAt == nil || !s.clock.Now().Before(*c.DeadlineAt) {
		return nil, nil, Errorf(ECLOSED, "error.contest_not_voting", "code", c.Code)
	}
	if e.AuthorID == actor.Member.ID {
		return nil, nil, Errorf(EFORBIDDEN, "error.entry_own_vote")
	}
	v, err := s.store.CastEntryVote(ctx, entryID, actor.Member.ID, s.clock.Now(), s.PointsFor(PointsVote))
	if err != nil {
		return nil, nil, err
	}
	return e, v, nil
}

// onceKey scopes a phase's Once key to the campaign: the outbox keeps one key per
// destination, and a channel may follow several contests.
func onceKey(c *Campaign, phase string) string { return fmt.Sprintf("contest:%d:%s", c.ID, phase) }

// formatTime shows a time in a campaign's zone, for announcements (which keep their
// arguments as text).
func formatTime(t time.Time, tz string) string {
	if loc, err := LoadZone(tz); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04 MST")
}

// ShortlistEntries starts the final round at once among the entries the brand
// names; the community then votes among them until voting closes.
func (s *Service) ShortlistEntries(ctx context.Context, actor Actor, code string, ids []int64) (*Campaign, []Entry, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, k, err := s.Contest(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	if c.State != StateVoting {
		return nil, nil, Errorf(ECLOSED, "error.contest_not_voting", "code", c.Code)
	}
	if k.Round != 1 {
		return nil, nil, Errorf(ECONFLICT, "error.contest_final_started")
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) < 2 || len(ids) > MaxFinalists {
		return nil, nil, Errorf(EINVALID, "error.contest_finalists", "max", MaxFinalists)
	}
	finalists, err := s.startFinal(ctx, c, ids, 0, s.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	return c, finalists, nil
}

// startFinal moves a contest to its final round among ids, or among the top n of
// the first round when ids is nil, until voting closes.
func (s *Service) startFinal(ctx context.Context, c *Campaign, ids []int64, n int, now time.Time) ([]Entry, error) {
	closes := *c.ClosesAt
	f := FinalRound{CampaignID: c.ID, EntryIDs: ids, N: n, Deadline: closes, At: now,
		Announce: func(finalists []Entry) []Announcement {
			a := CampaignAnnouncement(c, "announce.contest_final", "title", c.Title, "code", c.Code,
				"count", len(finalists), "closes", formatTime(closes, c.TimeZone))
			a.Once = onceKey(c, "final")
			return []Announcement{a}
		}}
	finalists, err := s.store.StartFinalRound(ctx, f)
	if err != nil {
		return nil, err
	}
	if !closes.After(now) {
		// the final round was already over when it began (downtime): close it too
		if c, err = s.store.Campaign(ctx, c.ID); err != nil {
			return nil, err
		}
		return finalists, s.closeContest(ctx, c, now)
	}
	return finalists, nil
}

// openContestVoting moves a contest from its submission phase to its voting phase,
// or closes it when nobody entered. When the next deadline has passed too (after
// downtime), the contest moves on again at once.
func (s *Service) openContestVoting(ctx context.Context, c *Campaign, now time.Time) error {
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return err
	}
	entries, _, err := s.store.ContestTotals(ctx, c.ID)
	if err != nil {
		return err
	}
	if entries == 0 {
		a := CampaignAnnouncement(c, "announce.contest_empty", "title", c.Title, "code", c.Code)
		a.Once = onceKey(c, "closed")
		return s.store.TransitionCampaign(ctx, Transition{CampaignID: c.ID, From: StateOpen, To: StateClosed, At: now,
			Announcements: []Announcement{a}})
	}
	next := *c.ClosesAt
	if k.FinalAt != nil && k.Round == 1 {
		next = *k.FinalAt
	}
	a := CampaignAnnouncement(c, "announce.contest_voting", "title", c.Title, "code", c.Code, "count", entries,
		"closes", formatTime(next, c.TimeZone))
	a.Once = onceKey(c, "voting")
	err = s.store.TransitionCampaign(ctx, Transition{CampaignID: c.ID, From: StateOpen, To: StateVoting, At: now,
		NextDeadline: &next, Announcements: []Announcement{a}})
	if err != nil || next.After(now) {
		return err
	}
	if c, err = s.store.Campaign(ctx, c.ID); err != nil {
		return err
	}
	return s.closeContest(ctx, c, now)
}

// closeContest ends a contest's voting round at its deadline or on an admin's
// order. When the first round of a contest with a planned final is due, the final
// round starts instead. With community judging, the entry with the most votes wins;
// a tie waits for the brand.
func (s *Service) closeContest(ctx context.Context, c *Campaign, now time.Time) error {
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return err
	}
	if c.State == StateVoting && k.Round == 1 && k.FinalAt != nil && c.DeadlineAt != nil && c.ClosesAt != nil &&
		!now.Before(*c.DeadlineAt) && c.DeadlineAt.Before(*c.ClosesAt) {
		_, err := s.startFinal(ctx, c, nil, k.Finalists, now)
		return err
	}
	cc := ContestClose{
		Transition: Transition{CampaignID: c.ID, From: c.State, To: StateClosed, At: now},
		AutoWinner: k.Judging == JudgingCommunity && c.State == StateVoting,
		Round:      k.Round,
		Prize:      k.Prize,
		Announce: func(w *Entry) []Announcement {
			closed := CampaignAnnouncement(c, "announce.contest_closed", "title", c.Title, "code", c.Code)
			closed.Once = onceKey(c, "closed")
			if w == nil {
				return []Announcement{closed}
			}
			return append([]Announcement{closed}, s.winnerAnnouncements(c, k, w)...)
		},
	}
	_, err = s.store.CloseContest(ctx, cc)
	return err
}

// winnerAnnouncements tell the linked channels and the winner.
func (s *Service) winnerAnnouncements(c *Campaign, k *Contest, w *Entry) []Announcement {
	pub := CampaignAnnouncement(c, "announce.contest_winner", "title", c.Title, "code", c.Code, "id", w.Number,
		"entry", w.Title, "author", w.AuthorName, "prize", k.Prize)
	pub.Once = onceKey(c, "winner")
	return []Announcement{pub, MemberNotice(c, w.AuthorID, "notice.contest_won", "title", c.Title, "code", c.Code,
		"id", w.Number, "entry", w.Title, "prize", k.Prize)}
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

// PickWinner names an entry the winner and credits the prize to its author. The
// brand picks freely once entries are closed when it judges alone; with community
// judging it only breaks a tie at the top once voting is closed; with both, it picks
// among the community's shortlist once voting is closed.
func (s *Service) PickWinner(ctx context.Context, actor Actor, entryID int64) (*Entry, *Contest, error) {
	e, c, k, err := s.entryForAdmin(ctx, actor, entryID)
	if err != nil {
		return nil, nil, err
	}
	if e.Status != EntryActive {
		return nil, nil, Errorf(ECONFLICT, "error.entry_disqualified", "id", e.Number)
	}
	if k.WinnerEntryID != nil {
		return nil, nil, Errorf(ECONFLICT, "error.contest_winner_exists")
	}
	states := []State{StateClosed}
	switch {
	case c.State == StateCancelled:
		return nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	case k.Judging == JudgingBrand:
		states = []State{StateVoting, StateClosed}
		if c.State == StateOpen {
			return nil, nil, Errorf(ECLOSED, "error.contest_pick_too_early", "code", c.Code)
		}
	case c.State != StateClosed:
		return nil, nil, Errorf(ECLOSED, "error.contest_pick_after_voting", "code", c.Code)
	default:
		n := 1
		if k.Judging == JudgingBoth {
			n = BothShortlist
		}
		top, err := s.store.TopEntries(ctx, c.ID, k.Round, n)
		if err != nil {
			return nil, nil, err
		}
		if !slices.ContainsFunc(top, func(t Entry) bool { return t.ID == e.ID }) {
			return nil, nil, Errorf(EINVALID, "error.contest_pick_not_top", "id", e.Number, "ids", entryIDs(top))
		}
	}
	w, err := s.store.AwardEntry(ctx, Award{EntryID: e.ID, Reason: AwardPrize, Amount: k.Prize, States: states,
		At: s.clock.Now(), Announce: func(w *Entry) []Announcement { return s.winnerAnnouncements(c, k, w) }})
	if err != nil {
		return nil, nil, err
	}
	return w, k, nil
}

func entryIDs(es []Entry) string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = fmt.Sprintf("#%d", e.Number)
	}
	return strings.Join(ids, " ")
}

// UseEntry records that the brand uses an entry that did not win, and pays its
// author amount ("" for the contest's prize; an amount without a currency is in the
// prize's).
func (s *Service) UseEntry(ctx context.Context, actor Actor, entryID int64, amount string) (*Entry, error) {
	e, c, k, err := s.entryForAdmin(ctx, actor, entryID)
	if err != nil {
		return nil, err
	}
	if e.Status != EntryActive {
		return nil, Errorf(ECONFLICT, "error.entry_disqualified", "id", e.Number)
	}
	if c.State != StateVoting && c.State != StateClosed {
		return nil, Errorf(ECLOSED, "error.contest_pick_too_early", "code", c.Code)
	}
	pay := k.Prize
	if strings.TrimSpace(amount) != "" {
		if pay, err = ParseMoney(amount, k.Prize.Currency); err != nil {
			return nil, err
		}
	}
	return s.store.AwardEntry(ctx, Award{EntryID: e.ID, Reason: AwardUsedEntry, Amount: pay,
		States: []State{StateVoting, StateClosed}, At: s.clock.Now(),
		Announce: func(e *Entry) []Announcement {
			return []Announcement{MemberNotice(c, e.AuthorID, "notice.entry_used", "title", c.Title, "code", c.Code,
				"id", e.Number, "entry", e.Title, "amount", pay)}
		}})
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

// ContestPayouts lists what a contest paid, for its admins.
func (s *Service) ContestPayouts(ctx context.Context, actor Actor, code string) (*Campaign, []Payout, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, _, err := s.Contest(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	p, err := s.store.ContestPayouts(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("contest payouts: %w", err)
	}
	return c, p, nil
}

// ContestStatus returns a contest's settings, progress and winner (nil until there
// is one), for summaries.
func (s *Service) ContestStatus(ctx context.Context, c *Campaign) (*Contest, *ContestProgress, *Entry, error) {
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := s.contestProgress(ctx, c)
	if err != nil {
		return nil, nil, nil, err
	}
	var w *Entry
	if k.WinnerEntryID != nil {
		if w, err = s.store.Entry(ctx, *k.WinnerEntryID); err != nil {
			return nil, nil, nil, err
		}
	}
	return k, p, w, nil
}

// ContestBoard is what anyone may see of a contest, on its public page: its
// settings, its entries as the public sees them, and its winner.
type ContestBoard struct {
	Contest *Contest
	Entries []Entry // the first ones, in order of submission
	Total   int     // the active entries, all of them
	// Hidden is true while a blind contest takes entries: nobody sees them yet.
	Hidden      bool
	ShowVotes   bool // tallies are shown once the contest is over
	ShowAuthors bool // authors of a blind contest stay hidden until it is over
	Winner      *Entry
	Payouts     []Payout // what it paid, oldest first: the winner's prize, the entries used
}

// ContestBoard returns the public view of a contest, with at most limit entries.
// It shows what a member who took no part sees in /entries: nothing of a blind
// contest before voting, no tallies before the end, no author of a blind contest
// before the end.
func (s *Service) ContestBoard(ctx context.Context, c *Campaign, limit int) (*ContestBoard, error) {
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("contest board: %w", err)
	}
	over := c.State.Final()
	b := &ContestBoard{Contest: k, ShowVotes: over, ShowAuthors: !k.Blind || over}
	if k.Blind && c.State == StateOpen {
		b.Hidden = true
		b.Total, _, err = s.store.ContestTotals(ctx, c.ID)
	} else {
		b.Entries, b.Total, err = s.store.Entries(ctx, c.ID, EntryFilter{}, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("contest board: %w", err)
	}
	if k.WinnerEntryID != nil {
		if b.Winner, err = s.store.Entry(ctx, *k.WinnerEntryID); err != nil {
			return nil, fmt.Errorf("contest board: %w", err)
		}
	}
	if b.Payouts, err = s.store.ContestPayouts(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("contest board: %w", err)
	}
	return b, nil
}

// contestProgress counts a contest's active entries and its votes.
func (s *Service) contestProgress(ctx context.Context, c *Campaign) (*ContestProgress, error) {
	entries, votes, err := s.store.ContestTotals(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	p := &ContestProgress{Entries: entries, Votes: votes}
	if !c.State.Final() {
		return p, nil
	}
	// a winner is named at the close or after it (by the brand)
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil || k.WinnerEntryID == nil {
		return p, err
	}
	w, err := s.store.Entry(ctx, *k.WinnerEntryID)
	if err != nil {
		return nil, err
	}
	p.Winner = w.Title
	return p, nil
}

// exportContest lists every entry with its author, content, votes, status and
// payout.
func (s *Service) exportContest(ctx context.Context, c *Campaign) (*Table, error) {
	t := &Table{Name: c.Code + "-entries", Header: []string{"id", "author", "author_name", "title", "kind", "text", "link",
		"file_platform", "file_id", "file_url", "file_type", "votes", "final_votes", "status", "reason", "payout", "created_at"}}
	for page := 1; ; page++ {
		p, err := s.store.AllEntries(ctx, c.ID, page, 500)
		if err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, p...)
		if len(p) < 500 {
			return t, nil
		}
	}
}

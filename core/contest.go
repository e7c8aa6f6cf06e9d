package core

import (
	"context"
	"fmt"
	"slices"
	"time"
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
	c, k, err := in.prepare(actor, now, s.settings.Schedules)
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
func (in NewContest) prepare(actor Actor, now time.Time, schedules ScheduleParser) (*Campaign, *Contest, error) {
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
	if err := c.Validate(now, schedules); err != nil {
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

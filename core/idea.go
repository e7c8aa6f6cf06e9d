package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Idea votes: an idea vote weighs no setting of its own (no deadline of its own, no
// limit per member), and it is the hot path of a crowd, so core looks up neither the
// voter (IdentifyLater) nor the idea before it: it decides what the vote is worth
// (the author's points, at the service clock's time) and makes one store call.
// Whether the member may vote (the idea visible, the board open, not their own idea)
// is a fact only the write can see, so storage decides it there, with one condition
// both its paths test (ideaVotable in storage/idea.go), and enforces one vote per
// member per idea with a primary key.

// IdeaStatus is where an idea stands with the campaign's owners.
type IdeaStatus string

// Idea statuses, in the order they are usually reached.
const (
	IdeaOpen        IdeaStatus = "open"
	IdeaUnderReview IdeaStatus = "under_review"
	IdeaPlanned     IdeaStatus = "planned"
	IdeaInProgress  IdeaStatus = "in_progress"
	IdeaDone        IdeaStatus = "done"
	IdeaDeclined    IdeaStatus = "declined"
)

// IdeaStatuses lists every status.
var IdeaStatuses = []IdeaStatus{IdeaOpen, IdeaUnderReview, IdeaPlanned, IdeaInProgress, IdeaDone, IdeaDeclined}

// Valid reports whether s is a known status.
func (s IdeaStatus) Valid() bool {
	for _, v := range IdeaStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Limits for ideas.
const (
	MaxIdeaText = 1000
	MaxTag      = 24
	MaxTags     = 5
)

// Idea is one suggestion on an ideas board.
type Idea struct {
	ID         int64
	CampaignID int64
	Number     int64 // within the campaign: #1, #2, ...
	AuthorID   int64
	Text       string
	Status     IdeaStatus
	Tags       []string
	Hidden     bool   // hidden by a moderator, or merged into another idea
	MergedInto *int64 // the idea this one was merged into
	Votes      int
	Comments   int // visible comments
	CreatedAt  time.Time
}

// IdeaKey returns the de-duplication key of an idea's text: the same words in any
// case, spacing or trailing punctuation give the same key.
func IdeaKey(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '#' && r != '+'
	})
	sum := sha256.Sum256([]byte(strings.Join(words, " ")))
	return hex.EncodeToString(sum[:16])
}

// Validate cleans the idea's text and checks it.
func (i *Idea) Validate() error {
	var err error
	i.Text, err = checkText("idea", i.Text, false, 1, MaxIdeaText)
	return err
}

// NormalizeTag cleans a tag: lowercase letters, digits, '-' and '_', at most MaxTag.
func NormalizeTag(tag string) (string, error) {
	tag = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(tag), "#"))
	if tag == "" {
		return "", Errorf(EINVALID, "error.empty", "field", "tag")
	}
	if Len(tag) > MaxTag {
		return "", Errorf(EINVALID, "error.too_long", "field", "tag", "max", MaxTag, "len", Len(tag))
	}
	for _, r := range tag {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return "", Errorf(EINVALID, "error.bad_tag", "tag", tag)
		}
	}
	return tag, nil
}

// IdeaSort orders an idea list.
type IdeaSort string

// Idea orders.
const (
	IdeasTop IdeaSort = "top" // most votes first
	IdeasNew IdeaSort = "new" // newest first
)

// IdeaQuery selects a page of a campaign's ideas.
type IdeaQuery struct {
	Sort    IdeaSort
	Tag     string
	Page    int // from 1
	PerPage int
}

// IdeaPage is one page of ideas.
type IdeaPage struct {
	Ideas []Idea
	Total int
	Page  int
	Pages int
}

// IdeaStore keeps ideas and their votes.
type IdeaStore interface {
	// AddIdea stores an idea and credits its author's points, unless an idea with the
	// same key exists in the campaign: then that one is returned with created false.
	// A card, when given, is queued with a new idea, its "idea_id" and "id" (the
	// idea's number) filled in.
	AddIdea(ctx context.Context, idea *Idea, key string, points int, card *Announcement) (stored *Idea, created bool, err error)
	// Idea returns an idea by id.
	Idea(ctx context.Context, id int64) (*Idea, error)
	// Ideas returns a page of a campaign's visible ideas.
	Ideas(ctx context.Context, campaignID int64, q IdeaQuery) (*IdeaPage, error)
	// ToggleIdeaVote adds the member's up-vote to the idea, or takes it back if it was
	// there, crediting or debiting the author's points; it returns whether the member
	// now votes for it and the idea's new count. The idea must be visible, not the
	// member's own, and its campaign open, checked in the same transaction. A voter
	// whose ID is 0 is a member not looked up yet (see Service.IdentifyLater): the store
	// finds or makes them by Platform and ExternalID, with the vote when it can, and
	// fills in voter.
	ToggleIdeaVote(ctx context.Context, ideaID int64, voter *Member, now time.Time, points int) (voted bool, votes int, err error)
	// SetIdeaStatus changes an idea's status and queues the notice to its author.
	SetIdeaStatus(ctx context.Context, ideaID int64, status IdeaStatus, notice Announcement, now time.Time) error
	// MergeIdeas folds idea from into idea into: every voter of either counts once
	// for into, from is hidden, and the notice to from's author is queued.
	MergeIdeas(ctx context.Context, from, into int64, notice Announcement, now time.Time) (*Idea, error)
	// TagIdea adds a tag to an idea (a tag already there is kept once).
	TagIdea(ctx context.Context, ideaID int64, tag string) (*Idea, error)
	// HideIdea hides or shows an idea.
	HideIdea(ctx context.Context, ideaID int64, hidden bool) error
	// IdeaTotals counts a campaign's visible ideas and their votes.
	IdeaTotals(ctx context.Context, campaignID int64) (ideas, votes int, err error)
	// AllIdeas returns a page of every idea of a campaign, hidden ones included, as
	// export rows (see Service.exportIdeas for the columns).
	AllIdeas(ctx context.Context, campaignID int64, page, perPage int) ([][]string, error)
}

// SubmitIdea adds an idea to an open ideas campaign. The same text again in the
// same campaign returns the existing idea with created false, making no twin.
func (s *Service) SubmitIdea(ctx context.Context, actor Actor, code, text string) (*Idea, bool, error) {
	c, err := s.CampaignOf(ctx, code, KindIdeas)
	if err != nil {
		return nil, false, err
	}
	if c.State != StateOpen {
		return nil, false, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	idea := &Idea{CampaignID: c.ID, AuthorID: actor.Member.ID, Text: text, Status: IdeaOpen, CreatedAt: s.clock.Now()}
	if err := idea.Validate(); err != nil {
		return nil, false, err
	}
	// the idea's card goes to the campaign's channels, where people vote on it and
	// discuss it (a reply on Telegram, a thread on Discord)
	card := CampaignAnnouncement(c, IdeaCardKey, "code", c.Code, "title", c.Title)
	stored, created, err := s.store.AddIdea(ctx, idea, IdeaKey(idea.Text), s.PointsFor(PointsIdea), &card)
	if err != nil {
		return nil, false, fmt.Errorf("submit idea: %w", err)
	}
	return stored, created, nil
}

// Ideas lists a page of an ideas campaign's visible ideas.
func (s *Service) Ideas(ctx context.Context, code string, q IdeaQuery) (*Campaign, *IdeaPage, error) {
	c, err := s.CampaignOf(ctx, code, KindIdeas)
	if err != nil {
		return nil, nil, err
	}
	if q.Sort != IdeasNew {
		q.Sort = IdeasTop
	}
	if q.Tag != "" {
		if q.Tag, err = NormalizeTag(q.Tag); err != nil {
			return nil, nil, err
		}
	}
	if q.PerPage <= 0 || q.PerPage > 50 {
		q.PerPage = 5
	}
	if q.Page < 1 {
		q.Page = 1
	}
	page, err := s.store.Ideas(ctx, c.ID, q)
	if err != nil {
		return nil, nil, fmt.Errorf("list ideas: %w", err)
	}
	return c, page, nil
}

// ToggleIdeaVote adds or takes back the actor's up-vote on an idea, returning whether
// the actor now votes for it and its new count. Members cannot vote for their own
// ideas. It is the hot path of a crowd: one store call, which also makes the member
// of an actor identified later (Service.IdentifyLater) and fills in actor.Member.
func (s *Service) ToggleIdeaVote(ctx context.Context, actor *Actor, ideaID int64) (voted bool, votes int, err error) {
	return s.store.ToggleIdeaVote(ctx, ideaID, &actor.Member, s.clock.Now(), s.PointsFor(PointsVoteReceived))
}

// ideaForAdmin loads an idea and its campaign for an admin's change.
func (s *Service) ideaForAdmin(ctx context.Context, actor Actor, ideaID int64) (*Idea, *Campaign, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	idea, err := s.store.Idea(ctx, ideaID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.Campaign(ctx, idea.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	return idea, c, nil
}

// SetIdeaStatus changes an idea's status and tells its author.
func (s *Service) SetIdeaStatus(ctx context.Context, actor Actor, ideaID int64, status IdeaStatus) (*Idea, error) {
	if !status.Valid() {
		return nil, Errorf(EINVALID, "error.bad_idea_status", "status", string(status))
	}
	idea, c, err := s.ideaForAdmin(ctx, actor, ideaID)
	if err != nil {
		return nil, err
	}
	notice := MemberNotice(c, idea.AuthorID, "notice.idea_status", "id", idea.Number, "title", c.Title, "status", string(status))
	if err := s.store.SetIdeaStatus(ctx, idea.ID, status, notice, s.clock.Now()); err != nil {
		return nil, fmt.Errorf("set idea status: %w", err)
	}
	idea.Status = status
	return idea, nil
}

// MergeIdeas merges a duplicate idea into another of the same campaign, keeping every
// voter once, and tells the merged idea's author.
func (s *Service) MergeIdeas(ctx context.Context, actor Actor, from, into int64) (*Idea, error) {
	if from == into {
		return nil, Errorf(EINVALID, "error.idea_merge_self")
	}
	src, c, err := s.ideaForAdmin(ctx, actor, from)
	if err != nil {
		return nil, err
	}
	dst, err := s.store.Idea(ctx, into)
	if err != nil {
		return nil, err
	}
	if dst.CampaignID != src.CampaignID {
		return nil, Errorf(EINVALID, "error.idea_merge_other_campaign")
	}
	if dst.MergedInto != nil || src.MergedInto != nil {
		return nil, Errorf(ECONFLICT, "error.idea_already_merged")
	}
	notice := MemberNotice(c, src.AuthorID, "notice.idea_merged", "id", src.Number, "into", dst.Number, "title", c.Title)
	return s.store.MergeIdeas(ctx, from, into, notice, s.clock.Now())
}

// TagIdea adds a tag to an idea.
func (s *Service) TagIdea(ctx context.Context, actor Actor, ideaID int64, tag string) (*Idea, error) {
	tag, err := NormalizeTag(tag)
	if err != nil {
		return nil, err
	}
	idea, _, err := s.ideaForAdmin(ctx, actor, ideaID)
	if err != nil {
		return nil, err
	}
	if len(idea.Tags) >= MaxTags && !containsString(idea.Tags, tag) {
		return nil, Errorf(ELIMIT, "error.too_many_tags", "max", MaxTags)
	}
	return s.store.TagIdea(ctx, ideaID, tag)
}

// HideIdea hides an idea from lists (moderation), or shows it again.
func (s *Service) HideIdea(ctx context.Context, actor Actor, ideaID int64, hidden bool) error {
	if _, _, err := s.ideaForAdmin(ctx, actor, ideaID); err != nil {
		return err
	}
	return s.store.HideIdea(ctx, ideaID, hidden)
}

// closeIdeas ends an ideas campaign.
func (s *Service) closeIdeas(ctx context.Context, c *Campaign, now time.Time) error {
	// the close names the most voted idea, the board's outcome
	page, err := s.store.Ideas(ctx, c.ID, IdeaQuery{Sort: IdeasTop, Page: 1, PerPage: 1})
	if err != nil {
		return fmt.Errorf("close ideas: %w", err)
	}
	top := ""
	if len(page.Ideas) > 0 && page.Ideas[0].Votes > 0 {
		top = page.Ideas[0].Text
	}
	return s.store.TransitionCampaign(ctx, Transition{
		CampaignID: c.ID, From: c.State, To: StateClosed, At: now,
		Announcements: []Announcement{CampaignAnnouncement(c, "announce.closed", "title", c.Title, "code", c.Code, "top", top)},
	})
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// IdeaTotals counts a campaign's visible ideas and their votes.
func (s *Service) IdeaTotals(ctx context.Context, c *Campaign) (ideas, votes int, err error) {
	return s.store.IdeaTotals(ctx, c.ID)
}

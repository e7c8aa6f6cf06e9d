package core

import (
	"context"
	"fmt"
	"time"
)

// Limits of a discussion.
const (
	// MaxCommentText bounds a comment, as MaxIdeaText bounds an idea.
	MaxCommentText = 1000
	// CommentNoticeGap is the least time between two notices to an idea's author
	// of new comments on it.
	CommentNoticeGap = time.Hour
	// MaxCommentsPerPage bounds one page of an idea's comments.
	MaxCommentsPerPage = 50
)

// Comment is one member's word on an idea: people of different skills working on
// it together. Comments are numbered within their idea (#1, #2, ...).
type Comment struct {
	ID         int64
	IdeaID     int64
	CampaignID int64
	Number     int64 // within the idea
	AuthorID   int64
	AuthorName string // the author's display name, when read back
	Text       string
	Hidden     bool // hidden by a moderator
	CreatedAt  time.Time
}

// Validate cleans the comment's text and checks it, with the rules of an idea's.
func (c *Comment) Validate() error {
	var err error
	c.Text, err = checkText("comment", c.Text, false, 1, MaxCommentText)
	return err
}

// CommentPage is one page of an idea's visible comments, oldest first.
type CommentPage struct {
	Comments []Comment
	Total    int
	Page     int
	Pages    int
}

// DiscussionStore keeps the comments on ideas.
type DiscussionStore interface {
	// AddComment stores a comment on a visible idea of an open campaign (both
	// checked in its transaction), gives it the idea's next comment number and
	// moves the idea's count of visible comments. A comment by anyone but the
	// idea's author is one more the author has not been told of: when the author
	// was last told at least gap before the comment's time (or never), notice is
	// queued with the number of those comments as its "count" argument and the
	// told time moves to the comment's, by a conditional update of the idea's row,
	// so comments made at the same moment queue one notice.
	AddComment(ctx context.Context, c *Comment, notice Announcement, gap time.Duration) (*Comment, error)
	// Comments returns a page of an idea's visible comments, oldest first.
	Comments(ctx context.Context, ideaID int64, page, perPage int) (*CommentPage, error)
	// LatestComments returns up to perIdea of the latest visible comments of each
	// idea, oldest first, by idea id.
	LatestComments(ctx context.Context, ideaIDs []int64, perIdea int) (map[int64][]Comment, error)
	// CommentByNumber returns comment number n of an idea, hidden or not.
	CommentByNumber(ctx context.Context, ideaID, n int64) (*Comment, error)
	// HideComment hides or shows a comment, moving its idea's count; it fails with
	// ECONFLICT when the comment is already so.
	HideComment(ctx context.Context, commentID int64, hidden bool) error
	// IdeaOfPost returns the id of the idea whose card was posted as message
	// messageID in a channel, 0 when it is none.
	IdeaOfPost(ctx context.Context, platform Platform, channelID, messageID string) (int64, error)
}

// Comment adds the actor's comment to an idea of an open ideas campaign, and tells
// the idea's author of new comments at most once every CommentNoticeGap.
func (s *Service) Comment(ctx context.Context, actor Actor, ideaID int64, text string) (*Comment, *Idea, error) {
	idea, c, err := s.discussedIdea(ctx, ideaID)
	if err != nil {
		return nil, nil, err
	}
	if c.State != StateOpen {
		return nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	comment := &Comment{IdeaID: idea.ID, CampaignID: c.ID, AuthorID: actor.Member.ID, AuthorName: actor.Member.Name,
		Text: text, CreatedAt: s.clock.Now()}
	if err := comment.Validate(); err != nil {
		return nil, nil, err
	}
	notice := MemberNotice(c, idea.AuthorID, "notice.idea_comments", "id", idea.Number, "title", c.Title, "code", c.Code)
	stored, err := s.store.AddComment(ctx, comment, notice, CommentNoticeGap)
	if err != nil {
		return nil, nil, fmt.Errorf("add comment: %w", err)
	}
	idea.Comments++
	return stored, idea, nil
}

// Comments lists a page of an idea's visible comments, oldest first.
func (s *Service) Comments(ctx context.Context, ideaID int64, page, perPage int) (*Idea, *CommentPage, error) {
	idea, _, err := s.discussedIdea(ctx, ideaID)
	if err != nil {
		return nil, nil, err
	}
	if perPage <= 0 || perPage > MaxCommentsPerPage {
		perPage = 10
	}
	if page < 1 {
		page = 1
	}
	p, err := s.store.Comments(ctx, idea.ID, page, perPage)
	if err != nil {
		return nil, nil, fmt.Errorf("list comments: %w", err)
	}
	return idea, p, nil
}

// LatestComments returns up to perIdea of the latest visible comments of each of
// ideas, oldest first, by idea id: what a campaign's public page shows.
func (s *Service) LatestComments(ctx context.Context, ideas []Idea, perIdea int) (map[int64][]Comment, error) {
	var ids []int64
	for _, idea := range ideas {
		if idea.Comments > 0 {
			ids = append(ids, idea.ID)
		}
	}
	if len(ids) == 0 || perIdea <= 0 {
		return map[int64][]Comment{}, nil
	}
	return s.store.LatestComments(ctx, ids, min(perIdea, MaxCommentsPerPage))
}

// HideComment hides comment number n of an idea (moderation), or shows it again.
// Only an admin of the campaign's space may.
func (s *Service) HideComment(ctx context.Context, actor Actor, ideaID, n int64, hidden bool) (*Comment, error) {
	idea, _, err := s.ideaForAdmin(ctx, actor, ideaID)
	if err != nil {
		return nil, err
	}
	comment, err := s.store.CommentByNumber(ctx, idea.ID, n)
	if err != nil {
		return nil, err
	}
	if err := s.store.HideComment(ctx, comment.ID, hidden); err != nil {
		return nil, err
	}
	comment.Hidden = hidden
	return comment, nil
}

// IdeaOfPost returns the id of the idea whose card the bot posted as message
// messageID in a channel, or 0: a reply to the card is a comment on the idea.
func (s *Service) IdeaOfPost(ctx context.Context, platform Platform, channelID, messageID string) (int64, error) {
	if messageID == "" || channelID == "" {
		return 0, nil
	}
	return s.store.IdeaOfPost(ctx, platform, channelID, messageID)
}

// discussedIdea loads a visible idea of an ideas campaign and its campaign.
func (s *Service) discussedIdea(ctx context.Context, ideaID int64) (*Idea, *Campaign, error) {
	idea, err := s.store.Idea(ctx, ideaID)
	if err != nil {
		return nil, nil, err
	}
	if idea.Hidden {
		return nil, nil, Errorf(ENOTFOUND, "error.idea_not_found", "id", idea.Number)
	}
	c, err := s.store.Campaign(ctx, idea.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	return idea, c, nil
}

// IdeaCardKey is the key of an idea's card: the announcement of a new idea to its
// campaign's channels, with its vote button and its discussion.
const IdeaCardKey = "announce.idea"

// ThreadClaimTTL is how long a claim to open an idea's thread holds while its
// opening has not finished: past it, the next press takes the claim over (the
// process that made it stopped halfway).
const ThreadClaimTTL = time.Minute

// IdeaThread is an idea's discussion thread in one channel: a Discord thread started
// from the idea's card, a Telegram forum topic. It is opened once per idea and
// channel: the first press claims it, and the thread is recorded once the platform
// made it. Every member message in it is a comment on the idea.
type IdeaThread struct {
	IdeaID   int64
	Platform Platform
	// ChannelID is where the thread is opened: the Discord channel of the card, the
	// Telegram chat.
	ChannelID string
	// ThreadID is the platform's id of the thread, "" while it is being opened.
	ThreadID  string
	ClaimedAt time.Time
}

// Opened reports whether the thread exists on its platform.
func (t *IdeaThread) Opened() bool { return t.ThreadID != "" }

// ThreadStore keeps the discussion threads of ideas.
type ThreadStore interface {
	// ClaimThread claims the opening of an idea's thread in a channel: it records
	// the claim (at t.ClaimedAt) unless one stands, by a unique key, so that two
	// presses at once make one claim; a claim still opening since before stale is
	// taken over by a conditional update. It returns the thread as recorded and
	// whether the caller holds the claim, and so is to open the thread.
	ClaimThread(ctx context.Context, t IdeaThread, stale time.Time) (*IdeaThread, bool, error)
	// OpenThread records the thread the platform made for a claim. When another
	// opening recorded its thread first, that one stays and is returned.
	OpenThread(ctx context.Context, t IdeaThread) (*IdeaThread, error)
	// DropThreadClaim removes a claim still opening (the platform refused the
	// thread), so that a later press tries again, and queues notice, when given, in
	// the same transaction.
	DropThreadClaim(ctx context.Context, t IdeaThread, notice *Announcement, now time.Time) error
	// IdeaOfThread returns the id of the idea discussed in a thread, 0 when it is
	// none. An empty channelID finds the thread in any channel: a Discord thread's
	// id is unique on its own.
	IdeaOfThread(ctx context.Context, platform Platform, channelID, threadID string) (int64, error)
}

// ClaimThread claims the opening of the thread of a visible idea of an open ideas
// campaign in a channel. mine is true when the caller is to open it on the platform
// and then record it (ThreadOpened or ThreadRefused); otherwise the thread returned
// is open already, or being opened by someone else.
func (s *Service) ClaimThread(ctx context.Context, platform Platform, channelID string, ideaID int64) (thread *IdeaThread, idea *Idea, mine bool, err error) {
	idea, c, err := s.discussedIdea(ctx, ideaID)
	if err != nil {
		return nil, nil, false, err
	}
	if c.State != StateOpen {
		return nil, nil, false, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	now := s.clock.Now()
	t := IdeaThread{IdeaID: idea.ID, Platform: platform, ChannelID: channelID, ClaimedAt: now}
	thread, mine, err = s.store.ClaimThread(ctx, t, now.Add(-ThreadClaimTTL))
	if err != nil {
		return nil, nil, false, fmt.Errorf("claim thread: %w", err)
	}
	return thread, idea, mine, nil
}

// ThreadOpened records the thread the platform made for a claim, and returns the
// thread that stands (another opening's, when it was recorded first).
func (s *Service) ThreadOpened(ctx context.Context, t IdeaThread) (*IdeaThread, error) {
	if t.ThreadID == "" {
		return nil, Errorf(EINVALID, "error.bad_update")
	}
	out, err := s.store.OpenThread(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("record thread: %w", err)
	}
	return out, nil
}

// ThreadRefused drops a claim whose thread the platform did not make, so that a
// later press tries again. A refusal that carries a message key (an *Error from
// the adapter: the bot lacks a permission) tells the campaign's creator why, once
// per campaign, platform and reason.
func (s *Service) ThreadRefused(ctx context.Context, t IdeaThread, cause error) error {
	var notice *Announcement
	if e := AsError(cause); e != nil && e.Code != EINTERNAL && e.Code != EUNAVAILABLE {
		idea, err := s.store.Idea(ctx, t.IdeaID)
		if err != nil {
			return fmt.Errorf("drop thread claim: %w", err)
		}
		c, err := s.store.Campaign(ctx, idea.CampaignID)
		if err != nil {
			return fmt.Errorf("drop thread claim: %w", err)
		}
		if c.CreatedBy != 0 {
			n := MemberNotice(c, c.CreatedBy, "notice.thread_refused", "code", c.Code, "title", c.Title, "reason", e.Key)
			n.Once = fmt.Sprintf("thread:%d:%s:%s", c.ID, t.Platform, e.Key)
			notice = &n
		}
	}
	if err := s.store.DropThreadClaim(ctx, t, notice, s.clock.Now()); err != nil {
		return fmt.Errorf("drop thread claim: %w", err)
	}
	return nil
}

// IdeaOfThread returns the id of the idea discussed in a thread, or 0: a member's
// message there is a comment on the idea.
func (s *Service) IdeaOfThread(ctx context.Context, platform Platform, channelID, threadID string) (int64, error) {
	if threadID == "" {
		return 0, nil
	}
	return s.store.IdeaOfThread(ctx, platform, channelID, threadID)
}

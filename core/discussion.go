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

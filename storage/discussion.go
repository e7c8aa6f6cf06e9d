package storage

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type commentRow struct {
	ID         int64
	IdeaID     int64
	Number     int64
	CampaignID int64
	AuthorID   int64
	Text       string
	Hidden     bool
	CreatedAt  time.Time
}

func (commentRow) TableName() string { return "idea_comments" }

// commentRead is a comment with its author's name, as lists read it (the row is a
// named field: gorm cannot fill an embedded unexported type).
type commentRead struct {
	Comment    commentRow `gorm:"embedded"`
	AuthorName string
}

func (r commentRead) toCore() core.Comment {
	c := r.Comment
	return core.Comment{ID: c.ID, IdeaID: c.IdeaID, CampaignID: c.CampaignID, Number: c.Number, AuthorID: c.AuthorID,
		AuthorName: r.AuthorName, Text: c.Text, Hidden: c.Hidden, CreatedAt: c.CreatedAt}
}

// commentsRead selects comments with their authors' names.
func commentsRead(q *gorm.DB) *gorm.DB {
	return q.Table("idea_comments c").Select("c.*, m.name AS author_name").Joins("JOIN members m ON m.id = c.author_id")
}

// AddComment implements core.DiscussionStore. The idea's row is updated first: it
// numbers the comment and holds the row's lock until the end, so that comments on
// one idea take numbers one after the other and read the notice's state in turn.
func (db *DB) AddComment(ctx context.Context, c *core.Comment, notice core.Announcement, gap time.Duration) (*core.Comment, error) {
	now := c.CreatedAt.UTC()
	row := commentRow{IdeaID: c.IdeaID, CampaignID: c.CampaignID, AuthorID: c.AuthorID, Text: c.Text, CreatedAt: now}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var idea ideaRow
		if err := tx.Select("id, campaign_id, number, author_id, hidden").Take(&idea, c.IdeaID).Error; err != nil {
			return notFound(err, "error.idea_not_found", "id", c.IdeaID)
		}
		if idea.Hidden {
			return core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", idea.Number)
		}
		if err := checkLive(tx, idea.CampaignID, core.StateOpen); err != nil {
			return err
		}
		// the author's own comments are not news to them
		unnoticed := 1
		if idea.AuthorID == c.AuthorID {
			unnoticed = 0
		}
		res := tx.Exec(`UPDATE ideas SET comment_seq = comment_seq + 1, comments = comments + 1,
			comments_unnoticed = comments_unnoticed + ? WHERE id = ? AND hidden = ?`, unnoticed, idea.ID, false)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", idea.Number)
		}
		var st struct {
			CommentSeq        int64
			CommentsUnnoticed int
			CommentsNoticedAt *time.Time
		}
		if err := tx.Table("ideas").Select("comment_seq, comments_unnoticed, comments_noticed_at").Where("id = ?", idea.ID).Take(&st).Error; err != nil {
			return err
		}
		row.Number = st.CommentSeq
		row.CampaignID = idea.CampaignID
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if st.CommentsUnnoticed == 0 || st.CommentsNoticedAt != nil && st.CommentsNoticedAt.After(now.Add(-gap)) {
			return nil
		}
		// the author hears of the comments once per gap: the conditional update
		// lets one transaction through however many comment at once
		told := tx.Exec(`UPDATE ideas SET comments_noticed_at = ?, comments_unnoticed = 0
			WHERE id = ? AND comments_unnoticed > 0 AND (comments_noticed_at IS NULL OR comments_noticed_at <= ?)`,
			now, idea.ID, now.Add(-gap))
		if told.Error != nil || told.RowsAffected == 0 {
			return told.Error
		}
		n := notice
		n.Args = make(map[string]any, len(notice.Args)+1)
		for k, v := range notice.Args {
			n.Args[k] = v
		}
		n.Args["count"] = st.CommentsUnnoticed
		return enqueue(tx, now, n)
	})
	if err != nil {
		return nil, err
	}
	out := commentRead{Comment: row, AuthorName: c.AuthorName}.toCore()
	return &out, nil
}

// Comments implements core.DiscussionStore.
func (db *DB) Comments(ctx context.Context, ideaID int64, page, perPage int) (*core.CommentPage, error) {
	base := db.read(ctx).Model(&commentRow{}).Where("idea_id = ? AND hidden = ?", ideaID, false)
	var total int64
	if err := base.Count(&total).Error; err != nil {
		return nil, translate(err)
	}
	var rows []commentRead
	err := commentsRead(db.read(ctx)).Where("c.idea_id = ? AND c.hidden = ?", ideaID, false).
		Order("c.number").Offset((page - 1) * perPage).Limit(perPage).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := &core.CommentPage{Total: int(total), Page: page, Pages: (int(total) + perPage - 1) / perPage}
	for _, r := range rows {
		out.Comments = append(out.Comments, r.toCore())
	}
	return out, nil
}

// LatestComments implements core.DiscussionStore.
func (db *DB) LatestComments(ctx context.Context, ideaIDs []int64, perIdea int) (map[int64][]core.Comment, error) {
	var rows []commentRead
	err := db.read(ctx).Raw(`SELECT * FROM (
		SELECT c.*, m.name AS author_name, ROW_NUMBER() OVER (PARTITION BY c.idea_id ORDER BY c.number DESC) AS rn
		FROM idea_comments c JOIN members m ON m.id = c.author_id
		WHERE c.idea_id IN ? AND c.hidden = ?
	) x WHERE rn <= ? ORDER BY idea_id, number`, ideaIDs, false, perIdea).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := map[int64][]core.Comment{}
	for _, r := range rows {
		out[r.Comment.IdeaID] = append(out[r.Comment.IdeaID], r.toCore())
	}
	return out, nil
}

// CommentByNumber implements core.DiscussionStore.
func (db *DB) CommentByNumber(ctx context.Context, ideaID, n int64) (*core.Comment, error) {
	var r commentRead
	res := commentsRead(db.read(ctx)).Where("c.idea_id = ? AND c.number = ?", ideaID, n).Limit(1).Scan(&r)
	if res.Error != nil {
		return nil, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "error.comment_not_found", "id", n)
	}
	out := r.toCore()
	return &out, nil
}

// HideComment implements core.DiscussionStore. The conditional update moves the
// idea's count once, however many moderators press at once.
func (db *DB) HideComment(ctx context.Context, commentID int64, hidden bool) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		var r commentRow
		if err := tx.Select("id, idea_id, number").Take(&r, commentID).Error; err != nil {
			return notFound(err, "error.comment_not_found", "id", commentID)
		}
		res := tx.Model(&commentRow{}).Where("id = ? AND hidden = ?", commentID, !hidden).Update("hidden", hidden)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			key := "error.comment_already_hidden"
			if !hidden {
				key = "error.comment_not_hidden"
			}
			return core.Errorf(core.ECONFLICT, key, "id", r.Number)
		}
		delta := 1
		if hidden {
			delta = -1
		}
		return tx.Model(&ideaRow{}).Where("id = ?", r.IdeaID).Update("comments", gorm.Expr("comments + ?", delta)).Error
	})
}

type ideaPostRow struct {
	Platform  string
	ChannelID string
	MessageID string
	IdeaID    int64
	ThreadID  string // the discussion's thread started from the post, "" for none
	CreatedAt time.Time
}

func (ideaPostRow) TableName() string { return "idea_posts" }

// recordIdeaPost keeps which idea a posted card shows, from the card's arguments.
func recordIdeaPost(tx *gorm.DB, platform core.Platform, channelID, messageID, args string, now time.Time) error {
	var a struct {
		IdeaID int64 `json:"idea_id"`
	}
	if err := json.Unmarshal([]byte(args), &a); err != nil || a.IdeaID == 0 || channelID == "" || messageID == "" {
		return nil // not a card of one idea: nothing to discuss under it
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ideaPostRow{Platform: string(platform), ChannelID: channelID,
		MessageID: messageID, IdeaID: a.IdeaID, CreatedAt: now.UTC()}).Error
}

// IdeaOfPost implements core.DiscussionStore.
func (db *DB) IdeaOfPost(ctx context.Context, platform core.Platform, channelID, messageID string) (int64, error) {
	var r ideaPostRow
	res := db.read(ctx).Where("platform = ? AND channel_id = ? AND message_id = ?", string(platform), channelID, messageID).Limit(1).Find(&r)
	if res.Error != nil {
		return 0, translate(res.Error)
	}
	return r.IdeaID, nil
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

// Idea votes: core decides what a vote is worth and makes one store call
// (core/idea.go); who may vote is decided here, at the write, because on the hot path
// nobody has looked up the voter nor the idea before it. That rule (the idea visible,
// its board open, the voter not its author) is one SQL condition, ideaVotable, which
// the general path (votableIdea) and a batch of first votes (firstVotesSQL) both
// test. The database enforces the rest: one vote per member per idea (the primary
// key of idea_votes), and the count moves in the statement or transaction that
// writes the vote.

type ideaRow struct {
	ID         int64
	CampaignID int64
	Number     int64
	AuthorID   int64
	Text       string
	TextKey    string
	Status     string
	Tags       string // ",tag1,tag2," so that one tag matches with LIKE '%,tag,%'
	Hidden     bool
	MergedInto *int64
	Votes      int
	Comments   int // visible comments
	CreatedAt  time.Time
}

func (ideaRow) TableName() string { return "ideas" }

func (r ideaRow) toCore() core.Idea {
	var tags []string
	for _, t := range strings.Split(r.Tags, ",") {
		if t != "" {
			tags = append(tags, t)
		}
	}
	return core.Idea{ID: r.ID, CampaignID: r.CampaignID, Number: r.Number, AuthorID: r.AuthorID, Text: r.Text,
		Status: core.IdeaStatus(r.Status), Tags: tags, Hidden: r.Hidden, MergedInto: r.MergedInto,
		Votes: r.Votes, Comments: r.Comments, CreatedAt: r.CreatedAt}
}

type ideaVoteRow struct {
	IdeaID    int64
	MemberID  int64
	CreatedAt time.Time
}

func (ideaVoteRow) TableName() string { return "idea_votes" }

type pointRow struct {
	ID         int64
	CampaignID int64
	MemberID   int64
	Action     string
	Amount     int
	CreatedAt  time.Time
}

func (pointRow) TableName() string { return "points" }

// award credits (or, with a negative amount, debits) a member's points in tx, and
// their standing with them.
func award(tx *gorm.DB, campaignID, memberID int64, action string, amount int, now time.Time) error {
	if amount == 0 {
		return nil
	}
	if err := tx.Create(&pointRow{CampaignID: campaignID, MemberID: memberID, Action: action, Amount: amount, CreatedAt: now.UTC()}).Error; err != nil {
		return err
	}
	return stand(tx, campaignID, memberID, amount, 0)
}

// stand moves a member's standing in a campaign by points and credited referrals.
func stand(tx *gorm.DB, campaignID, memberID int64, points, referrals int) error {
	return tx.Exec(`INSERT INTO standings (campaign_id, member_id, points, referrals) VALUES (?, ?, ?, ?)
		ON CONFLICT (campaign_id, member_id) DO UPDATE
		SET points = standings.points + excluded.points, referrals = standings.referrals + excluded.referrals`,
		campaignID, memberID, points, referrals).Error
}

// AddIdea implements core.IdeaStore.
func (db *DB) AddIdea(ctx context.Context, idea *core.Idea, key string, points int, card *core.Announcement) (*core.Idea, bool, error) {
	row := ideaRow{CampaignID: idea.CampaignID, AuthorID: idea.AuthorID, Text: idea.Text, TextKey: key,
		Status: string(idea.Status), Tags: ",", CreatedAt: idea.CreatedAt.UTC()}
	created := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if row.Number, err = nextNumber(tx, idea.CampaignID, counterIdea); err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			// a twin: its number goes back, so that refused twins leave no gap
			if err := returnNumber(tx, idea.CampaignID, counterIdea); err != nil {
				return err
			}
			return tx.Where("campaign_id = ? AND text_key = ?", idea.CampaignID, key).Take(&row).Error
		}
		created = true
		if err := participate(tx, idea.CampaignID, idea.AuthorID, idea.CreatedAt); err != nil {
			return err
		}
		if card != nil {
			a := *card
			a.Args = map[string]any{"idea_id": row.ID, "id": row.Number}
			for k, v := range card.Args {
				a.Args[k] = v
			}
			if err := enqueue(tx, idea.CreatedAt, a); err != nil {
				return err
			}
		}
		return award(tx, idea.CampaignID, idea.AuthorID, core.PointsIdea, points, idea.CreatedAt)
	})
	if err != nil {
		return nil, false, err
	}
	out := row.toCore()
	return &out, created, nil
}

// Idea implements core.IdeaStore.
func (db *DB) Idea(ctx context.Context, id int64) (*core.Idea, error) {
	var r ideaRow
	if err := db.read(ctx).Take(&r, id).Error; err != nil {
		return nil, notFound(err, "error.idea_not_found", "id", id)
	}
	out := r.toCore()
	return &out, nil
}

// Ideas implements core.IdeaStore.
func (db *DB) Ideas(ctx context.Context, campaignID int64, q core.IdeaQuery) (*core.IdeaPage, error) {
	base := db.read(ctx).Model(&ideaRow{}).Where("campaign_id = ? AND hidden = ?", campaignID, false)
	if q.Tag != "" {
		base = base.Where("tags LIKE ?", "%,"+q.Tag+",%")
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, translate(err)
	}
	order := "votes DESC, id ASC"
	if q.Sort == core.IdeasNew {
		order = "id DESC"
	}
	var rows []ideaRow
	if err := base.Session(&gorm.Session{}).Order(order).Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return &core.IdeaPage{Ideas: mapRows(rows, ideaRow.toCore), Total: int(total), Page: q.Page,
		Pages: (int(total) + q.PerPage - 1) / q.PerPage}, nil
}

// ToggleIdeaVote implements core.IdeaStore. The primary key (idea, member) makes a
// second vote impossible; the count moves in the same transaction as the vote row,
// so it is exact under any concurrency.
func (db *DB) ToggleIdeaVote(ctx context.Context, ideaID int64, voter *core.Member, now time.Time, points int) (bool, int, error) {
	db.knownMember(voter)
	if db.votes != nil {
		// the common case, a first vote, goes with the others made at the same
		// moment: the hot path of a crowd
		req := firstVote{IdeaID: ideaID, MemberID: voter.ID, Ref: refOf(voter), At: now.UTC(), Points: points}
		u, keys := pendingUpdate(ctx, voterKeys(fmt.Sprintf("vote:%d", ideaID), voter))
		if u != nil {
			req.Key = u.Key
		}
		res, err := db.votes.do(ctx, req, keys...)
		if err == nil {
			db.learnMember(voter, res.Member)
		}
		switch {
		case err == nil && res.Landed:
			if u != nil {
				u.MarkDone()
			}
			return true, res.Votes, nil
		case err != nil && !refused(err):
			// the batch may have committed before its answer was lost (a connection
			// dropped at commit): the general path would find the vote and take it
			// back, so say it failed; a retry of the same platform update is then
			// recognised by its id
			return false, 0, translate(err)
		}
		// a vote that did not qualify, or a batch the server refused whole and
		// rolled back (a platform update recorded by another replica in the
		// meantime): the general path either takes it or says why not
	}
	if err := db.enroll(ctx, voter, now); err != nil {
		return false, 0, err
	}
	memberID := voter.ID
	var voted bool
	var idea ideaRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if idea, err = votableIdea(tx, ideaID, memberID); err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ideaVoteRow{IdeaID: ideaID, MemberID: memberID, CreatedAt: now.UTC()})
		if res.Error != nil {
			return res.Error
		}
		delta := 1
		if res.RowsAffected == 0 {
			del := tx.Where("idea_id = ? AND member_id = ?", ideaID, memberID).Delete(&ideaVoteRow{})
			if del.Error != nil {
				return del.Error
			}
			if del.RowsAffected == 0 {
				return core.Errorf(core.ECONFLICT, "error.conflict")
			}
			delta = -1
		}
		voted = delta > 0
		if voted {
			if err := participate(tx, idea.CampaignID, memberID, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&ideaRow{}).Where("id = ?", ideaID).Update("votes", gorm.Expr("votes + ?", delta)).Error; err != nil {
			return err
		}
		if err := tx.Model(&ideaRow{}).Where("id = ?", ideaID).Pluck("votes", &idea.Votes).Error; err != nil {
			return err
		}
		return award(tx, idea.CampaignID, idea.AuthorID, core.PointsVoteReceived, delta*points, now)
	})
	if err != nil {
		return false, 0, err
	}
	return voted, idea.Votes, nil
}

// ideaVotable is the rule of an idea vote, the one text both paths test (the general
// path in votableIdea, a batch in firstVotesSQL): the idea i is visible, its campaign
// c is open, and the voter v is not its author.
const ideaVotable = `NOT i.hidden AND c.state = '` + string(core.StateOpen) + `' AND i.author_id <> v.member_id`

// votableIdea reads the idea a member votes for, in tx, and fails with the reason
// when ideaVotable refuses the vote. On Postgres it holds a share lock on the
// campaign row until the transaction ends, so a close cannot commit between this
// check and the vote (see checkLive).
func votableIdea(tx *gorm.DB, ideaID, memberID int64) (ideaRow, error) {
	// the row is a named field: gorm cannot fill an embedded unexported type
	var r struct {
		Idea    ideaRow `gorm:"embedded"`
		Code    string
		State   string
		Votable bool
	}
	res := tx.Table("ideas i").Select("i.id, i.campaign_id, i.number, i.author_id, i.hidden, c.code, c.state, ("+ideaVotable+") AS votable").
		Joins("JOIN campaigns c ON c.id = i.campaign_id").Joins("CROSS JOIN (SELECT CAST(? AS BIGINT) AS member_id) v", memberID).Where("i.id = ?", ideaID).
		Clauses(clause.Locking{Strength: "SHARE", Table: clause.Table{Name: "c"}}).Limit(1).Scan(&r)
	switch {
	case res.Error != nil:
		return ideaRow{}, res.Error
	case res.RowsAffected == 0:
		return ideaRow{}, core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", ideaID)
	case r.Votable:
		return r.Idea, nil
	}
	// refused: say why, in the order a member is best told
	switch {
	case r.Idea.Hidden:
		return ideaRow{}, core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", r.Idea.Number)
	case r.Idea.AuthorID == memberID:
		return ideaRow{}, core.Errorf(core.EFORBIDDEN, "error.idea_own_vote")
	default:
		return ideaRow{}, core.Errorf(core.ECLOSED, "error.campaign_closed", "code", r.Code)
	}
}

// firstVote is one member's first up-vote, as a batch of firstVotesSQL takes it.
type firstVote struct {
	IdeaID, MemberID int64
	Ref              core.MemberRef // the voter when MemberID is 0: found or made
	Key              string         // the platform update to record with the vote, or ""
	At               time.Time
	Points           int
}

// firstVoteResult tells whether the vote landed and the idea's count after it, and
// the voter's row when the vote had to find or make it (Member.ID is 0 when it could
// not: a member made by another transaction at that very moment).
type firstVoteResult struct {
	Landed bool
	Votes  int
	Member memberRow
}

// firstVotesSQL adds the first votes of many members at once, in one statement: for
// each vote ideaVotable allows (a visible idea of an open campaign, a voter who is not
// its author) by a member who has not voted for it, it inserts the vote, records the platform update, credits
// the author's points (one points row an author for the batch's votes) and a pending
// referral; each idea's count moves once by the number of its new votes. A voter
// given by reference (member id 0) is made, or renamed, or found, first (memberSQL). It returns, for every vote that landed and
// every voter given by reference, the position (from 1) of the vote, whether it
// landed with its idea's new count, and the voter's row. The votes that did not land
// changed nothing, and their callers take the general path, which says why or
// withdraws the vote.
//
// An update recorded already (delivered again after its vote was taken back, or
// recorded by another replica a moment ago) fails the whole statement on the
// primary key, and every vote of the batch takes the general path. Reading
// processed_updates instead would cost every batch a look-up in a table that only
// grows, for a case that almost never happens.
//
// The ideas are locked in id order before anything is written, so two batches that
// share ideas queue instead of deadlocking; a member is made by one batch of this
// process at a time (the batcher's key), in the order of their platform ids as every
// statement that makes members does. The campaign row is read, not locked (a share
// lock taken by every vote of a crowd costs Postgres a multixact each time): a vote
// already under way when an admin closes the board may land just after the close, as
// if it had come a moment earlier.
const firstVotesSQL = `
WITH arg AS MATERIALIZED (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::int[])
		WITH ORDINALITY AS r(idea_id, member_id, platform, external_id, name, key, at, points, n)
` + memberSQL + `
), req AS MATERIALIZED (
	SELECT a.idea_id, COALESCE(NULLIF(a.member_id, 0), f.id) AS member_id, a.key, a.at, a.points, a.n
	FROM arg a LEFT JOIN found f ON f.n = a.n
), locked AS MATERIALIZED (
	SELECT id, campaign_id, author_id, hidden FROM ideas
	WHERE id IN (SELECT idea_id FROM req) ORDER BY id FOR NO KEY UPDATE
), target AS (
	SELECT v.*, i.campaign_id, i.author_id FROM req v
	JOIN locked i ON i.id = v.idea_id JOIN campaigns c ON c.id = i.campaign_id
	WHERE ` + ideaVotable + `
), ins AS (
	INSERT INTO idea_votes (idea_id, member_id, created_at)
	SELECT idea_id, member_id, at FROM target ORDER BY idea_id, member_id
	ON CONFLICT DO NOTHING RETURNING idea_id, member_id
), won AS MATERIALIZED (
	SELECT t.* FROM target t JOIN ins ON ins.idea_id = t.idea_id AND ins.member_id = t.member_id
), bump AS (
	UPDATE ideas SET votes = ideas.votes + w.votes
	FROM (SELECT idea_id, COUNT(*) AS votes FROM won GROUP BY idea_id) w
	WHERE ideas.id = w.idea_id RETURNING ideas.id, ideas.votes
), gain AS (
	-- one points row an author a batch, for all the votes their ideas received in it
	SELECT campaign_id, author_id AS member_id, 'vote_received' AS action, SUM(points) AS points, MAX(at) AS at
	FROM won WHERE points <> 0 GROUP BY campaign_id, author_id` + landedSQL + `
SELECT a.n, won.n IS NOT NULL AS landed, COALESCE(bump.votes, 0) AS votes,
	COALESCE(f.id, 0) AS id, a.platform, a.external_id, COALESCE(f.name, '') AS name,
	COALESCE(f.locale, '') AS locale, COALESCE(f.created_at, a.at) AS created_at
FROM arg a LEFT JOIN found f ON f.n = a.n LEFT JOIN won ON won.n = a.n LEFT JOIN bump ON bump.id = won.idea_id
WHERE won.n IS NOT NULL OR a.member_id = 0`

// memberSQL goes on from a CTE arg of requests, each with a position n and either a
// member_id or, with member_id 0, a member by reference (platform, external_id, name,
// at): it makes those members, or renames them, or finds them, as UpsertMember does,
// and ends in a CTE found of (n, id, name, locale, created_at, made) for each request
// by reference, made true where the statement made the member. A member another
// transaction makes at the same moment is in neither the insert's answer nor the
// statement's snapshot: found has no row for it, and its caller makes it on its own.
const memberSQL = `
), made AS (
	INSERT INTO members (platform, external_id, name, locale, created_at)
	SELECT platform, external_id, name, '', at FROM arg WHERE member_id = 0 ORDER BY platform, external_id
	ON CONFLICT (platform, external_id) DO UPDATE SET name = excluded.name
		WHERE excluded.name <> '' AND members.name <> excluded.name
	RETURNING id, platform, external_id, name, locale, created_at, xmax = 0 AS made -- an insert, not a rename
), found AS MATERIALIZED (
	SELECT a.n, COALESCE(m.id, k.id) AS id, COALESCE(m.name, k.name) AS name,
		COALESCE(m.locale, k.locale) AS locale, COALESCE(m.created_at, k.created_at) AS created_at,
		COALESCE(m.made, false) AS made
	FROM arg a LEFT JOIN made m ON m.platform = a.platform AND m.external_id = a.external_id
	LEFT JOIN members k ON m.id IS NULL AND k.platform = a.platform AND k.external_id = a.external_id
	WHERE a.member_id = 0 AND COALESCE(m.id, k.id) IS NOT NULL`

// landedSQL ends the statements of group commit (firstVotesSQL, settleBallotsSQL,
// settlePledgesSQL), after a CTE gain of the points they award (campaign_id,
// member_id, action, points, at): it records them, and for every row of won it
// records the platform update and credits a pending referral, with the referrer's
// points. Every standing the statement moves is moved by one upsert, in key order, so
// that two batches that move the same standings queue instead of deadlocking.
const landedSQL = `
), pts AS (
	INSERT INTO points (campaign_id, member_id, action, amount, created_at)
	SELECT campaign_id, member_id, action, points, at FROM gain
), upd AS (
	INSERT INTO processed_updates (key, created_at) SELECT key, at FROM won WHERE key <> ''
), ref AS (
	UPDATE referrals r SET credited_at = won.at FROM won
	WHERE r.campaign_id = won.campaign_id AND r.member_id = won.member_id AND r.credited_at IS NULL
	RETURNING r.campaign_id, r.referrer_id, r.points, won.at
), refpts AS (
	INSERT INTO points (campaign_id, member_id, action, amount, created_at)
	SELECT campaign_id, referrer_id, 'referral', points, at FROM ref WHERE points <> 0
), stand AS (
	INSERT INTO standings (campaign_id, member_id, points, referrals)
	SELECT campaign_id, member_id, SUM(points), SUM(referrals) FROM (
		SELECT campaign_id, member_id, points, 0 AS referrals FROM gain
		UNION ALL SELECT campaign_id, referrer_id, points, 1 FROM ref
	) g GROUP BY campaign_id, member_id ORDER BY campaign_id, member_id
	ON CONFLICT (campaign_id, member_id) DO UPDATE
	SET points = standings.points + excluded.points, referrals = standings.referrals + excluded.referrals
)
`

// refused reports whether Postgres answered a statement with an error: run on its
// own, the statement was rolled back and wrote nothing.
func refused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr)
}

// firstVotes runs one batch of first votes (see firstVotesSQL).
func (db *DB) firstVotes(ctx context.Context, votes []firstVote) ([]firstVoteResult, error) {
	n := len(votes)
	ideas, keys, at, points := make([]int64, n), make([]string, n), make([]time.Time, n), make([]int32, n)
	v := newMemberArgs(n)
	for i, fv := range votes {
		ideas[i], keys[i], at[i], points[i] = fv.IdeaID, fv.Key, fv.At, int32(fv.Points)
		v.set(i, fv.MemberID, fv.Ref)
	}
	out := make([]firstVoteResult, n)
	args := []any{ideas, v.ids, v.platforms, v.externalIDs, v.names, keys, at, points}
	err := queryRows(ctx, db.read(ctx), firstVotesSQL, args, func(rows *sql.Rows) error {
		var i int
		var r firstVoteResult
		m := &r.Member
		if err := rows.Scan(&i, &r.Landed, &r.Votes, &m.ID, &m.Platform, &m.ExternalID, &m.Name, &m.Locale, &m.CreatedAt); err != nil {
			return err
		}
		out[i-1] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("first votes: %w", err)
	}
	return out, nil
}

// checkLive fails with ECLOSED unless the campaign is in one of the states. On
// Postgres it holds a share lock on the campaign row until the transaction ends, so a
// close cannot commit between this check and the change it guards.
func checkLive(tx *gorm.DB, campaignID int64, states ...core.State) error {
	var c campaignRow
	if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id, code, state").Take(&c, campaignID).Error; err != nil {
		return notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	for _, s := range states {
		if core.State(c.State) == s {
			return nil
		}
	}
	return core.Errorf(core.ECLOSED, "error.campaign_closed", "code", c.Code)
}

// SetIdeaStatus implements core.IdeaStore.
func (db *DB) SetIdeaStatus(ctx context.Context, ideaID int64, status core.IdeaStatus, notice core.Announcement, now time.Time) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&ideaRow{}).Where("id = ?", ideaID).Update("status", string(status))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", ideaID)
		}
		return enqueue(tx, now, notice)
	})
}

// MergeIdeas implements core.IdeaStore.
func (db *DB) MergeIdeas(ctx context.Context, from, into int64, notice core.Announcement, now time.Time) (*core.Idea, error) {
	var dst ideaRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var rows []ideaRow
		// lock both in id order, so two merges of the same pair cannot deadlock
		if err := forUpdate(tx).Where("id IN ?", []int64{from, into}).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) != 2 {
			return core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", from)
		}
		src := rows[0]
		dst = rows[1]
		if src.ID != from {
			src, dst = dst, src
		}
		if src.MergedInto != nil || dst.MergedInto != nil {
			return core.Errorf(core.ECONFLICT, "error.idea_already_merged")
		}
		// every voter of from who has not voted for into, except into's author, votes for into
		err := tx.Exec(`INSERT INTO idea_votes (idea_id, member_id, created_at)
			SELECT ?, v.member_id, v.created_at FROM idea_votes v
			WHERE v.idea_id = ? AND v.member_id <> ?
			AND NOT EXISTS (SELECT 1 FROM idea_votes w WHERE w.idea_id = ? AND w.member_id = v.member_id)`,
			into, from, dst.AuthorID, into).Error
		if err != nil {
			return err
		}
		if err := tx.Where("idea_id = ?", from).Delete(&ideaVoteRow{}).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE ideas SET votes = (SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?) WHERE id = ?", into, into).Error; err != nil {
			return err
		}
		if err := tx.Model(&ideaRow{}).Where("id = ?", from).Updates(map[string]any{"hidden": true, "merged_into": into, "votes": 0}).Error; err != nil {
			return err
		}
		if err := tx.Take(&dst, into).Error; err != nil {
			return err
		}
		return enqueue(tx, now, notice)
	})
	if err != nil {
		return nil, err
	}
	out := dst.toCore()
	return &out, nil
}

// TagIdea implements core.IdeaStore.
func (db *DB) TagIdea(ctx context.Context, ideaID int64, tag string) (*core.Idea, error) {
	var r ideaRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := forUpdate(tx).Take(&r, ideaID).Error; err != nil {
			return notFound(err, "error.idea_not_found", "id", ideaID)
		}
		if strings.Contains(r.Tags, ","+tag+",") {
			return nil
		}
		r.Tags += tag + ","
		return tx.Model(&ideaRow{}).Where("id = ?", ideaID).Update("tags", r.Tags).Error
	})
	if err != nil {
		return nil, err
	}
	out := r.toCore()
	return &out, nil
}

// HideIdea implements core.IdeaStore.
func (db *DB) HideIdea(ctx context.Context, ideaID int64, hidden bool) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&ideaRow{}).Where("id = ?", ideaID).Update("hidden", hidden)
		if res.Error == nil && res.RowsAffected == 0 {
			return core.Errorf(core.ENOTFOUND, "error.idea_not_found", "id", ideaID)
		}
		return res.Error
	})
}

// IdeaTotals implements core.IdeaStore.
func (db *DB) IdeaTotals(ctx context.Context, campaignID int64) (int, int, error) {
	var t struct {
		Ideas int
		Votes int
	}
	err := db.read(ctx).Model(&ideaRow{}).Select("COUNT(*) AS ideas, COALESCE(SUM(votes), 0) AS votes").
		Where("campaign_id = ? AND hidden = ?", campaignID, false).Scan(&t).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, 0, translate(err)
	}
	return t.Ideas, t.Votes, nil
}

// AllIdeas implements core.IdeaStore.
func (db *DB) AllIdeas(ctx context.Context, campaignID int64, page, perPage int) ([][]string, error) {
	// the row is a named field: gorm cannot fill an embedded unexported type
	var rows []struct {
		Idea       ideaRow `gorm:"embedded"`
		Author     string
		IntoNumber *int64 // the number of the idea it was merged into
	}
	err := db.read(ctx).Table("ideas i").Select("i.*, m.platform || ':' || m.external_id AS author, t.number AS into_number").
		Joins("JOIN members m ON m.id = i.author_id").Joins("LEFT JOIN ideas t ON t.id = i.merged_into").Where("i.campaign_id = ?", campaignID).
		Order("i.id").Offset((page - 1) * perPage).Limit(perPage).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		idea := r.Idea.toCore()
		// ideas are named by their number in the campaign, as everywhere an admin looks
		merged := ""
		if r.IntoNumber != nil {
			merged = strconv.FormatInt(*r.IntoNumber, 10)
		}
		out[i] = []string{strconv.FormatInt(idea.Number, 10), r.Author, idea.Text, string(idea.Status),
			strings.Join(idea.Tags, " "), strconv.Itoa(idea.Votes), strconv.FormatBool(idea.Hidden), merged,
			idea.CreatedAt.UTC().Format(time.RFC3339)}
	}
	return out, nil
}

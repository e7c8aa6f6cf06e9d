package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

// pollRow is a poll's settings. Its tally lives in its options' rows and in the
// ballots, so that ballots on different options never queue on one row.
// Poll ballots: core decides what a press does to a member's ballot (the BallotFunc
// of core/poll.go), called here once the ballot is held. The store enforces, when the
// ballot is written: one ballot per member (the primary key of poll_voters), an
// option's cap (moveVote's conditional update; a batch takes only uncapped options
// and leaves the others to it), the poll still open (read after the option rows are
// held, which a close locks too), and the option and ballot counts moving with it.

type pollRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	Question   string
	Multi      int
	Anonymous  bool
	Hidden     bool
	Cap        int
	Version    int64 // moved on by the close
}

func (pollRow) TableName() string { return "polls" }

type pollOptionRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	Idx        int   `gorm:"primaryKey;autoIncrement:false"`
	Label      string
	Cap        int
	Votes      int
	Version    int64 // moved on by every ballot that adds or takes a vote here
}

func (pollOptionRow) TableName() string { return "poll_options" }

// pollVoterRow is a member's ballot. For an anonymous poll Choices is a sealed token
// that only core, holding the ballot secret, can open.
type pollVoterRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	MemberID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Choices    string
	Voted      bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (pollVoterRow) TableName() string { return "poll_voters" }

// pollCardRow is the version and state a posted poll card was last refreshed to.
type pollCardRow struct {
	OutboxItemID int64 `gorm:"primaryKey;autoIncrement:false"`
	Version      int64
	State        string
}

func (pollCardRow) TableName() string { return "poll_cards" }

type pollSecretRow struct {
	ID  int `gorm:"primaryKey;autoIncrement:false"`
	Key string
}

func (pollSecretRow) TableName() string { return "poll_secrets" }

// CreatePoll implements core.PollStore.
func (db *DB) CreatePoll(ctx context.Context, c *core.Campaign, p *core.Poll, link *core.ChannelLink, card func(*core.Campaign) core.Announcement) error {
	return db.createCampaign(ctx, c, func(tx *gorm.DB) error {
		if err := insertCampaign(tx, c, link); err != nil {
			return err
		}
		p.CampaignID = c.ID
		row := pollRow{CampaignID: c.ID, Question: p.Question, Multi: p.Multi, Anonymous: p.Anonymous, Hidden: p.Hidden, Cap: p.Limit}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("insert poll: %w", err)
		}
		opts := make([]pollOptionRow, len(p.Options))
		for i, o := range p.Options {
			opts[i] = pollOptionRow{CampaignID: c.ID, Idx: i, Label: o.Label, Cap: p.Limit}
		}
		if err := tx.Create(&opts).Error; err != nil {
			return fmt.Errorf("insert poll options: %w", err)
		}
		return enqueue(tx, c.CreatedAt, card(c))
	})
}

// Poll implements core.PollStore.
func (db *DB) Poll(ctx context.Context, campaignID int64) (*core.Poll, error) {
	return loadPoll(db.read(ctx), campaignID, true)
}

// PollSettings implements core.PollStore. A poll's settings and options never change
// once it is made, so a crowd's presses share one read of them (recentTTL).
func (db *DB) PollSettings(ctx context.Context, campaignID int64) (*core.Poll, error) {
	key := strconv.FormatInt(campaignID, 10)
	p, ok := db.polls.get(key)
	if !ok {
		read, err := loadPoll(db.read(ctx), campaignID, false)
		if err != nil {
			return nil, err
		}
		p = *read
		db.polls.put(key, p)
	}
	p.Options = slices.Clone(p.Options)
	return &p, nil
}

// tallyOf is the counts of a poll as loadPoll read them with its tally.
func tallyOf(p *core.Poll) *core.PollTally {
	t := &core.PollTally{Votes: make([]int, len(p.Options)), Ballots: p.Ballots, Version: p.Version}
	for i, o := range p.Options {
		t.Votes[i] = o.Votes
	}
	return t
}

// loadPoll reads a poll and its options with q (a transaction or a plain session),
// and counts its ballots when tally is set.
func loadPoll(q *gorm.DB, campaignID int64, tally bool) (*core.Poll, error) {
	var row pollRow
	if err := q.Take(&row, "campaign_id = ?", campaignID).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	var opts []pollOptionRow
	if err := q.Where("campaign_id = ?", campaignID).Order("idx").Find(&opts).Error; err != nil {
		return nil, translate(err)
	}
	var ballots int64
	if tally && row.Multi == 1 {
		// a ballot of a single-choice poll holds exactly one option, or none and is
		// not counted: the ballots are the options' votes, with no count of a table
		// that grows with every voter
		for _, o := range opts {
			ballots += int64(o.Votes)
		}
	} else if tally {
		// the kept count (see countBallot), a few rows whatever the crowd
		if err := q.Table("poll_ballot_counts").Select("COALESCE(SUM(ballots), 0)").
			Where("campaign_id = ?", campaignID).Scan(&ballots).Error; err != nil {
			return nil, translate(err)
		}
	}
	p := &core.Poll{CampaignID: row.CampaignID, Question: row.Question, Multi: row.Multi, Anonymous: row.Anonymous,
		Hidden: row.Hidden, Limit: row.Cap, Ballots: int(ballots), Version: row.Version}
	for _, o := range opts {
		p.Options = append(p.Options, core.PollOption{Index: o.Idx, Label: o.Label, Votes: o.Votes})
		p.Version += o.Version
	}
	return p, nil
}

// Vote implements core.PollStore. The ballot row is made (empty) if missing and then
// locked, so two presses of one member run one after the other. The option counts
// move next to last, by conditional updates in option order: an option never passes
// its cap, two ballots never wait on each other's options crosswise, and the options'
// rows, which every ballot on them shares, are held only for the end of the
// transaction. The ballot count, the points and the standings follow, in the order a
// batch of first ballots moves them.
//
// The campaign's state is read after those updates rather than locked at the start
// (a share lock on one row taken by every ballot is costly on Postgres): a close
// locks every option row before it commits, so a ballot either commits before the
// close or finds the campaign closed.
func (db *DB) Vote(ctx context.Context, campaignID int64, voter *core.Member, now time.Time, points int, decide core.BallotFunc) (*core.PollTally, error) {
	db.knownMember(voter)
	if db.ballots != nil {
		// the common case, a member's first ballot with one option, goes with the
		// others cast at the same moment: the hot path of a poll going round
		if ch, err := decide(""); err == nil && ch.Voted && len(ch.Add) == 1 && len(ch.Remove) == 0 {
			req := firstBallot{CampaignID: campaignID, MemberID: voter.ID, Ref: refOf(voter), Choices: ch.Choices, Option: ch.Add[0], At: now.UTC(), Points: points}
			u, keys := pendingUpdate(ctx, voterKeys(fmt.Sprintf("ballot:%d", campaignID), voter))
			if u != nil {
				req.Key = u.Key
			}
			res, err := db.ballots.do(ctx, req, keys...)
			if err == nil {
				db.learnMember(voter, res.Member)
			}
			switch {
			case err == nil && res.Landed:
				if u != nil {
					u.MarkDone()
				}
				return res.Tally, nil
			case err != nil && !refused(err):
				// the batch may have committed before its answer was lost: say it
				// failed rather than cast the ballot again (see ToggleIdeaVote)
				return nil, translate(err)
			}
			// not a first ballot after all, a capped option, a closed poll, or a
			// batch refused whole: the general path takes it or says why not
		}
	}
	if err := db.enroll(ctx, voter, now); err != nil {
		return nil, err
	}
	memberID := voter.ID
	var tally *core.PollTally
	err := db.tx(ctx, func(tx *gorm.DB) error {
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&pollVoterRow{CampaignID: campaignID, MemberID: memberID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()})
		if ins.Error != nil {
			return ins.Error
		}
		first := ins.RowsAffected == 1
		var v pollVoterRow
		if err := forUpdate(tx).Where("campaign_id = ? AND member_id = ?", campaignID, memberID).Take(&v).Error; err != nil {
			return err
		}
		ch, err := decide(v.Choices)
		if err != nil {
			return err
		}
		err = tx.Model(&pollVoterRow{}).Where("campaign_id = ? AND member_id = ?", campaignID, memberID).
			Updates(map[string]any{"choices": ch.Choices, "voted": ch.Voted, "updated_at": now.UTC()}).Error
		if err != nil {
			return err
		}
		delta := map[int]int{}
		for _, i := range ch.Remove {
			delta[i]--
		}
		for _, i := range ch.Add {
			delta[i]++
		}
		idxs := make([]int, 0, len(delta))
		for i := range delta {
			idxs = append(idxs, i)
		}
		slices.Sort(idxs)
		for _, i := range idxs {
			if err := moveVote(tx, campaignID, i, delta[i]); err != nil {
				return err
			}
		}
		// the ballot count last, after the option rows, in the order a batch takes them
		switch {
		case ch.Voted && !v.Voted:
			err = countBallot(tx, campaignID, memberID, 1)
		case !ch.Voted && v.Voted:
			err = countBallot(tx, campaignID, memberID, -1)
		}
		if err != nil {
			return err
		}
		// points and standings after the option rows and the count, as a batch
		// moves them, so that the two never wait on each other crosswise
		if ch.Voted {
			if err := participate(tx, campaignID, memberID, now); err != nil {
				return err
			}
			if first {
				if err := award(tx, campaignID, memberID, core.PointsBallot, points, now); err != nil {
					return err
				}
			}
		}
		var c campaignRow
		if err := tx.Select("id, code, state").Take(&c, campaignID).Error; err != nil {
			return notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
		}
		if core.State(c.State) != core.StateOpen {
			return core.Errorf(core.ECLOSED, "error.campaign_closed", "code", c.Code)
		}
		// the counts for the card that answers the press, this ballot in them
		p, err := loadPoll(tx, campaignID, true)
		if err != nil {
			return err
		}
		tally = tallyOf(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tally, nil
}

// ballotShards is how many rows a poll's ballot count is spread over.
const ballotShards = 16

// countBallot moves the count of members holding a ballot in a poll by delta, on the
// member's shard of it.
func countBallot(tx *gorm.DB, campaignID, memberID int64, delta int) error {
	return tx.Exec(`INSERT INTO poll_ballot_counts (campaign_id, shard, ballots) VALUES (?, ?, ?)
		ON CONFLICT (campaign_id, shard) DO UPDATE SET ballots = poll_ballot_counts.ballots + excluded.ballots`,
		campaignID, memberID%ballotShards, delta).Error
}

// firstBallot is a member's first ballot with one option, as a batch of them
// takes it (see insertBallotsSQL).
type firstBallot struct {
	CampaignID, MemberID int64
	Ref                  core.MemberRef // the voter when MemberID is 0: found or made
	Choices              string         // as stored: the option's index, or a sealed token
	Option               int
	Key                  string // the platform update to record with it, or ""
	At                   time.Time
	Points               int
}

// firstBallotResult tells whether the ballot landed, with its poll's counts after the
// batch, and gives the voter's row when the batch had to find or make it (see
// firstVoteResult).
type firstBallotResult struct {
	Landed bool
	Tally  *core.PollTally
	Member memberRow
}

// A batch of first ballots runs in three statements of one transaction, sent in two
// round trips (see pipeline): the first statement, then the other two with the
// commit, so that the options are held for no round trip. It takes its locks in the
// order the general path takes them (the member's row when it is made, then the
// member's ballot row, then the option rows), so that a member pressing two buttons
// at once, one press in a batch and one on the general path, makes the two queue
// rather than deadlock:
//
//   - insertBallotsSQL finds or makes the voters given by reference (memberSQL) and
//     inserts the ballots of members who have none yet;
//   - lockOptionsSQL holds the option rows they move, in key order, so two batches
//     queue instead of deadlocking;
//   - settleBallotsSQL, with a snapshot taken once the option rows are held (so a
//     close that locked them first is seen, see ClosePoll), takes back the ballots
//     on a capped option or a closed poll and, for the others, records the platform
//     update, awards the ballot's points and credits a pending referral; each
//     option's count moves once by its number of new ballots.
//
// It returns the position (from 1) of every ballot that landed; the others changed
// nothing and take the general path, which says why or changes the ballot. Rows with
// position 0 follow: the counts of every poll a ballot landed in, as the batch left
// them (option idx's votes, and for idx -1 the ballots and the tally's version), for
// the cards that answer the presses; the options it moved are held, so their counts
// are exact, and the others are as the statement's snapshot saw them.
const insertBallotsSQL = `
WITH arg AS MATERIALIZED (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
		WITH ORDINALITY AS r(campaign_id, member_id, platform, external_id, name, choices, at, n)
` + memberSQL + `
), req AS MATERIALIZED (
	SELECT a.campaign_id, COALESCE(NULLIF(a.member_id, 0), f.id) AS member_id, a.choices, a.at, a.n
	FROM arg a LEFT JOIN found f ON f.n = a.n
), ins AS (
	INSERT INTO poll_voters (campaign_id, member_id, choices, voted, created_at, updated_at)
	SELECT campaign_id, member_id, choices, true, at, at FROM req WHERE member_id IS NOT NULL
	ORDER BY campaign_id, member_id
	ON CONFLICT DO NOTHING RETURNING campaign_id, member_id
)
SELECT a.n, COALESCE(r.member_id, 0) AS voter, ins.member_id IS NOT NULL AS fresh,
	COALESCE(f.id, 0) AS id, a.platform, a.external_id, COALESCE(f.name, '') AS name,
	COALESCE(f.locale, '') AS locale, COALESCE(f.created_at, a.at) AS created_at
FROM arg a JOIN req r ON r.n = a.n LEFT JOIN found f ON f.n = a.n
LEFT JOIN ins ON ins.campaign_id = r.campaign_id AND ins.member_id = r.member_id
WHERE ins.member_id IS NOT NULL OR a.member_id = 0`

const lockOptionsSQL = `
SELECT o.campaign_id FROM poll_options o
JOIN unnest($1::bigint[], $2::int[]) AS r(campaign_id, idx) ON o.campaign_id = r.campaign_id AND o.idx = r.idx
ORDER BY o.campaign_id, o.idx FOR NO KEY UPDATE OF o`

const settleBallotsSQL = `
WITH mine AS MATERIALIZED (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::int[])
		AS r(campaign_id, member_id, idx, key, at, points, n)
), won AS MATERIALIZED (
	SELECT m.* FROM mine m
	JOIN poll_options o ON o.campaign_id = m.campaign_id AND o.idx = m.idx AND o.cap = 0
	JOIN campaigns c ON c.id = m.campaign_id AND c.state = 'open'
), back AS (
	DELETE FROM poll_voters v USING mine m
	WHERE v.campaign_id = m.campaign_id AND v.member_id = m.member_id AND m.n NOT IN (SELECT n FROM won)
), bump AS (
	UPDATE poll_options o SET votes = o.votes + w.votes, version = o.version + w.votes
	FROM (SELECT campaign_id, idx, COUNT(*) AS votes FROM won GROUP BY campaign_id, idx) w
	WHERE o.campaign_id = w.campaign_id AND o.idx = w.idx
), counted AS (
	INSERT INTO poll_ballot_counts (campaign_id, shard, ballots)
	SELECT campaign_id, member_id % 16, COUNT(*) FROM won GROUP BY campaign_id, member_id % 16 ORDER BY 1, 2 -- 16: ballotShards
	ON CONFLICT (campaign_id, shard) DO UPDATE SET ballots = poll_ballot_counts.ballots + excluded.ballots
), gain AS (
	SELECT campaign_id, member_id, 'ballot' AS action, points, at FROM won WHERE points <> 0` + landedSQL + `, tally AS MATERIALIZED (
	SELECT o.campaign_id, o.idx, o.votes + COALESCE(w.votes, 0) AS votes, o.version + COALESCE(w.votes, 0) AS version
	FROM poll_options o
	LEFT JOIN (SELECT campaign_id, idx, COUNT(*) AS votes FROM won GROUP BY campaign_id, idx) w
		ON w.campaign_id = o.campaign_id AND w.idx = o.idx
	WHERE o.campaign_id IN (SELECT campaign_id FROM won)
)
SELECT n, 0::bigint AS campaign_id, 0 AS idx, 0::bigint AS votes, 0::bigint AS version FROM won
UNION ALL SELECT 0, campaign_id, idx, votes::bigint, 0 FROM tally
UNION ALL SELECT 0, p.campaign_id, -1, (CASE WHEN p.multi = 1
		THEN (SELECT SUM(t.votes) FROM tally t WHERE t.campaign_id = p.campaign_id)
		ELSE (SELECT COALESCE(SUM(b.ballots), 0) FROM poll_ballot_counts b WHERE b.campaign_id = p.campaign_id)
			+ (SELECT COUNT(*) FROM won w WHERE w.campaign_id = p.campaign_id) END)::bigint,
	(p.version + (SELECT SUM(t.version) FROM tally t WHERE t.campaign_id = p.campaign_id))::bigint
FROM polls p WHERE p.campaign_id IN (SELECT campaign_id FROM won)`

// firstBallots runs one batch of first ballots (see insertBallotsSQL).
func (db *DB) firstBallots(ctx context.Context, bs []firstBallot) ([]firstBallotResult, error) {
	n := len(bs)
	camps, choices, at := make([]int64, n), make([]string, n), make([]time.Time, n)
	v := newMemberArgs(n)
	for i, b := range bs {
		camps[i], choices[i], at[i] = b.CampaignID, b.Choices, b.At
		v.set(i, b.MemberID, b.Ref)
	}
	out := make([]firstBallotResult, n)
	var mc, mm []int64
	var idxs, points, ns []int32
	var keys []string
	var mat []time.Time
	tallies := map[int64]*core.PollTally{}
	err := db.pipelined(ctx, func(p *pipeline) error {
		// the members and ballots first, for the options they move: then the
		// options' lock, the settling and the commit at once, so that the options are
		// held for no round trip
		b := begin()
		b.Queue(insertBallotsSQL, camps, v.ids, v.platforms, v.externalIDs, v.names, choices, at).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var i int
				var voter int64
				var fresh bool
				var m memberRow
				if err := rows.Scan(&i, &voter, &fresh, &m.ID, &m.Platform, &m.ExternalID, &m.Name, &m.Locale, &m.CreatedAt); err != nil {
					return err
				}
				out[i-1].Member = m
				if fresh {
					fb := bs[i-1]
					mc, mm, idxs, keys = append(mc, fb.CampaignID), append(mm, voter), append(idxs, int32(fb.Option)), append(keys, fb.Key)
					mat, points, ns = append(mat, fb.At), append(points, int32(fb.Points)), append(ns, int32(i))
				}
			}
			return rows.Err()
		})
		if err := p.send(b); err != nil {
			return err
		}
		b = &pgx.Batch{}
		if len(mc) > 0 {
			b.Queue(lockOptionsSQL, mc, idxs)
			b.Queue(settleBallotsSQL, mc, mm, idxs, keys, mat, points, ns).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var i, idx int
					var campaignID, votes, version int64
					if err := rows.Scan(&i, &campaignID, &idx, &votes, &version); err != nil {
						return err
					}
					if i > 0 {
						out[i-1].Landed = true
						continue
					}
					t := tallies[campaignID]
					if t == nil {
						t = &core.PollTally{}
						tallies[campaignID] = t
					}
					switch {
					case idx < 0:
						t.Ballots, t.Version = int(votes), version
					default:
						for len(t.Votes) <= idx {
							t.Votes = append(t.Votes, 0)
						}
						t.Votes[idx] = int(votes)
					}
				}
				return rows.Err()
			})
		}
		return p.send(commitBatch(b))
	})
	for i := range out {
		if out[i].Landed {
			out[i].Tally = tallies[bs[i].CampaignID]
		}
	}
	if err != nil {
		return nil, fmt.Errorf("first ballots: %w", err)
	}
	return out, nil
}

// moveVote adds (d > 0) or takes away (d < 0) one vote of an option inside tx. A vote
// is added only while the option is under its cap; that condition, checked by the
// database on the row it updates, is what keeps a limit under any concurrency.
func moveVote(tx *gorm.DB, campaignID int64, idx, d int) error {
	switch {
	case d > 0:
		res := tx.Exec("UPDATE poll_options SET votes = votes + 1, version = version + 1 WHERE campaign_id = ? AND idx = ? AND (cap = 0 OR votes < cap)", campaignID, idx)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var o pollOptionRow
			if err := tx.Take(&o, "campaign_id = ? AND idx = ?", campaignID, idx).Error; err != nil {
				return notFound(err, "error.poll_bad_option")
			}
			return core.Errorf(core.ELIMIT, "error.poll_option_full", "option", o.Label, "count", o.Cap)
		}
	case d < 0:
		res := tx.Exec("UPDATE poll_options SET votes = votes - 1, version = version + 1 WHERE campaign_id = ? AND idx = ? AND votes > 0", campaignID, idx)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("poll %d option %d: no vote to take back", campaignID, idx)
		}
	}
	return nil
}

// ClosePoll implements core.PollStore. Locking the option rows after the state
// change makes the close wait for the ballots under way, which then commit before it;
// any later ballot finds the poll closed (see Vote).
func (db *DB) ClosePoll(ctx context.Context, t core.Transition) error {
	defer db.moved(nil)
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := transition(tx, t); err != nil {
			return err
		}
		var opts []pollOptionRow
		if err := forUpdate(tx).Select("campaign_id, idx").Where("campaign_id = ?", t.CampaignID).Order("idx").Find(&opts).Error; err != nil {
			return err
		}
		return tx.Exec("UPDATE polls SET version = version + 1 WHERE campaign_id = ?", t.CampaignID).Error
	})
}

// PollBallots implements core.PollStore.
func (db *DB) PollBallots(ctx context.Context, campaignID int64, page, perPage int) ([]core.PollBallot, error) {
	var rows []struct {
		Member    string
		Name      string
		Choices   string
		Anonymous bool
		UpdatedAt time.Time
	}
	err := db.read(ctx).Table("poll_voters v").
		Select("m.platform || ':' || m.external_id AS member, m.name, v.choices, p.anonymous, v.updated_at").
		Joins("JOIN members m ON m.id = v.member_id").Joins("JOIN polls p ON p.campaign_id = v.campaign_id").
		Where("v.campaign_id = ? AND v.voted = ?", campaignID, true).
		Order("v.created_at, v.member_id").Offset((page - 1) * perPage).Limit(perPage).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]core.PollBallot, 0, len(rows))
	for _, r := range rows {
		if r.Anonymous {
			return nil, core.Errorf(core.EFORBIDDEN, "error.poll_export_anonymous", "code", fmt.Sprint(campaignID))
		}
		choices, err := core.ParseChoices(r.Choices)
		if err != nil {
			return nil, err
		}
		out = append(out, core.PollBallot{Member: r.Member, Name: r.Name, Choices: choices, VotedAt: r.UpdatedAt.UTC()})
	}
	return out, nil
}

// BallotSecret implements core.PollStore: 32 random bytes, made once and shared by
// every process on the database.
func (db *DB) BallotSecret(ctx context.Context) ([]byte, error) {
	var row pollSecretRow
	err := db.read(ctx).Take(&row, "id = ?", 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		err = db.read(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&pollSecretRow{ID: 1, Key: hex.EncodeToString(b)}).Error
		if err == nil {
			// another process may have won the race: everyone uses the stored one
			err = db.read(ctx).Take(&row, "id = ?", 1).Error
		}
	}
	if err != nil {
		return nil, fmt.Errorf("ballot secret: %w", translate(err))
	}
	return hex.DecodeString(row.Key)
}

// pollCardKey is the outbox key of a poll's card.
const pollCardKey = "poll.card"

// optionVersions sums a poll's option versions, the part of its version that ballots
// move (see loadPoll).
const optionVersions = "(SELECT COALESCE(SUM(po.version), 0) FROM poll_options po WHERE po.campaign_id = p.campaign_id)"

// StalePollCards implements core.PollStore. A card never refreshed is out of date
// once the tally moved past its first version or the campaign left the open state.
func (db *DB) StalePollCards(ctx context.Context, since time.Time, limit int) ([]core.PollCard, error) {
	var rows []struct {
		Outbox          outboxRow `gorm:"embedded"`
		SpaceExternalID string
		PollVersion     int64
		CampaignState   string
	}
	open := string(core.StateOpen)
	err := db.read(ctx).Table("outbox_items o").
		Select("o.*, s.external_id AS space_external_id, p.version + "+optionVersions+" AS poll_version, c.state AS campaign_state").
		Joins("JOIN polls p ON p.campaign_id = o.campaign_id").
		Joins("JOIN campaigns c ON c.id = o.campaign_id").
		Joins("LEFT JOIN spaces s ON s.id = o.space_id").
		Joins("LEFT JOIN poll_cards pc ON pc.outbox_item_id = o.id").
		Where(`o."key" = ? AND o.state = ? AND o.message_id <> '' AND o.member_id IS NULL`, pollCardKey, string(core.OutboxSent)).
		Where("c.state = ? OR c.updated_at >= ?", open, since.UTC()).
		Where("(pc.outbox_item_id IS NULL AND (p.version + "+optionVersions+" > 0 OR c.state <> ?)) OR pc.version < p.version + "+optionVersions+" OR pc.state <> c.state", open).
		Order("o.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]core.PollCard, len(rows))
	for i, r := range rows {
		out[i] = core.PollCard{Item: r.Outbox.toCore(), SpaceExternalID: r.SpaceExternalID,
			Version: r.PollVersion, State: core.State(r.CampaignState)}
	}
	return out, nil
}

// ClaimPollCard implements core.PollStore.
func (db *DB) ClaimPollCard(ctx context.Context, outboxID, version int64, state core.State) (bool, error) {
	claimed := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&pollCardRow{OutboxItemID: outboxID, Version: version, State: string(state)})
		if ins.Error != nil || ins.RowsAffected == 1 {
			claimed = ins.Error == nil
			return ins.Error
		}
		res := tx.Model(&pollCardRow{}).
			Where("outbox_item_id = ? AND (version < ? OR version = ? AND state <> ?)", outboxID, version, version, string(state)).
			Updates(map[string]any{"version": version, "state": string(state)})
		claimed = res.RowsAffected == 1
		return res.Error
	})
	return claimed, err
}

// ReleasePollCard implements core.PollStore.
func (db *DB) ReleasePollCard(ctx context.Context, outboxID, version int64) error {
	return translate(db.read(ctx).Model(&pollCardRow{}).Where("outbox_item_id = ? AND version = ?", outboxID, version).
		Update("version", -1).Error)
}

package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"crowdbot/core"
)

// firstPledge is a member's first pledge with no tier, as a batch of them takes it
// (see insertPledgesSQL): the pledge of a crowd backing a fundraiser that goes round.
type firstPledge struct {
	CampaignID, MemberID int64
	Ref                  core.MemberRef // the member when MemberID is 0: found or made
	Amount               int64
	Key                  string // the platform update to record with it, or ""
	At                   time.Time
	Points               int
}

// firstPledgeResult is a landed pledge's outcome; Landed is false for a pledge that
// changed nothing and takes the general path.
type firstPledgeResult struct {
	Landed  bool
	Outcome core.PledgeOutcome
	Member  memberRow // the member's row when the batch had to find or make it
}

// firstPledgeOf returns the batch request of a pledge change that may be a member's
// first pledge with no tier, or false.
func firstPledgeOf(ch core.PledgeChange) (firstPledge, bool) {
	if ch.Cancel || !ch.KeepTier {
		return firstPledge{}, false
	}
	p := firstPledge{CampaignID: ch.CampaignID, MemberID: ch.MemberID, Amount: ch.Amount.Amount, At: ch.At.UTC(), Points: ch.Points}
	if ch.MemberID == 0 {
		if ch.Member == nil {
			return firstPledge{}, false
		}
		p.Ref = refOf(ch.Member)
	}
	return p, true
}

// changeFirstPledge runs a pledge change in the next batch of first pledges when it
// may be one. It returns handled false when the change is to take the general path:
// the member had a pledge already, the campaign is not taking pledges, or a batch
// the server refused whole.
func (db *DB) changeFirstPledge(ctx context.Context, ch core.PledgeChange) (out *core.PledgeOutcome, handled bool, err error) {
	req, ok := firstPledgeOf(ch)
	if !ok || db.pledges == nil {
		return nil, false, nil
	}
	var member core.Member
	if ch.Member != nil {
		member = *ch.Member
	} else {
		member.ID = ch.MemberID
	}
	keys := []string{fmt.Sprintf("pledge:%d:%d", ch.CampaignID, ch.MemberID)}
	if ch.MemberID == 0 {
		keys = voterKeys(fmt.Sprintf("pledge:%d", ch.CampaignID), &member)
	}
	u, keys := pendingUpdate(ctx, keys)
	if u != nil {
		req.Key = u.Key
	}
	res, err := db.pledges.do(ctx, req, keys...)
	if err == nil && ch.Member != nil {
		db.learnMember(ch.Member, res.Member)
	}
	switch {
	case err == nil && res.Landed:
		if u != nil {
			u.MarkDone()
		}
		return &res.Outcome, true, nil
	case err != nil && !refused(err):
		// the batch may have committed before its answer was lost: say it failed
		// rather than pledge again (see ToggleIdeaVote)
		return nil, true, translate(err)
	}
	return nil, false, nil
}

// A batch of first pledges runs in three statements of one transaction, sent in three
// round trips (see pipeline): the first statement, then the other two at once, then
// the commit. It takes its locks in the order every pledge change takes them (the
// member's pledge row, then the fundraiser's, see lockFundraiser), so that the
// fundraiser's lock, which every pledge must hold to move the totals, is held once a
// batch and for one statement and one round trip, not once a pledge:
//
//   - insertPledgesSQL finds or makes the members given by reference (memberSQL)
//     and inserts the pledges of members who have none yet;
//   - lockFundsSQL holds the fundraisers they back, in key order, and reads their
//     totals as they stand;
//   - settlePledgesSQL, with a snapshot taken once the fundraisers are held (so a
//     settlement that held them first is seen), takes back the pledges to a campaign
//     that is no longer open or whose close has come and, for the others, moves each
//     fundraiser's totals once by its new pledges, records the platform update,
//     awards the pledge's points and credits a pending referral.
//
// Then the milestones and stretch goals each fundraiser's peak passed are queued, as
// a single pledge queues them; settlePledgesSQL gives each fundraiser's lowest stretch
// goal above its peak, so that a batch passing neither a milestone nor that goal, as
// nearly every batch is, reads neither the campaign nor its goals. It returns the
// outcome of every pledge that landed, with its fundraiser's totals after the batch;
// the others changed nothing and take the general path, which says why or changes the
// pledge there was.
const insertPledgesSQL = `
WITH arg AS MATERIALIZED (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
		WITH ORDINALITY AS r(campaign_id, member_id, platform, external_id, name, amount, at, n)
` + memberSQL + `
), req AS MATERIALIZED (
	SELECT a.campaign_id, COALESCE(NULLIF(a.member_id, 0), f.id) AS member_id, a.amount, a.at, a.n
	FROM arg a LEFT JOIN found f ON f.n = a.n
), ins AS (
	INSERT INTO pledges (campaign_id, member_id, amount, active, created_at, updated_at)
	SELECT campaign_id, member_id, amount, true, at, at FROM req WHERE member_id IS NOT NULL
	ORDER BY campaign_id, member_id
	ON CONFLICT DO NOTHING RETURNING id, campaign_id, member_id
)
SELECT a.n, COALESCE(ins.id, 0) AS pledge, COALESCE(r.member_id, 0) AS member,
	COALESCE(f.id, 0) AS id, a.platform, a.external_id, COALESCE(f.name, '') AS name,
	COALESCE(f.locale, '') AS locale, COALESCE(f.created_at, a.at) AS created_at, COALESCE(f.made, false) AS made
FROM arg a JOIN req r ON r.n = a.n LEFT JOIN found f ON f.n = a.n
LEFT JOIN ins ON ins.campaign_id = r.campaign_id AND ins.member_id = r.member_id
WHERE ins.id IS NOT NULL OR a.member_id = 0`

const lockFundsSQL = `
SELECT campaign_id, goal, currency, mode, raised, backers, peak, spent, payment, paid
FROM fundraisers WHERE campaign_id IN (SELECT unnest($1::bigint[]))
ORDER BY campaign_id FOR NO KEY UPDATE`

const settlePledgesSQL = `
WITH mine AS MATERIALIZED (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[], $7::int[], $8::int[])
		AS r(campaign_id, member_id, pledge_id, amount, key, at, points, n)
), won AS MATERIALIZED (
	SELECT m.* FROM mine m
	JOIN campaigns c ON c.id = m.campaign_id AND c.state = 'open' AND (c.closes_at IS NULL OR m.at < c.closes_at)
), back AS (
	DELETE FROM pledges p USING mine m WHERE p.id = m.pledge_id AND m.n NOT IN (SELECT n FROM won)
), bump AS (
	UPDATE fundraisers f SET raised = f.raised + w.amount, backers = f.backers + w.backers,
		peak = GREATEST(f.peak, f.raised + w.amount)
	FROM (SELECT campaign_id, SUM(amount) AS amount, COUNT(*) AS backers FROM won GROUP BY campaign_id) w
	WHERE f.campaign_id = w.campaign_id
), gain AS (
	SELECT campaign_id, member_id, 'pledge' AS action, points, at FROM won WHERE points <> 0` + landedSQL + `, stretch AS (
	-- the snapshot's peak is the one before the batch: the fundraiser is held
	SELECT f.campaign_id, MIN(g.target) AS target FROM fundraisers f
	JOIN stretch_goals g ON g.campaign_id = f.campaign_id AND g.target > f.peak
	WHERE f.campaign_id IN (SELECT campaign_id FROM won) GROUP BY f.campaign_id
)
SELECT w.n, COALESCE(s.target, 0) AS stretch FROM won w LEFT JOIN stretch s ON s.campaign_id = w.campaign_id`

// firstPledges runs one batch of first pledges (see insertPledgesSQL).
func (db *DB) firstPledges(ctx context.Context, ps []firstPledge) ([]firstPledgeResult, error) {
	n := len(ps)
	camps, amounts, at := make([]int64, n), make([]int64, n), make([]time.Time, n)
	v := newMemberArgs(n)
	for i, p := range ps {
		camps[i], amounts[i], at[i] = p.CampaignID, p.Amount, p.At
		v.set(i, p.MemberID, p.Ref)
	}
	out := make([]firstPledgeResult, n)
	err := db.pipelined(ctx, func(p *pipeline) error {
		// the members and pledges first; then the fundraisers' lock and the
		// settling at once, and the commit as soon as the bot knows no milestone is
		// passed
		var fresh []pledgeRow // the pledges inserted, each at its position's n
		var pos []int
		b := begin()
		b.Queue(insertPledgesSQL, camps, v.ids, v.platforms, v.externalIDs, v.names, amounts, at).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var i int
				var pledge, member int64
				var m memberRow
				if err := rows.Scan(&i, &pledge, &member, &m.ID, &m.Platform, &m.ExternalID, &m.Name, &m.Locale, &m.CreatedAt, &m.New); err != nil {
					return err
				}
				out[i-1].Member = m
				if pledge != 0 {
					fp := ps[i-1]
					fresh = append(fresh, pledgeRow{ID: pledge, CampaignID: fp.CampaignID, MemberID: member, Amount: fp.Amount,
						Active: true, CreatedAt: fp.At, UpdatedAt: fp.At})
					pos = append(pos, i-1)
				}
			}
			return rows.Err()
		})
		if err := p.send(b); err != nil {
			return err
		}
		if len(fresh) == 0 {
			return p.send(commitBatch(&pgx.Batch{})) // the members it made
		}
		k := len(fresh)
		mc, mm, ids, amt, mat := make([]int64, k), make([]int64, k), make([]int64, k), make([]int64, k), make([]time.Time, k)
		keys, points, ns := make([]string, k), make([]int32, k), make([]int32, k)
		for j, f := range fresh {
			i := pos[j]
			fp := ps[i]
			mc[j], mm[j], ids[j], amt[j], mat[j] = fp.CampaignID, f.MemberID, f.ID, fp.Amount, fp.At
			keys[j], points[j], ns[j] = fp.Key, int32(fp.Points), int32(i+1)
		}
		var funds []fundraiserRow
		var landed []int
		stretch := map[int64]int64{} // each fundraiser's lowest stretch goal above its peak
		b = &pgx.Batch{}
		b.Queue(lockFundsSQL, mc).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var f fundraiserRow
				if err := rows.Scan(&f.CampaignID, &f.Goal, &f.Currency, &f.Mode, &f.Raised, &f.Backers, &f.Peak, &f.Spent, &f.Payment, &f.Paid); err != nil {
					return err
				}
				funds = append(funds, f)
			}
			return rows.Err()
		})
		b.Queue(settlePledgesSQL, mc, mm, ids, amt, keys, mat, points, ns).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var i int
				var target int64
				if err := rows.Scan(&i, &target); err != nil {
					return err
				}
				landed = append(landed, i)
				stretch[ps[i-1].CampaignID] = target
			}
			return rows.Err()
		})
		if err := p.send(b); err != nil {
			return err
		}
		if len(landed) == 0 {
			return p.send(commitBatch(&pgx.Batch{}))
		}
		// each fundraiser's totals before and after the batch, as settlePledgesSQL
		// moved them
		before := make(map[int64]fundraiserRow, len(funds))
		after := make(map[int64]*fundraiserRow, len(funds))
		for _, f := range funds {
			before[f.CampaignID] = f
			a := f
			after[f.CampaignID] = &a
		}
		byN := make(map[int]pledgeRow, k)
		for j, f := range fresh {
			byN[int(ns[j])] = f
		}
		last := make(map[int64]time.Time, len(funds)) // each fundraiser's latest pledge
		for _, i := range landed {
			fp := ps[i-1]
			a := after[fp.CampaignID]
			a.Raised += fp.Amount
			a.Backers++
			a.Peak = max(a.Peak, a.Raised)
			if fp.At.After(last[fp.CampaignID]) {
				last[fp.CampaignID] = fp.At
			}
		}
		for id, a := range after {
			b := before[id].toCore()
			if !core.FundMayCross(b.Goal, b.Peak, a.toCore().Peak, stretch[id]) {
				continue
			}
			c, err := fundCampaign(p.q, id, time.Time{}, false, core.StateOpen)
			if err != nil {
				return err
			}
			if err := queueCrossings(p.q, c, b.Peak, a.toCore(), last[id]); err != nil {
				return err
			}
		}
		for _, i := range landed {
			a := after[ps[i-1].CampaignID]
			out[i-1].Landed = true
			out[i-1].Outcome = core.PledgeOutcome{Pledge: byN[i].toCore(a.Currency), Fundraiser: *a.toCore()}
		}
		return p.send(commitBatch(&pgx.Batch{}))
	})
	if err != nil {
		return nil, fmt.Errorf("first pledges: %w", err)
	}
	return out, nil
}

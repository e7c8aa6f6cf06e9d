package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"crowdbot/core"
)

// firstPledge is a member's first pledge with no tier, as a batch of them takes it
// (see insertPledgesSQL): the pledge of a crowd backing a fundraiser that goes round.
type firstPledge struct {
	CampaignID, MemberID int64
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
}

// firstPledgeOf returns the batch request of a pledge change that may be a member's
// first pledge with no tier, or false.
func firstPledgeOf(ch core.PledgeChange) (firstPledge, bool) {
	if ch.Cancel || !ch.KeepTier {
		return firstPledge{}, false
	}
	return firstPledge{CampaignID: ch.CampaignID, MemberID: ch.MemberID, Amount: ch.Amount.Amount, At: ch.At.UTC(), Points: ch.Points}, true
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
	u, keys := pendingUpdate(ctx, []string{fmt.Sprintf("pledge:%d:%d", ch.CampaignID, ch.MemberID)})
	if u != nil {
		req.Key = u.Key
	}
	res, err := db.pledges.do(ctx, req, keys...)
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

// A batch of first pledges runs in three statements of one transaction, taking its
// locks in the order every pledge change takes them (the member's pledge row, then the
// fundraiser's, see lockFundraiser), so that the fundraiser's lock, which every pledge
// must hold to move the totals, is held once a batch and for one statement, not once
// a pledge:
//
//   - insertPledgesSQL inserts the pledges of members who have none yet;
//   - lockFundsSQL holds the fundraisers they back, in key order, and reads their
//     totals as they stand;
//   - settlePledgesSQL, with a snapshot taken once the fundraisers are held (so a
//     settlement that held them first is seen), takes back the pledges to a campaign
//     that is no longer open or whose close has come and, for the others, moves each
//     fundraiser's totals once by its new pledges, records the platform update,
//     awards the pledge's points and credits a pending referral.
//
// Then the milestones and stretch goals each fundraiser's peak passed are queued, as
// a single pledge queues them. It returns the outcome of every pledge that landed,
// with its fundraiser's totals after the batch; the others changed nothing and take
// the general path, which says why or changes the pledge there was.
const insertPledgesSQL = `
INSERT INTO pledges (campaign_id, member_id, amount, active, created_at, updated_at)
SELECT campaign_id, member_id, amount, true, at, at
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[]) AS r(campaign_id, member_id, amount, at)
ORDER BY campaign_id, member_id
ON CONFLICT DO NOTHING RETURNING id, campaign_id, member_id, amount, tier_id, active, created_at, updated_at`

const lockFundsSQL = `
SELECT * FROM fundraisers WHERE campaign_id IN (SELECT unnest($1::bigint[]))
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
	SELECT campaign_id, member_id, 'pledge' AS action, points, at FROM won WHERE points <> 0` + landedSQL + `
SELECT n FROM won`

// firstPledges runs one batch of first pledges (see insertPledgesSQL).
func (db *DB) firstPledges(ctx context.Context, ps []firstPledge) ([]firstPledgeResult, error) {
	n := len(ps)
	camps, members, amounts, at := make([]int64, n), make([]int64, n), make([]int64, n), make([]time.Time, n)
	pos := make(map[[2]int64]int, n) // a batch holds one pledge a member and fundraiser
	for i, p := range ps {
		camps[i], members[i], amounts[i], at[i] = p.CampaignID, p.MemberID, p.Amount, p.At
		pos[[2]int64{p.CampaignID, p.MemberID}] = i
	}
	out := make([]firstPledgeResult, n)
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var fresh []pledgeRow
		if err := tx.Raw(insertPledgesSQL, camps, members, amounts, at).Scan(&fresh).Error; err != nil {
			return err
		}
		if len(fresh) == 0 {
			return nil
		}
		k := len(fresh)
		mc, mm, ids, amt, mat := make([]int64, k), make([]int64, k), make([]int64, k), make([]int64, k), make([]time.Time, k)
		keys, points, ns := make([]string, k), make([]int32, k), make([]int32, k)
		for j, f := range fresh {
			i := pos[[2]int64{f.CampaignID, f.MemberID}]
			p := ps[i]
			mc[j], mm[j], ids[j], amt[j], mat[j] = p.CampaignID, p.MemberID, f.ID, p.Amount, p.At
			keys[j], points[j], ns[j] = p.Key, int32(p.Points), int32(i+1)
		}
		var funds []fundraiserRow
		if err := tx.Raw(lockFundsSQL, mc).Scan(&funds).Error; err != nil {
			return err
		}
		var landed []int
		if err := tx.Raw(settlePledgesSQL, mc, mm, ids, amt, keys, mat, points, ns).Scan(&landed).Error; err != nil {
			return err
		}
		if len(landed) == 0 {
			return nil
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
			p := ps[i-1]
			a := after[p.CampaignID]
			a.Raised += p.Amount
			a.Backers++
			a.Peak = max(a.Peak, a.Raised)
			if p.At.After(last[p.CampaignID]) {
				last[p.CampaignID] = p.At
			}
		}
		for id, a := range after {
			b := before[id]
			if a.Peak <= b.Peak {
				continue
			}
			c, err := fundCampaign(tx, id, time.Time{}, false, core.StateOpen)
			if err != nil {
				return err
			}
			if err := queueCrossings(tx, c, b.toCore().Peak, a.toCore(), last[id]); err != nil {
				return err
			}
		}
		for _, i := range landed {
			p := ps[i-1]
			a := after[p.CampaignID]
			out[i-1] = firstPledgeResult{Landed: true, Outcome: core.PledgeOutcome{
				Pledge: byN[i].toCore(a.Currency), Fundraiser: *a.toCore()}}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("first pledges: %w", err)
	}
	return out, nil
}

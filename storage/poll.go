package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

// pollRow is a poll's settings. Its tally lives in its options' rows and in the
// ballots, so that ballots on different options never queue on one row.
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

// PollSettings implements core.PollStore.
func (db *DB) PollSettings(ctx context.Context, campaignID int64) (*core.Poll, error) {
	return loadPoll(db.read(ctx), campaignID, false)
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
	if tally {
		if err := q.Model(&pollVoterRow{}).Where("campaign_id = ? AND voted = ?", campaignID, true).Count(&ballots).Error; err != nil {
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
// move last, by conditional updates in option order: an option never passes its cap,
// two ballots never wait on each other's options crosswise, and the options' rows,
// which every ballot on them shares, are held only for the end of the transaction.
//
// The campaign's state is read after those updates rather than locked at the start
// (a share lock on one row taken by every ballot is costly on Postgres): a close
// locks every option row before it commits, so a ballot either commits before the
// close or finds the campaign closed.
func (db *DB) Vote(ctx context.Context, campaignID, memberID int64, now time.Time, points int, decide core.BallotFunc) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
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
		var c campaignRow
		if err := tx.Select("id, code, state").Take(&c, campaignID).Error; err != nil {
			return notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
		}
		if core.State(c.State) != core.StateOpen {
			return core.Errorf(core.ECLOSED, "error.campaign_closed", "code", c.Code)
		}
		return nil
	})
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

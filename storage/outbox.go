package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type outboxRow struct {
	ID         int64
	CampaignID int64
	MemberID   *int64
	Platform   string
	SpaceID    *int64
	ChannelID  string
	Locale     string
	Key        string
	Args       string
	Image      string
	OnceKey    *string
	State      string
	Attempts   int
	NextTryAt  time.Time
	LastError  string
	CreatedAt  time.Time
	SentAt     *time.Time
	MessageID  string // the platform's id of the posted message
	ClaimToken string // the lease holder's token while a dispatcher delivers it
}

func (outboxRow) TableName() string { return "outbox_items" }

func (r outboxRow) toCore() core.OutboxItem {
	var args map[string]any
	_ = json.Unmarshal([]byte(r.Args), &args) // written by enqueue, always JSON
	it := core.OutboxItem{
		ID: r.ID, Platform: core.Platform(r.Platform), ChannelID: r.ChannelID, Locale: r.Locale,
		State: core.OutboxState(r.State), Attempts: r.Attempts, NextTryAt: r.NextTryAt, LastError: r.LastError,
		CreatedAt: r.CreatedAt, SentAt: utcPtr(r.SentAt), MessageID: r.MessageID, Claim: r.ClaimToken,
		Announcement: core.Announcement{CampaignID: r.CampaignID, Key: r.Key, Args: args, Image: r.Image},
	}
	if r.MemberID != nil {
		it.MemberID = *r.MemberID
		it.Announcement.MemberID = *r.MemberID
	}
	if r.SpaceID != nil {
		it.SpaceID = *r.SpaceID
	}
	if r.OnceKey != nil {
		it.Announcement.Once = *r.OnceKey
	}
	return it
}

// Enqueue implements core.OutboxStore.
func (db *DB) Enqueue(ctx context.Context, now time.Time, anns ...core.Announcement) error {
	return db.tx(ctx, func(tx *gorm.DB) error { return enqueue(tx, now, anns...) })
}

// enqueue writes one outbox row per destination of each announcement inside tx: the
// member for a private notice, else every channel linked to the campaign. A row whose
// Once key was already queued for that destination is dropped.
func enqueue(tx *gorm.DB, now time.Time, anns ...core.Announcement) error {
	var rows []outboxRow
	links := map[int64][]linkDest{}
	for _, a := range anns {
		args, err := json.Marshal(a.Args)
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", a.Key, err)
		}
		base := outboxRow{CampaignID: a.CampaignID, Key: a.Key, Args: string(args), Image: a.Image,
			State: string(core.OutboxPending), NextTryAt: now.UTC(), CreatedAt: now.UTC()}
		if a.MemberID != 0 {
			var m memberRow
			if err := tx.Take(&m, a.MemberID).Error; err != nil {
				return fmt.Errorf("enqueue %s: member %d: %w", a.Key, a.MemberID, err)
			}
			r := base
			r.MemberID, r.Platform, r.Locale = &m.ID, m.Platform, m.Locale
			r.OnceKey = onceKey(a, fmt.Sprintf("member:%d", m.ID))
			rows = append(rows, r)
			continue
		}
		dests, ok := links[a.CampaignID]
		if !ok {
			if err := tx.Table("channel_links AS l").Select("l.platform, l.space_id, l.channel_id, s.locale").
				Joins("JOIN spaces s ON s.id = l.space_id").Where("l.campaign_id = ?", a.CampaignID).
				Order("l.id").Scan(&dests).Error; err != nil {
				return fmt.Errorf("enqueue %s: links: %w", a.Key, err)
			}
			links[a.CampaignID] = dests
		}
		for _, d := range dests {
			r := base
			sid := d.SpaceID
			r.Platform, r.SpaceID, r.ChannelID, r.Locale = d.Platform, &sid, d.ChannelID, d.Locale
			r.OnceKey = onceKey(a, d.Platform+":"+d.ChannelID)
			rows = append(rows, r)
		}
	}
	rows, err := spendOnceKeys(tx, now, rows)
	if err != nil || len(rows) == 0 {
		return err
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}

// outboxOnceRow records that an announcement's once key was queued. It outlives the
// outbox row it was queued with, which is pruned once sent, so a key is spent for
// good.
type outboxOnceRow struct {
	Key       string
	CreatedAt time.Time
}

func (outboxOnceRow) TableName() string { return "outbox_once" }

// spendOnceKeys records the once key of each row that has one and returns the rows
// to queue: those without a key and those whose key was not spent before. A second
// transaction spending the same key waits for the first and then finds it spent.
func spendOnceKeys(tx *gorm.DB, now time.Time, rows []outboxRow) ([]outboxRow, error) {
	keep := rows[:0]
	for _, r := range rows {
		if r.OnceKey != nil {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&outboxOnceRow{Key: *r.OnceKey, CreatedAt: now.UTC()})
			if res.Error != nil {
				return nil, fmt.Errorf("enqueue %s: once key: %w", r.Key, res.Error)
			}
			if res.RowsAffected == 0 {
				continue
			}
		}
		keep = append(keep, r)
	}
	return keep, nil
}

type linkDest struct {
	Platform  string
	SpaceID   int64
	ChannelID string
	Locale    string
}

// onceKey scopes an announcement's Once value to its campaign and destination, so
// two campaigns posting to one channel never silence each other.
func onceKey(a core.Announcement, dest string) *string {
	if a.Once == "" {
		return nil
	}
	k := fmt.Sprintf("%s|c%d|%s", a.Once, a.CampaignID, dest)
	return &k
}

// Outbox implements core.OutboxStore.
func (db *DB) Outbox(ctx context.Context, state core.OutboxState, limit int) ([]core.OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	var rows []outboxRow
	q := db.read(ctx).Order("id DESC").Limit(limit)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, outboxRow.toCore), nil
}

// claimHeads selects the rows a dispatcher may deliver now on one platform: due
// pending rows that are the oldest pending row of their destination (a channel, or a
// member's private chat: channel "" and the member), whose destination has had no
// post for the pacing gap. A claimed row is pending with next_try_at at its lease's
// end, so it keeps its destination blocked until it is sent, parked, or its lease
// runs out. The heads come from one pass over the platform's pending rows (few, as
// the outbox drains), so the plan stays linear even before the table has
// statistics.
const claimHeads = `SELECT o.id FROM outbox_items o
WHERE o.id IN (SELECT MIN(h.id) FROM outbox_items h WHERE h.platform = ? AND h.state = 'pending'
	GROUP BY h.channel_id, COALESCE(h.member_id, 0))
AND o.next_try_at <= ?
AND NOT EXISTS (SELECT 1 FROM outbox_items s WHERE s.platform = o.platform AND s.state = 'sent' AND s.sent_at > ?
	AND s.channel_id = o.channel_id AND COALESCE(s.member_id, 0) = COALESCE(o.member_id, 0))
ORDER BY o.id LIMIT ?`

// maxErrorText bounds the error kept on a row.
const maxErrorText = 1000

// ClaimOutbox implements core.OutboxStore. On Postgres the selected rows are locked
// with FOR UPDATE SKIP LOCKED, so concurrent dispatchers claim disjoint rows without
// waiting on each other; SQLite's single writer serializes the claim.
func (db *DB) ClaimOutbox(ctx context.Context, platform core.Platform, now time.Time, gap, lease time.Duration, token string, limit int) ([]core.OutboxItem, error) {
	if token == "" {
		return nil, fmt.Errorf("claim outbox: empty token")
	}
	if limit <= 0 {
		limit = 50
	}
	now = now.UTC()
	q := claimHeads
	if db.dialect == Postgres {
		q += " FOR UPDATE OF o SKIP LOCKED"
	}
	var rows []outboxRow
	spaces, members := map[int64]string{}, map[int64]string{}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Raw(q, string(platform), now, now.Add(-gap), limit).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		err := tx.Model(&outboxRow{}).Where("id IN ?", ids).
			Updates(map[string]any{"next_try_at": now.Add(lease), "claim_token": token}).Error
		if err != nil {
			return err
		}
		if err := tx.Where("claim_token = ?", token).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		// the platform's ids of the destinations, for the poster
		var spaceIDs, memberIDs []int64
		for _, r := range rows {
			if r.SpaceID != nil {
				spaceIDs = append(spaceIDs, *r.SpaceID)
			}
			if r.MemberID != nil {
				memberIDs = append(memberIDs, *r.MemberID)
			}
		}
		if err := externalIDs(tx, "spaces", spaceIDs, spaces); err != nil {
			return err
		}
		return externalIDs(tx, "members", memberIDs, members)
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", translate(err))
	}
	out := make([]core.OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
		if r.SpaceID != nil {
			out[i].SpaceExternalID = spaces[*r.SpaceID]
		}
		if r.MemberID != nil {
			out[i].MemberExternalID = members[*r.MemberID]
		}
	}
	return out, nil
}

// externalIDs fills into the platform ids of the given rows of table (spaces or
// members).
func externalIDs(tx *gorm.DB, table string, ids []int64, into map[int64]string) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID         int64
		ExternalID string
	}
	if err := tx.Table(table).Select("id, external_id").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		into[r.ID] = r.ExternalID
	}
	return nil
}

// MarkSent implements core.OutboxStore.
func (db *DB) MarkSent(ctx context.Context, id int64, token, messageID string, now time.Time) (bool, error) {
	var sent []struct {
		Platform, ChannelID, Key, Args string
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`UPDATE outbox_items SET state = ?, sent_at = ?, message_id = ?, claim_token = '', last_error = ''
			WHERE id = ? AND claim_token = ? AND state = ? RETURNING platform, channel_id, "key", args`,
			string(core.OutboxSent), now.UTC(), messageID, id, token, string(core.OutboxPending)).Scan(&sent).Error
		if err != nil || len(sent) != 1 || sent[0].Key != core.IdeaCardKey {
			return err
		}
		// an idea's card: replies to it, and its thread, discuss the idea
		return recordIdeaPost(tx, core.Platform(sent[0].Platform), sent[0].ChannelID, messageID, sent[0].Args, now)
	})
	if err != nil {
		return false, fmt.Errorf("mark sent: %w", translate(err))
	}
	return len(sent) == 1, nil
}

// RetryOutbox implements core.OutboxStore.
func (db *DB) RetryOutbox(ctx context.Context, id int64, token string, next time.Time, reason string, failed bool) error {
	upd := map[string]any{"next_try_at": next.UTC(), "claim_token": "", "last_error": clipError(reason)}
	if failed {
		upd["attempts"] = gorm.Expr("attempts + 1")
	}
	err := db.read(ctx).Model(&outboxRow{}).Where("id = ? AND claim_token = ? AND state = ?", id, token, core.OutboxPending).
		Updates(upd).Error
	if err != nil {
		return fmt.Errorf("retry outbox: %w", translate(err))
	}
	return nil
}

// ParkOutbox implements core.OutboxStore.
func (db *DB) ParkOutbox(ctx context.Context, id int64, token, reason string) error {
	err := db.read(ctx).Model(&outboxRow{}).Where("id = ? AND claim_token = ? AND state = ?", id, token, core.OutboxPending).
		Updates(map[string]any{"state": string(core.OutboxParked), "claim_token": "", "last_error": clipError(reason),
			"attempts": gorm.Expr("attempts + 1")}).Error
	if err != nil {
		return fmt.Errorf("park outbox: %w", translate(err))
	}
	return nil
}

// noticeProbeSQL finds whether a member has a private notice waiting (TakeNotices),
// on the index ix_outbox_pending; noticeProbesPG finds which of a batch of members of
// one platform have one (probeNotices), on the same index.
const (
	noticeProbeSQL = "SELECT id FROM outbox_items WHERE platform = ? AND state = ? AND channel_id = '' AND member_id = ? LIMIT 1"
	noticeProbesPG = "SELECT DISTINCT member_id FROM outbox_items WHERE platform = $1 AND state = $2 AND channel_id = '' AND member_id = ANY($3)"
)

// noticeProbe asks whether a notice waits for a member on a platform.
type noticeProbe struct {
	Platform string
	MemberID int64
}

// probeNotices runs one batch of notice probes, one read a platform in it (all of
// them web members, nearly always), and tells for each whether a notice waits.
func (db *DB) probeNotices(ctx context.Context, ps []noticeProbe) ([]bool, error) {
	ids := map[string][]int64{}
	for _, p := range ps {
		ids[p.Platform] = append(ids[p.Platform], p.MemberID)
	}
	waiting := make(map[noticeProbe]bool)
	for platform, members := range ids {
		err := queryRows(ctx, db.read(ctx), noticeProbesPG, []any{platform, string(core.OutboxPending), members},
			func(rows *sql.Rows) error {
				p := noticeProbe{Platform: platform}
				if err := rows.Scan(&p.MemberID); err != nil {
					return err
				}
				waiting[p] = true
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	out := make([]bool, len(ps))
	for i, p := range ps {
		out[i] = waiting[p]
	}
	return out, nil
}

// TakeNotices implements core.OutboxStore. A cheap read first finds whether any
// notice waits, so a member's every message costs no write transaction (on Postgres,
// the reads of the members writing at the same moment are one statement); the rows
// are then locked (Postgres) or under the one writer (SQLite) and marked sent only if
// still pending, so a concurrent request skips them.
func (db *DB) TakeNotices(ctx context.Context, platform core.Platform, memberID int64, now time.Time, limit int) ([]core.OutboxItem, error) {
	if limit <= 0 {
		limit = 20
	}
	waiting := func(q *gorm.DB) *gorm.DB {
		return q.Where("platform = ? AND state = ? AND channel_id = '' AND member_id = ?",
			string(platform), string(core.OutboxPending), memberID)
	}
	var found bool
	var err error
	if db.noticeProbes != nil {
		found, err = db.noticeProbes.do(ctx, noticeProbe{Platform: string(platform), MemberID: memberID})
	} else {
		// its text is fixed, so it goes round gorm's builder (see queryRows)
		err = queryRows(ctx, db.read(ctx), noticeProbeSQL, []any{string(platform), string(core.OutboxPending), memberID},
			func(*sql.Rows) error { found = true; return nil })
	}
	if err != nil {
		return nil, fmt.Errorf("take notices: %w", translate(err))
	}
	if !found {
		return nil, nil
	}
	var rows []outboxRow
	err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := waiting(forUpdate(tx)).Order("id").Limit(limit).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		return tx.Model(&outboxRow{}).Where("id IN ? AND state = ?", ids, string(core.OutboxPending)).
			Updates(map[string]any{"state": string(core.OutboxSent), "sent_at": now.UTC(), "claim_token": "", "last_error": ""}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("take notices: %w", translate(err))
	}
	out := make([]core.OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
		out[i].State = core.OutboxSent
	}
	return out, nil
}

// clipError bounds the error text kept on a row.
func clipError(s string) string {
	if core.Len(s) <= maxErrorText {
		return s
	}
	return string([]rune(s)[:maxErrorText])
}

package storage

import (
	"context"
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
}

func (outboxRow) TableName() string { return "outbox_items" }

func (r outboxRow) toCore() core.OutboxItem {
	var args map[string]any
	_ = json.Unmarshal([]byte(r.Args), &args) // written by enqueue, always JSON
	it := core.OutboxItem{
		ID: r.ID, Platform: core.Platform(r.Platform), ChannelID: r.ChannelID, Locale: r.Locale,
		State: core.OutboxState(r.State), Attempts: r.Attempts, NextTryAt: r.NextTryAt, LastError: r.LastError,
		CreatedAt: r.CreatedAt, SentAt: utcPtr(r.SentAt), MessageID: r.MessageID,
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
	if len(rows) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
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
	out := make([]core.OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

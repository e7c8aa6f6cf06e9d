package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type spaceRow struct {
	ID         int64
	Platform   string
	ExternalID string
	Title      string
	Locale     string
	TimeZone   string
	Retired    bool
	CreatedAt  time.Time
}

func (spaceRow) TableName() string { return "spaces" }

func (r spaceRow) toCore() *core.Space {
	return &core.Space{ID: r.ID, Platform: core.Platform(r.Platform), ExternalID: r.ExternalID, Title: r.Title,
		Locale: r.Locale, TimeZone: r.TimeZone, Retired: r.Retired, CreatedAt: r.CreatedAt}
}

type memberRow struct {
	ID         int64
	Platform   string
	ExternalID string
	Name       string
	Locale     string
	CreatedAt  time.Time
	New        bool `gorm:"-"` // made by the statement that read it (core.Member.New)
}

func (memberRow) TableName() string { return "members" }

func (r memberRow) toCore() *core.Member {
	return &core.Member{ID: r.ID, Platform: core.Platform(r.Platform), ExternalID: r.ExternalID, Name: r.Name,
		Locale: r.Locale, CreatedAt: r.CreatedAt, New: r.New}
}

type campaignRow struct {
	ID           int64
	Code         string
	CodeFold     *string // the code in lower case, unique; nil for an old twin of another
	Kind         string
	Title        string
	Description  string
	SpaceID      int64
	State        string
	OpensAt      time.Time
	ClosesAt     *time.Time
	DeadlineAt   *time.Time
	TimeZone     string
	Schedule     string
	NextUpdateAt *time.Time
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	EndedAt      *time.Time
}

func (campaignRow) TableName() string { return "campaigns" }

func (r campaignRow) toCore() core.Campaign {
	return core.Campaign{ID: r.ID, Code: r.Code, Kind: core.Kind(r.Kind), Title: r.Title, Description: r.Description,
		SpaceID: r.SpaceID, State: core.State(r.State), OpensAt: r.OpensAt, ClosesAt: utcPtr(r.ClosesAt),
		DeadlineAt: utcPtr(r.DeadlineAt), TimeZone: r.TimeZone, Schedule: r.Schedule, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, EndedAt: utcPtr(r.EndedAt)}
}

func campaignFromCore(c *core.Campaign) campaignRow {
	return campaignRow{ID: c.ID, Code: c.Code, Kind: string(c.Kind), Title: c.Title, Description: c.Description,
		SpaceID: c.SpaceID, State: string(c.State), OpensAt: c.OpensAt.UTC(), ClosesAt: utcPtr(c.ClosesAt),
		DeadlineAt: utcPtr(c.DeadlineAt), TimeZone: c.TimeZone, Schedule: c.Schedule, CreatedBy: c.CreatedBy,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), EndedAt: utcPtr(c.EndedAt)}
}

type channelLinkRow struct {
	ID         int64
	CampaignID int64
	Platform   string
	SpaceID    int64
	ChannelID  string
	CreatedAt  time.Time
}

func (channelLinkRow) TableName() string { return "channel_links" }

func (r channelLinkRow) toCore() core.ChannelLink {
	return core.ChannelLink{ID: r.ID, CampaignID: r.CampaignID, Platform: core.Platform(r.Platform),
		SpaceID: r.SpaceID, ChannelID: r.ChannelID, CreatedAt: r.CreatedAt}
}

// utcPtr returns a copy of t in UTC, keeping nil. Every time is stored in UTC so that
// SQLite's text timestamps compare in order.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// liveStateValues are core.LiveStates as the campaigns table stores them, for a
// query's IN list.
func liveStateValues() []string {
	live := core.LiveStates()
	out := make([]string, len(live))
	for i, s := range live {
		out[i] = string(s)
	}
	return out
}

// UpsertSpace implements core.SpaceStore.
func (db *DB) UpsertSpace(ctx context.Context, ref core.SpaceRef, now time.Time) (*core.Space, error) {
	key := string(ref.Platform) + ":" + ref.ExternalID
	// an empty title means the platform did not say (Discord interactions carry no
	// guild name): keep the one known
	unchanged := func(r spaceRow) bool {
		return (ref.Title == "" || r.Title == ref.Title) && !r.Retired && (ref.Locale == "" || r.Locale != "")
	}
	if r, ok := db.spaces.get(key); ok && unchanged(r) {
		return r.toCore(), nil
	}
	var r spaceRow
	err := db.read(ctx).Where("platform = ? AND external_id = ?", ref.Platform, ref.ExternalID).Take(&r).Error
	if err == nil && unchanged(r) {
		db.spaces.put(key, r)
		return r.toCore(), nil // the common case writes nothing
	}
	row := spaceRow{Platform: string(ref.Platform), ExternalID: ref.ExternalID, Title: ref.Title, Locale: ref.Locale, CreatedAt: now.UTC()}
	updates := []string{"retired"}
	if ref.Title != "" {
		updates = append(updates, "title")
	}
	if r.Locale == "" && ref.Locale != "" {
		updates = append(updates, "locale")
	}
	err = db.read(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns(updates),
	}).Create(&row).Error
	if err != nil {
		return nil, fmt.Errorf("upsert space: %w", translate(err))
	}
	if err := db.read(ctx).Where("platform = ? AND external_id = ?", ref.Platform, ref.ExternalID).Take(&r).Error; err != nil {
		return nil, fmt.Errorf("upsert space: %w", translate(err))
	}
	db.spaces.put(key, r)
	return r.toCore(), nil
}

// RetireSpace implements core.SpaceStore.
func (db *DB) RetireSpace(ctx context.Context, platform core.Platform, externalID string) error {
	db.spaces.drop(string(platform) + ":" + externalID)
	err := db.read(ctx).Model(&spaceRow{}).Where("platform = ? AND external_id = ?", platform, externalID).
		Update("retired", true).Error
	return translate(err)
}

// UpsertMember implements core.SpaceStore. A member seen lately comes from the cache;
// otherwise one statement makes a new member, or renames one, and returns the row. On
// Postgres the members a crowd brings at the same moment share that statement and its
// commit (group commit, as first votes do): the first press of a burst of people the
// bot has never seen costs a share of one commit, not one of its own. Only a known
// member whose name is unchanged takes a second, reading statement.
func (db *DB) UpsertMember(ctx context.Context, ref core.MemberRef, now time.Time) (*core.Member, error) {
	key := string(ref.Platform) + ":" + ref.ExternalID
	if r, ok := db.members.get(key); ok && (ref.Name == "" || r.Name == ref.Name) {
		return r.toCore(), nil
	}
	up := memberUpsert{platform: string(ref.Platform), externalID: ref.ExternalID, name: ref.Name, now: now.UTC()}
	var (
		res memberUpserted
		err error
	)
	if db.newMembers != nil {
		res, err = db.newMembers.do(ctx, up, key)
	} else {
		var out []memberUpserted
		out, err = db.upsertMembers(ctx, []memberUpsert{up})
		if err == nil {
			res = out[0]
		}
	}
	if err == nil && !res.ok {
		// known, and nothing to change
		var rows []memberRow
		err = db.read(ctx).Where("platform = ? AND external_id = ?", ref.Platform, ref.ExternalID).Limit(1).Find(&rows).Error
		if err == nil && len(rows) == 0 {
			err = fmt.Errorf("member %s: no row", key)
		}
		if err == nil {
			res = memberUpserted{row: rows[0], ok: true}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("upsert member: %w", translate(err))
	}
	db.members.put(key, res.row)
	return res.row.toCore(), nil
}

// refOf is the reference a member is found or made by.
func refOf(m *core.Member) core.MemberRef {
	return core.MemberRef{Platform: m.Platform, ExternalID: m.ExternalID, Name: m.Name}
}

// memberKey is the batcher key of a member made by reference: one batch at a time
// makes them.
func memberKey(m *core.Member) string {
	return "member:" + string(m.Platform) + ":" + m.ExternalID
}

// memberArgs are the array arguments of a group-commit statement's members: each
// by id, or, with id 0, by reference, to be found or made with the change
// (memberSQL).
type memberArgs struct {
	ids                           []int64
	platforms, externalIDs, names []string
}

func newMemberArgs(n int) memberArgs {
	return memberArgs{ids: make([]int64, n), platforms: make([]string, n), externalIDs: make([]string, n), names: make([]string, n)}
}

func (a memberArgs) set(i int, id int64, ref core.MemberRef) {
	a.ids[i], a.platforms[i], a.externalIDs[i], a.names[i] = id, string(ref.Platform), ref.ExternalID, ref.Name
}

// enroll makes a member not looked up yet (ID 0), for a change that takes the general
// path, and fills them in.
func (db *DB) enroll(ctx context.Context, m *core.Member, now time.Time) error {
	if m.ID != 0 {
		return nil
	}
	made, err := db.UpsertMember(ctx, refOf(m), now)
	if err != nil {
		return err
	}
	*m = *made
	return nil
}

// knownMember fills in a member not looked up yet (ID 0) from the cache, when it
// holds them under the same name.
func (db *DB) knownMember(m *core.Member) {
	if m.ID != 0 {
		return
	}
	if r, ok := db.members.get(string(m.Platform) + ":" + m.ExternalID); ok && (m.Name == "" || r.Name == m.Name) {
		*m = *r.toCore()
	}
}

// learnMember fills in a member not looked up yet (ID 0) from the row a statement
// found or made for them, and caches it.
func (db *DB) learnMember(m *core.Member, r memberRow) {
	if m.ID != 0 || r.ID == 0 {
		return
	}
	*m = *r.toCore()
	r.New = false // for this request only
	db.members.put(r.Platform+":"+r.ExternalID, r)
}

// memberUpsert is a member to make, or to rename.
type memberUpsert struct {
	platform, externalID, name string
	now                        time.Time
}

// memberUpserted is the row made or renamed; ok is false for a known member whose
// name did not change (the statement returns no row for it).
type memberUpserted struct {
	row memberRow
	ok  bool
}

// upsertMembers makes or renames members in one statement. Requests are distinct
// members (the batcher keeps one request per member in a batch). On Postgres the
// statement takes arrays, so its text, and its prepared plan, are the same for every
// batch size.
func (db *DB) upsertMembers(ctx context.Context, ups []memberUpsert) ([]memberUpserted, error) {
	const conflict = ` ON CONFLICT (platform, external_id) DO UPDATE SET name = excluded.name
		WHERE excluded.name <> '' AND members.name <> excluded.name
		RETURNING id, platform, external_id, name, locale, created_at`
	var rows []memberRow
	var err error
	if db.dialect == Postgres {
		n := len(ups)
		platforms, ids, names, at := make([]string, n), make([]string, n), make([]string, n), make([]time.Time, n)
		for i, u := range ups {
			platforms[i], ids[i], names[i], at[i] = u.platform, u.externalID, u.name, u.now
		}
		g := db.read(ctx)
		if db.lazy != nil {
			// nobody is told of a new member until their first change commits
			// durably, which flushes this row with it
			g = db.lazy.WithContext(ctx)
		}
		err = g.Raw(`INSERT INTO members (platform, external_id, name, locale, created_at)
			SELECT p, e, n, '', t FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS r(p, e, n, t)
			ORDER BY p, e`+conflict,
			platforms, ids, names, at).Scan(&rows).Error
	} else {
		for _, u := range ups {
			var one []memberRow
			if err = db.read(ctx).Raw(`INSERT INTO members (platform, external_id, name, locale, created_at) VALUES (?, ?, ?, '', ?)`+conflict,
				u.platform, u.externalID, u.name, u.now).Scan(&one).Error; err != nil {
				break
			}
			rows = append(rows, one...)
		}
	}
	if err != nil {
		return nil, err
	}
	got := make(map[string]memberRow, len(rows))
	for _, r := range rows {
		got[r.Platform+":"+r.ExternalID] = r
	}
	out := make([]memberUpserted, len(ups))
	for i, u := range ups {
		r, ok := got[u.platform+":"+u.externalID]
		out[i] = memberUpserted{row: r, ok: ok}
	}
	return out, nil
}

type tryoutAdminRow struct {
	Space     string `gorm:"primaryKey"`
	Name      string
	CreatedAt time.Time
}

func (tryoutAdminRow) TableName() string { return "tryout_admins" }

// ClaimTryoutAdmin implements core.SpaceStore: the first claim of a space stays, and
// every claim returns it, on every replica.
func (db *DB) ClaimTryoutAdmin(ctx context.Context, space, name string, now time.Time) (string, error) {
	var row tryoutAdminRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&tryoutAdminRow{Space: space, Name: name, CreatedAt: now.UTC()}).Error
		if err != nil {
			return err
		}
		return tx.Where("space = ?", space).Take(&row).Error
	})
	if err != nil {
		return "", fmt.Errorf("claim try-out admin: %w", translate(err))
	}
	return row.Name, nil
}

// FindMember implements core.SpaceStore.
func (db *DB) FindMember(ctx context.Context, ref core.MemberRef) (*core.Member, error) {
	key := string(ref.Platform) + ":" + ref.ExternalID
	if r, ok := db.members.get(key); ok {
		return r.toCore(), nil
	}
	var rows []memberRow
	err := db.read(ctx).Where("platform = ? AND external_id = ?", ref.Platform, ref.ExternalID).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find member: %w", translate(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	db.members.put(key, rows[0])
	return rows[0].toCore(), nil
}

// Member implements core.SpaceStore.
func (db *DB) Member(ctx context.Context, id int64) (*core.Member, error) {
	var r memberRow
	if err := db.read(ctx).Take(&r, id).Error; err != nil {
		return nil, notFound(err, "error.member_not_found")
	}
	return r.toCore(), nil
}

// SetMemberLocale implements core.SpaceStore.
func (db *DB) SetMemberLocale(ctx context.Context, memberID int64, locale string) error {
	var r memberRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&memberRow{}).Where("id = ?", memberID).Update("locale", locale).Error; err != nil {
			return err
		}
		return tx.Take(&r, memberID).Error
	})
	if err == nil {
		db.members.put(string(r.Platform)+":"+r.ExternalID, r)
	}
	return err
}

// LinkChannel implements core.SpaceStore.
func (db *DB) LinkChannel(ctx context.Context, l core.ChannelLink) (*core.ChannelLink, error) {
	row := channelLinkRow{CampaignID: l.CampaignID, Platform: string(l.Platform), SpaceID: l.SpaceID, ChannelID: l.ChannelID, CreatedAt: l.CreatedAt.UTC()}
	err := db.tx(ctx, func(tx *gorm.DB) error { return linkChannel(tx, &row) })
	if err != nil {
		return nil, err
	}
	out := row.toCore()
	return &out, nil
}

// linkChannel inserts a link unless it exists, and loads the stored row.
func linkChannel(tx *gorm.DB, row *channelLinkRow) error {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error; err != nil {
		return fmt.Errorf("link channel: %w", err)
	}
	return tx.Where("campaign_id = ? AND platform = ? AND channel_id = ?", row.CampaignID, row.Platform, row.ChannelID).Take(row).Error
}

// ChannelLinks implements core.SpaceStore.
func (db *DB) ChannelLinks(ctx context.Context, campaignID int64) ([]core.ChannelLink, error) {
	var rows []channelLinkRow
	if err := db.read(ctx).Where("campaign_id = ?", campaignID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, channelLinkRow.toCore), nil
}

// codeAttempts bounds how often a campaign insert retries with a fresh code.
const codeAttempts = 8

// insertCampaign stores a new campaign and its first channel link inside tx.
func insertCampaign(tx *gorm.DB, c *core.Campaign, link *core.ChannelLink) error {
	row := campaignFromCore(c)
	row.ID = 0
	fold := strings.ToLower(c.Code)
	row.CodeFold = &fold
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	c.ID = row.ID
	if link != nil {
		lr := channelLinkRow{CampaignID: c.ID, Platform: string(link.Platform), SpaceID: link.SpaceID, ChannelID: link.ChannelID, CreatedAt: link.CreatedAt.UTC()}
		if err := linkChannel(tx, &lr); err != nil {
			return err
		}
	}
	return nil
}

// createCampaign runs insert (which must call insertCampaign first) in a transaction,
// retrying with a fresh code when the code is taken: codes are random, and the unique
// index is what makes them never collide.
func (db *DB) createCampaign(ctx context.Context, c *core.Campaign, insert func(tx *gorm.DB) error) error {
	var err error
	for range codeAttempts {
		c.Code = db.newCode()
		err = db.tx(ctx, insert)
		if core.ErrorCode(err) != core.ECONFLICT {
			break
		}
		var taken int64
		if db.read(ctx).Model(&campaignRow{}).Where("code_fold = ?", strings.ToLower(c.Code)).Count(&taken); taken == 0 {
			break // the conflict was something else
		}
	}
	if err != nil {
		c.ID = 0
		return fmt.Errorf("create campaign: %w", err)
	}
	return nil
}

// CreateCampaign implements core.CampaignStore.
func (db *DB) CreateCampaign(ctx context.Context, c *core.Campaign, link *core.ChannelLink) error {
	return db.createCampaign(ctx, c, func(tx *gorm.DB) error { return insertCampaign(tx, c, link) })
}

// Campaign implements core.CampaignStore.
func (db *DB) Campaign(ctx context.Context, id int64) (*core.Campaign, error) {
	var r campaignRow
	if err := db.read(ctx).Take(&r, id).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(id))
	}
	c := r.toCore()
	return &c, nil
}

// CampaignByCode implements core.CampaignStore. A code is found in any letter case:
// its exact spelling first (an old campaign whose code differs from an older one's
// only in case keeps its own), then its folded form, which is unique.
func (db *DB) CampaignByCode(ctx context.Context, code string) (*core.Campaign, error) {
	var r campaignRow
	err := db.read(ctx).Where("code = ?", code).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = db.read(ctx).Where("code_fold = ?", strings.ToLower(code)).Take(&r).Error
	}
	if err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", code)
	}
	c := r.toCore()
	return &c, nil
}

// recentTTL is how long RecentCampaign, PollSettings and FundraiserTerms answer
// from what they read before. During a burst thousands of presses a second share one
// read; a change made through this process shows at once (moved), one made by
// another replica after recentTTL at most, and meanwhile the writes the presses make
// check the campaign's state in the database.
const recentTTL = time.Second

// RecentCampaign implements core.CampaignStore.
func (db *DB) RecentCampaign(ctx context.Context, code string) (*core.Campaign, error) {
	if r, ok := db.campaigns.get(code); ok {
		c := r.toCore()
		return &c, nil
	}
	c, err := db.CampaignByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	db.campaigns.put(code, campaignFromCore(c))
	return c, nil
}

// moved forgets the campaigns RecentCampaign read, after a change of a campaign's
// state, deadline, title or schedule through this process, and returns err.
func (db *DB) moved(err error) error {
	db.campaigns.clear()
	return err
}

// Campaigns implements core.CampaignStore.
func (db *DB) Campaigns(ctx context.Context, f core.CampaignFilter) ([]core.Campaign, error) {
	q := db.read(ctx).Order("id DESC")
	if f.SpaceID != 0 {
		q = q.Where("space_id = ?", f.SpaceID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if len(f.States) > 0 {
		q = q.Where("state IN ?", f.States)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []campaignRow
	if err := q.Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, campaignRow.toCore), nil
}

// TransitionCampaign implements core.CampaignStore.
func (db *DB) TransitionCampaign(ctx context.Context, t core.Transition) error {
	return db.moved(db.tx(ctx, func(tx *gorm.DB) error { return transition(tx, t) }))
}

// transition moves a campaign's state inside tx, only if it is still in t.From, and
// queues t's announcements.
func transition(tx *gorm.DB, t core.Transition) error {
	var kind string
	if err := tx.Model(&campaignRow{}).Where("id = ?", t.CampaignID).Pluck("kind", &kind).Error; err != nil {
		return err
	}
	if !core.CanTransition(core.Kind(kind), t.From, t.To) {
		return core.Errorf(core.ECONFLICT, "error.bad_transition", "from", string(t.From), "to", string(t.To))
	}
	set := map[string]any{"state": string(t.To), "deadline_at": utcPtr(t.NextDeadline), "updated_at": t.At.UTC()}
	if t.To.Final() {
		set["ended_at"] = t.At.UTC()
	}
	res := tx.Model(&campaignRow{}).Where("id = ? AND state = ?", t.CampaignID, t.From).Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return core.Errorf(core.ECONFLICT, "error.campaign_moved")
	}
	if kind == string(core.KindFundraiser) && t.To == core.StateCancelled {
		if err := cancelStars(tx, t.CampaignID, t.At); err != nil {
			return err
		}
	}
	return enqueue(tx, t.At, t.Announcements...)
}

// SetSchedule implements core.CampaignStore.
func (db *DB) SetSchedule(ctx context.Context, campaignID int64, spec string) error {
	defer db.moved(nil)
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&campaignRow{}).Where("id = ?", campaignID).Updates(map[string]any{"schedule": spec, "next_update_at": nil})
		if res.Error == nil && res.RowsAffected == 0 {
			return core.Errorf(core.ENOTFOUND, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
		}
		return res.Error
	})
}

type campaignInviteRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	KeyHash    string
	ExpiresAt  time.Time
}

func (campaignInviteRow) TableName() string { return "campaign_invites" }

// SetLinkKey implements core.CampaignStore.
func (db *DB) SetLinkKey(ctx context.Context, campaignID int64, hash string, until time.Time) error {
	row := campaignInviteRow{CampaignID: campaignID, KeyHash: hash, ExpiresAt: until.UTC()}
	return db.tx(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "campaign_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"key_hash", "expires_at"}),
		}).Create(&row).Error
	})
}

// LinkKey implements core.CampaignStore.
func (db *DB) LinkKey(ctx context.Context, campaignID int64) (string, time.Time, error) {
	var rows []campaignInviteRow
	if err := db.read(ctx).Where("campaign_id = ?", campaignID).Limit(1).Find(&rows).Error; err != nil {
		return "", time.Time{}, err
	}
	if len(rows) == 0 {
		return "", time.Time{}, nil
	}
	return rows[0].KeyHash, rows[0].ExpiresAt, nil
}

// DueCampaigns implements core.CampaignStore.
func (db *DB) DueCampaigns(ctx context.Context, now time.Time, limit int) ([]core.Campaign, error) {
	var rows []campaignRow
	err := db.read(ctx).Where("state IN ? AND deadline_at IS NOT NULL AND deadline_at <= ?",
		liveStateValues(), now.UTC()).
		Order("deadline_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, campaignRow.toCore), nil
}

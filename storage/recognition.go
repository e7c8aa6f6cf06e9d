package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

type recognitionSettingRow struct {
	SpaceID   int64 `gorm:"primaryKey;autoIncrement:false"`
	RoleID    string
	Title     string
	UpdatedAt time.Time
}

func (recognitionSettingRow) TableName() string { return "recognition_settings" }

type recognitionRow struct {
	ID           int64
	CampaignID   int64
	MemberID     int64
	Rank         int
	Score        int
	Measure      string
	SpaceID      *int64
	Action       string
	Value        string
	State        string
	Revoke       string
	Attempts     int
	LastError    string
	NextTryAt    time.Time
	ClaimToken   string
	ClaimedUntil *time.Time
	CreatedAt    time.Time
	GivenAt      *time.Time
	RevokedAt    *time.Time
}

func (recognitionRow) TableName() string { return "recognitions" }

// recognitionNamed is a recognition with its member's name and its campaign.
type recognitionNamed struct {
	ID           int64
	CampaignID   int64
	MemberID     int64
	Rank         int
	Score        int
	Measure      string
	SpaceID      *int64
	Action       string
	Value        string
	State        string
	Revoke       string
	Attempts     int
	LastError    string
	NextTryAt    time.Time
	ClaimToken   string
	ClaimedUntil *time.Time
	CreatedAt    time.Time
	GivenAt      *time.Time
	RevokedAt    *time.Time
	Name         string
	Code         string
	Title        string
}

func (r recognitionNamed) toCore() core.Recognition {
	out := core.Recognition{ID: r.ID, CampaignID: r.CampaignID, Code: r.Code, Title: r.Title, MemberID: r.MemberID,
		Name: r.Name, Rank: r.Rank, Score: r.Score, Measure: core.Measure(r.Measure), Action: r.Action, Value: r.Value,
		State: r.State, Revoke: r.Revoke, LastError: r.LastError, CreatedAt: r.CreatedAt}
	if r.SpaceID != nil {
		out.SpaceID = *r.SpaceID
	}
	return out
}

// decidedAnswers are the answer statuses an accuracy counts: the settled ones.
var decidedAnswers = []string{string(core.TaskAccepted), string(core.TaskOutvoted), string(core.TaskRejected)}

// TopContributors implements core.RecognitionStore: one grouped read of the rows the
// measure counts (the kept standings for points).
func (db *DB) TopContributors(ctx context.Context, campaignID int64, m core.Measure, minDecided, limit int) ([]core.Contributor, error) {
	var rows []struct {
		MemberID int64
		Platform string
		Name     string
		Score    int
		Decided  int
	}
	q := db.read(ctx)
	switch m {
	case core.MeasurePoints:
		q = q.Table("standings s").Select("s.member_id, m.platform, m.name, s.points AS score").
			Joins("JOIN members m ON m.id = s.member_id").Where("s.campaign_id = ? AND s.points > 0", campaignID).
			Order("s.points DESC, s.member_id")
	case core.MeasureAcceptedIdeas:
		statuses := make([]string, len(core.AcceptedIdeaStatuses))
		for i, s := range core.AcceptedIdeaStatuses {
			statuses[i] = string(s)
		}
		q = q.Table("ideas i").Select("i.author_id AS member_id, m.platform, m.name, COUNT(*) AS score").
			Joins("JOIN members m ON m.id = i.author_id").
			Where("i.campaign_id = ? AND i.status IN ? AND i.merged_into IS NULL AND i.hidden = ?", campaignID, statuses, false).
			Group("i.author_id, m.platform, m.name").Order("score DESC, i.author_id")
	case core.MeasureWins:
		// the prize first, then entries used and paid
		q = q.Table("contest_awards a").Select("a.member_id, m.platform, m.name, COUNT(*) AS score").
			Joins("JOIN members m ON m.id = a.member_id").Where("a.campaign_id = ?", campaignID).
			Group("a.member_id, m.platform, m.name").
			Order("SUM(CASE WHEN a.reason = '" + core.AwardPrize + "' THEN 1 ELSE 0 END) DESC, score DESC, a.member_id")
	case core.MeasureAccuracy:
		accepted := "SUM(CASE WHEN t.status = 'accepted' THEN 1 ELSE 0 END)"
		q = q.Table("task_answers t").
			Select("t.member_id, m.platform, m.name, "+accepted+" * 100 / COUNT(*) AS score, COUNT(*) AS decided").
			Joins("JOIN members m ON m.id = t.member_id").Where("t.campaign_id = ? AND t.status IN ?", campaignID, decidedAnswers).
			Group("t.member_id, m.platform, m.name").
			Having("COUNT(*) >= ? AND "+accepted+" > 0", max(minDecided, 1)).
			Order("score DESC, " + accepted + " DESC, t.member_id")
	default:
		return nil, fmt.Errorf("top contributors: unknown measure %q", m)
	}
	if err := q.Limit(limit).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]core.Contributor, len(rows))
	for i, r := range rows {
		out[i] = core.Contributor{MemberID: r.MemberID, Platform: core.Platform(r.Platform), Name: r.Name, Score: r.Score, Of: r.Decided}
	}
	return out, nil
}

// SetRecognitionSetting implements core.RecognitionStore.
func (db *DB) SetRecognitionSetting(ctx context.Context, s core.RecognitionSetting) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		if s.RoleID == "" && s.Title == "" {
			return tx.Delete(&recognitionSettingRow{}, "space_id = ?", s.SpaceID).Error
		}
		row := recognitionSettingRow{SpaceID: s.SpaceID, RoleID: s.RoleID, Title: s.Title, UpdatedAt: s.UpdatedAt.UTC()}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "space_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"role_id", "title", "updated_at"})}).Create(&row).Error
	})
}

type recognitionSettingNamed struct {
	SpaceID    int64
	Platform   string
	ExternalID string
	RoleID     string
	Title      string
	UpdatedAt  time.Time
}

func (r recognitionSettingNamed) toCore() core.RecognitionSetting {
	return core.RecognitionSetting{SpaceID: r.SpaceID, Platform: core.Platform(r.Platform), SpaceExternalID: r.ExternalID,
		RoleID: r.RoleID, Title: r.Title, UpdatedAt: r.UpdatedAt}
}

// RecognitionSetting implements core.RecognitionStore.
func (db *DB) RecognitionSetting(ctx context.Context, spaceID int64) (*core.RecognitionSetting, error) {
	var rows []recognitionSettingNamed
	err := db.read(ctx).Table("spaces sp").
		Select("sp.id AS space_id, sp.platform, sp.external_id, COALESCE(rs.role_id, '') AS role_id, COALESCE(rs.title, '') AS title, rs.updated_at").
		Joins("LEFT JOIN recognition_settings rs ON rs.space_id = sp.id").Where("sp.id = ?", spaceID).Limit(1).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "error.not_found")
	}
	s := rows[0].toCore()
	return &s, nil
}

// RecognitionSpaces implements core.RecognitionStore.
func (db *DB) RecognitionSpaces(ctx context.Context, campaignID int64) ([]core.RecognitionSetting, error) {
	var owner int64
	if err := db.read(ctx).Table("campaigns").Select("space_id").Where("id = ?", campaignID).Scan(&owner).Error; err != nil {
		return nil, translate(err)
	}
	var rows []recognitionSettingNamed
	err := db.read(ctx).Table("recognition_settings rs").
		Select("rs.space_id, sp.platform, sp.external_id, rs.role_id, rs.title, rs.updated_at").
		Joins("JOIN spaces sp ON sp.id = rs.space_id").
		Where("NOT sp.retired AND (rs.space_id = ? OR rs.space_id IN (SELECT space_id FROM channel_links WHERE campaign_id = ?))", owner, campaignID).
		Order(fmt.Sprintf("CASE WHEN rs.space_id = %d THEN 0 ELSE 1 END, rs.space_id", owner)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]core.RecognitionSetting, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// Recognize implements core.RecognitionStore. The unique key on (campaign, member)
// is what makes a recognition once: a second insert, from a repeated command or a
// replica's close at the same moment, does nothing.
func (db *DB) Recognize(ctx context.Context, c *core.Campaign, recs []core.Recognition, now time.Time) ([]core.Recognition, error) {
	var added []core.Recognition
	err := db.tx(ctx, func(tx *gorm.DB) error {
		added = added[:0]
		now := now.UTC()
		for _, r := range recs {
			row := recognitionRow{CampaignID: c.ID, MemberID: r.MemberID, Rank: r.Rank, Score: r.Score, Measure: string(r.Measure),
				Action: r.Action, Value: r.Value, State: r.State, NextTryAt: now, CreatedAt: now}
			if r.SpaceID != 0 {
				sid := r.SpaceID
				row.SpaceID = &sid
			}
			if r.State == core.GrantGiven {
				row.GivenAt = &now
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				r.ID, r.CampaignID, r.CreatedAt = row.ID, c.ID, now
				added = append(added, r)
			}
		}
		// a grant the platform refused is given another try; its reason stays until
		// the grant is given
		if err := tx.Model(&recognitionRow{}).
			Where("campaign_id = ? AND state = ? AND revoke = ?", c.ID, core.GrantFailed, core.RevokeNone).
			Updates(map[string]any{"state": core.GrantPending, "attempts": 0, "next_try_at": now}).Error; err != nil {
			return err
		}
		if err := rotateOut(tx, c, len(added) > 0, now); err != nil {
			return err
		}
		// a member who holds the same grant from an earlier campaign keeps it: there
		// is nothing to give
		return tx.Exec(`UPDATE recognitions SET state = ?, given_at = ?
			WHERE campaign_id = ? AND state = ? AND EXISTS (SELECT 1 FROM recognitions o
				WHERE o.campaign_id <> recognitions.campaign_id AND o.member_id = recognitions.member_id
				AND o.space_id = recognitions.space_id AND o.action = recognitions.action AND o.value = recognitions.value
				AND o.state = ? AND o.revoke = ?)`,
			core.GrantGiven, now, c.ID, core.GrantPending, core.GrantGiven, core.RevokeKept).Error
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// rotateOut makes c the campaign whose grants stand in its space and kind, when it
// recognized anyone new (a repeat rotates nothing), older or newer than the others:
// the latest to recognize stands. c's own grants that an earlier rotation took, or
// was taking, back stand again (those taken are given again); the other campaigns'
// grants are to be taken back, unless c gives the same member the same thing; grants
// being carried out right now are left to the next rotation.
func rotateOut(tx *gorm.DB, c *core.Campaign, recognizedNew bool, now time.Time) error {
	if !recognizedNew {
		return nil
	}
	err := tx.Exec(`UPDATE recognitions SET
				state = CASE WHEN revoke = ? THEN ? ELSE state END,
				attempts = CASE WHEN revoke = ? THEN 0 ELSE attempts END,
				revoke = ?, next_try_at = ?
			WHERE campaign_id = ? AND action <> '' AND revoke IN (?, ?, ?) AND (claimed_until IS NULL OR claimed_until <= ?)`,
		core.RevokeDone, core.GrantPending, core.RevokeDone, core.RevokeNone, now,
		c.ID, core.RevokePending, core.RevokeDone, core.RevokeKept, now).Error
	if err != nil {
		return err
	}
	return tx.Exec(`UPDATE recognitions SET
				revoke = CASE
					WHEN EXISTS (SELECT 1 FROM recognitions n WHERE n.campaign_id = ? AND n.member_id = recognitions.member_id
						AND n.space_id = recognitions.space_id AND n.action = recognitions.action AND n.value = recognitions.value) THEN ?
					WHEN state = ? THEN ?
					ELSE ? END,
				next_try_at = ?
			WHERE campaign_id IN (SELECT id FROM campaigns WHERE space_id = ? AND kind = ? AND id <> ?)
				AND action <> '' AND revoke IN (?, ?) AND (claimed_until IS NULL OR claimed_until <= ?)`,
		c.ID, core.RevokeKept, core.GrantGiven, core.RevokePending, core.RevokeDone, now,
		c.SpaceID, string(c.Kind), c.ID, core.RevokeNone, core.RevokePending, now).Error
}

// recognitionsNamed selects recognitions with their member's name and campaign.
func (db *DB) recognitionsNamed(ctx context.Context) *gorm.DB {
	return db.read(ctx).Table("recognitions r").Select("r.*, m.name, c.code, c.title").
		Joins("JOIN members m ON m.id = r.member_id").Joins("JOIN campaigns c ON c.id = r.campaign_id")
}

// Recognitions implements core.RecognitionStore.
func (db *DB) Recognitions(ctx context.Context, campaignID int64) ([]core.Recognition, error) {
	var rows []recognitionNamed
	if err := db.recognitionsNamed(ctx).Where("r.campaign_id = ?", campaignID).Order("r.rank, r.id").Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return recognitionsToCore(rows), nil
}

// MemberRecognitions implements core.RecognitionStore.
func (db *DB) MemberRecognitions(ctx context.Context, memberID int64) ([]core.Recognition, error) {
	var rows []recognitionNamed
	if err := db.recognitionsNamed(ctx).Where("r.member_id = ? AND r.revoke = ?", memberID, core.RevokeNone).
		Order("r.campaign_id DESC").Limit(core.MaxProfileStandings).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return recognitionsToCore(rows), nil
}

func recognitionsToCore(rows []recognitionNamed) []core.Recognition {
	return mapRows(rows, recognitionNamed.toCore)
}

// ClaimRecognitionWork implements core.RecognitionStore: candidates are read, then
// each is claimed by a conditional update, so that two dispatchers never both hold
// one.
func (db *DB) ClaimRecognitionWork(ctx context.Context, platform core.Platform, now time.Time, lease time.Duration, token string, limit int) ([]core.RecognitionWork, error) {
	now = now.UTC()
	var rows []struct {
		ID             int64
		CampaignID     int64
		MemberID       int64
		Rank           int
		Score          int
		Measure        string
		SpaceID        *int64
		Action         string
		Value          string
		State          string
		Revoke         string
		Attempts       int
		LastError      string
		NextTryAt      time.Time
		ClaimToken     string
		ClaimedUntil   *time.Time
		CreatedAt      time.Time
		GivenAt        *time.Time
		RevokedAt      *time.Time
		SpaceExternal  string
		MemberExternal string
	}
	err := db.read(ctx).Table("recognitions r").
		Select("r.*, sp.external_id AS space_external, m.external_id AS member_external").
		Joins("JOIN spaces sp ON sp.id = r.space_id").Joins("JOIN members m ON m.id = r.member_id").
		Where("sp.platform = ? AND r.next_try_at <= ? AND (r.claimed_until IS NULL OR r.claimed_until <= ?)", string(platform), now, now).
		Where("(r.state = ? AND r.revoke = ?) OR (r.state = ? AND r.revoke = ?)", core.GrantGiven, core.RevokePending, core.GrantPending, core.RevokeNone).
		Order("CASE WHEN r.revoke = '" + core.RevokePending + "' THEN 0 ELSE 1 END, r.id").
		Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	until := now.Add(lease)
	var out []core.RecognitionWork
	for _, r := range rows {
		res := db.read(ctx).Model(&recognitionRow{}).
			Where("id = ? AND state = ? AND revoke = ? AND (claimed_until IS NULL OR claimed_until <= ?)", r.ID, r.State, r.Revoke, now).
			Updates(map[string]any{"claim_token": token, "claimed_until": until})
		if res.Error != nil {
			return out, translate(res.Error)
		}
		if res.RowsAffected == 1 {
			out = append(out, core.RecognitionWork{ID: r.ID, CampaignID: r.CampaignID, MemberID: r.MemberID,
				Take: r.Revoke == core.RevokePending, Platform: platform, SpaceExternalID: r.SpaceExternal,
				MemberExternalID: r.MemberExternal, Action: r.Action, Value: r.Value, Attempts: r.Attempts, Claim: token})
		}
	}
	return out, nil
}

// FinishRecognitionWork implements core.RecognitionStore.
func (db *DB) FinishRecognitionWork(ctx context.Context, w core.RecognitionWork, errKey string, final bool, next time.Time, notice *core.Announcement, now time.Time) (bool, error) {
	now = now.UTC()
	upd := map[string]any{"claim_token": "", "claimed_until": nil}
	switch {
	case errKey == "" && w.Take:
		upd["revoke"], upd["revoked_at"], upd["last_error"] = core.RevokeDone, now, ""
	case errKey == "":
		upd["state"], upd["given_at"], upd["last_error"] = core.GrantGiven, now, ""
	default:
		upd["attempts"], upd["last_error"], upd["next_try_at"] = gorm.Expr("attempts + 1"), errKey, next.UTC()
		if final && w.Take {
			upd["revoke"] = core.RevokeFailed
		} else if final {
			upd["state"] = core.GrantFailed
		}
	}
	ok := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&recognitionRow{}).Where("id = ? AND claim_token = ?", w.ID, w.Claim).Updates(upd)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		ok = true
		if notice != nil {
			return enqueue(tx, now, *notice)
		}
		return nil
	})
	return ok, err
}

// ProfileStats implements core.RecognitionStore: the member's kept standings with
// their rank in each campaign, and three counts.
func (db *DB) ProfileStats(ctx context.Context, memberID int64) (*core.ProfileStats, error) {
	st := &core.ProfileStats{}
	var rows []struct {
		CampaignID int64
		Code       string
		Title      string
		Kind       string
		State      string
		Points     int
		Rank       int
	}
	err := db.read(ctx).Table("standings s").
		Select("s.campaign_id, c.code, c.title, c.kind, c.state, s.points, "+
			"(SELECT COUNT(*) FROM standings o WHERE o.campaign_id = s.campaign_id AND o.points > s.points) + 1 AS rank").
		Joins("JOIN campaigns c ON c.id = s.campaign_id").Where("s.member_id = ? AND s.points > 0", memberID).
		Order("s.campaign_id DESC").Limit(core.MaxProfileStandings).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		st.Standings = append(st.Standings, core.ProfileStanding{CampaignID: r.CampaignID, Code: r.Code, Title: r.Title,
			Kind: core.Kind(r.Kind), State: core.State(r.State), Points: r.Points, Rank: r.Rank})
	}
	statuses := make([]string, len(core.AcceptedIdeaStatuses))
	for i, s := range core.AcceptedIdeaStatuses {
		statuses[i] = string(s)
	}
	var counts struct {
		Points  int
		Ideas   int
		Wins    int
		Answers int
	}
	err = db.read(ctx).Raw(`SELECT
			(SELECT COALESCE(SUM(points), 0) FROM standings WHERE member_id = ?) AS points,
			(SELECT COUNT(*) FROM ideas WHERE author_id = ? AND status IN ? AND merged_into IS NULL) AS ideas,
			(SELECT COUNT(*) FROM contest_awards WHERE member_id = ? AND reason = ?) AS wins,
			(SELECT COUNT(*) FROM task_answers WHERE member_id = ? AND status = ?) AS answers`,
		memberID, memberID, statuses, memberID, core.AwardPrize, memberID, string(core.TaskAccepted)).Scan(&counts).Error
	if err != nil {
		return nil, translate(err)
	}
	st.Points, st.AcceptedIdeas, st.ContestWins, st.AcceptedAnswers = counts.Points, counts.Ideas, counts.Wins, counts.Answers
	return st, nil
}

package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"crowdbot/core"
)

// Entry votes: core decides who may vote for an entry and when (mayVoteFor in
// core/contest_vote.go). The store enforces, when the vote is written, what
// concurrency could break since: one vote per member per round (the primary key of
// contest_votes), never for one's own entry (a check constraint on the author the
// vote row carries), the round still open and the entry still competing in it
// (checked under locks in the vote's transaction), and the entries' counts moving
// with the vote.

type contestRow struct {
	CampaignID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Type           string
	PrizeAmount    int64
	PrizeCurrency  string
	PerMember      int
	Blind          bool
	Judging        string
	Finalists      int
	EntriesCloseAt time.Time
	FinalAt        *time.Time
	Round          int
	WinnerEntryID  *int64
}

func (contestRow) TableName() string { return "contests" }

func (r contestRow) toCore() *core.Contest {
	return &core.Contest{CampaignID: r.CampaignID, Type: core.ContestType(r.Type),
		Prize: core.Money{Amount: r.PrizeAmount, Currency: r.PrizeCurrency}, PerMember: r.PerMember, Blind: r.Blind,
		Judging: core.Judging(r.Judging), Finalists: r.Finalists, EntriesCloseAt: r.EntriesCloseAt.UTC(),
		FinalAt: utcPtr(r.FinalAt), Round: r.Round, WinnerEntryID: r.WinnerEntryID}
}

type entryRow struct {
	ID           int64
	CampaignID   int64
	Number       int64
	AuthorID     int64
	Title        string
	Kind         string
	Text         string
	Link         string
	FilePlatform string
	FileID       string
	FileURL      string
	FileName     string
	ContentType  string
	FileSize     int64
	Width        int
	Height       int
	Status       string
	Reason       string
	Finalist     bool
	Votes        int
	FinalVotes   int
	CreatedAt    time.Time
}

func (entryRow) TableName() string { return "contest_entries" }

func entryFromCore(e *core.Entry) entryRow {
	r := entryRow{ID: e.ID, CampaignID: e.CampaignID, Number: e.Number, AuthorID: e.AuthorID, Title: e.Title, Kind: string(e.Kind),
		Text: e.Text, Link: e.Link, Status: string(e.Status), Reason: e.Reason, Finalist: e.Finalist, Votes: e.Votes,
		FinalVotes: e.FinalVotes, CreatedAt: e.CreatedAt.UTC()}
	if f := e.File; f != nil {
		r.FilePlatform, r.FileID, r.FileURL, r.FileName, r.ContentType = string(f.Platform), f.FileID, f.URL, f.Name, f.ContentType
		r.FileSize, r.Width, r.Height = f.Size, f.Width, f.Height
	}
	return r
}

func (r entryRow) toCore() core.Entry {
	e := core.Entry{ID: r.ID, CampaignID: r.CampaignID, Number: r.Number, AuthorID: r.AuthorID, Title: r.Title, Kind: core.EntryKind(r.Kind),
		Text: r.Text, Link: r.Link, Status: core.EntryStatus(r.Status), Reason: r.Reason, Finalist: r.Finalist,
		Votes: r.Votes, FinalVotes: r.FinalVotes, CreatedAt: r.CreatedAt.UTC()}
	if r.FilePlatform != "" {
		e.File = &core.EntryFile{Platform: core.Platform(r.FilePlatform), FileID: r.FileID, URL: r.FileURL, Name: r.FileName,
			ContentType: r.ContentType, Size: r.FileSize, Width: r.Width, Height: r.Height}
	}
	return e
}

// entryRead is an entry with its author and its payment, as every read returns it.
type entryRead struct {
	Row           entryRow `gorm:"embedded"`
	AuthorName    string
	AuthorRef     string
	AwardReason   *string
	AwardAmount   *int64
	AwardCurrency *string
}

func (r entryRead) toCore() core.Entry {
	e := r.Row.toCore()
	e.AuthorName = r.AuthorName
	if r.AwardReason != nil && r.AwardAmount != nil && r.AwardCurrency != nil {
		e.Award, e.Payout = *r.AwardReason, core.Money{Amount: *r.AwardAmount, Currency: *r.AwardCurrency}
	}
	return e
}

// entries starts a query of a contest's entries as entryReads, aliased e.
func entries(q *gorm.DB) *gorm.DB {
	return q.Table("contest_entries e").
		Select("e.*, m.name AS author_name, m.platform || ':' || m.external_id AS author_ref, " +
			"a.reason AS award_reason, a.amount AS award_amount, a.currency AS award_currency").
		Joins("JOIN members m ON m.id = e.author_id").
		Joins("LEFT JOIN contest_awards a ON a.entry_id = e.id")
}

// active narrows q (aliased e) to a contest's active entries that f selects.
func active(q *gorm.DB, campaignID int64, f core.EntryFilter) *gorm.DB {
	q = q.Where("e.campaign_id = ? AND e.status = ?", campaignID, string(core.EntryActive))
	if f.AuthorID != 0 {
		q = q.Where("e.author_id = ?", f.AuthorID)
	}
	if f.Finalists {
		q = q.Where("e.finalist = ?", true)
	}
	return q
}

// tally names the column of a round's votes.
func tally(round int) string {
	if round == 2 {
		return "final_votes"
	}
	return "votes"
}

// readEntry loads an entryRead by id in q (a transaction or a plain session).
func readEntry(q *gorm.DB, id int64) (*core.Entry, error) {
	var r entryRead
	res := entries(q).Where("e.id = ?", id).Limit(1).Scan(&r)
	if res.Error != nil {
		return nil, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "error.entry_not_found", "id", id)
	}
	e := r.toCore()
	return &e, nil
}

type entrantRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	MemberID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Entries    int
}

func (entrantRow) TableName() string { return "contest_entrants" }

type contestVoteRow struct {
	CampaignID int64 `gorm:"primaryKey;autoIncrement:false"`
	Round      int   `gorm:"primaryKey;autoIncrement:false"`
	MemberID   int64 `gorm:"primaryKey;autoIncrement:false"`
	EntryID    int64
	AuthorID   int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (contestVoteRow) TableName() string { return "contest_votes" }

type awardRow struct {
	ID         int64
	CampaignID int64
	EntryID    int64
	MemberID   int64
	Reason     string
	Amount     int64
	Currency   string
	CreatedAt  time.Time
}

func (awardRow) TableName() string { return "contest_awards" }

// CreateContest implements core.ContestStore.
func (db *DB) CreateContest(ctx context.Context, c *core.Campaign, k *core.Contest, link *core.ChannelLink) error {
	return db.createCampaign(ctx, c, func(tx *gorm.DB) error {
		if err := insertCampaign(tx, c, link); err != nil {
			return err
		}
		row := contestRow{CampaignID: c.ID, Type: string(k.Type), PrizeAmount: k.Prize.Amount, PrizeCurrency: k.Prize.Currency,
			PerMember: k.PerMember, Blind: k.Blind, Judging: string(k.Judging), Finalists: k.Finalists,
			EntriesCloseAt: k.EntriesCloseAt.UTC(), FinalAt: utcPtr(k.FinalAt), Round: 1}
		return tx.Create(&row).Error
	})
}

// Contest implements core.ContestStore.
func (db *DB) Contest(ctx context.Context, campaignID int64) (*core.Contest, error) {
	var r contestRow
	if err := db.read(ctx).Where("campaign_id = ?", campaignID).Take(&r).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	return r.toCore(), nil
}

// AddEntry implements core.ContestStore. The entry window is checked against the
// campaign's state (under a share lock) and the entry's own time; the per-member
// limit is a conditional update of the member's counter row, so concurrent entries
// from one member never pass it.
func (db *DB) AddEntry(ctx context.Context, e *core.Entry, points int) error {
	row := entryFromCore(e)
	row.ID = 0
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := checkLive(tx, e.CampaignID, core.StateOpen); err != nil {
			if ce := core.AsError(err); ce != nil && ce.Code == core.ECLOSED {
				return core.Errorf(core.ECLOSED, "error.entries_closed", "code", ce.Args["code"])
			}
			return err
		}
		var k contestRow
		if err := tx.Where("campaign_id = ?", e.CampaignID).Take(&k).Error; err != nil {
			return err
		}
		if !e.CreatedAt.Before(k.EntriesCloseAt) {
			var code string
			tx.Model(&campaignRow{}).Where("id = ?", e.CampaignID).Pluck("code", &code)
			return core.Errorf(core.ECLOSED, "error.entries_closed", "code", code)
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&entrantRow{CampaignID: e.CampaignID, MemberID: e.AuthorID}).Error; err != nil {
			return err
		}
		res := tx.Model(&entrantRow{}).Where("campaign_id = ? AND member_id = ? AND entries < ?", e.CampaignID, e.AuthorID, k.PerMember).
			Update("entries", gorm.Expr("entries + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ELIMIT, "error.entry_limit", "count", k.PerMember)
		}
		var err error
		if row.Number, err = nextNumber(tx, e.CampaignID, counterEntry); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := participate(tx, e.CampaignID, e.AuthorID, e.CreatedAt); err != nil {
			return err
		}
		return award(tx, e.CampaignID, e.AuthorID, core.PointsEntry, points, e.CreatedAt)
	})
	if err != nil {
		return err
	}
	e.ID, e.Number = row.ID, row.Number
	return nil
}

// Entry implements core.ContestStore.
func (db *DB) Entry(ctx context.Context, id int64) (*core.Entry, error) {
	return readEntry(db.read(ctx), id)
}

// EntryAt implements core.ContestStore.
func (db *DB) EntryAt(ctx context.Context, campaignID int64, f core.EntryFilter, index int) (*core.Entry, int, error) {
	var total int64
	if err := active(db.read(ctx).Table("contest_entries e"), campaignID, f).Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	if index < 0 || int64(index) >= total {
		return nil, int(total), nil
	}
	var r entryRead
	res := active(entries(db.read(ctx)), campaignID, f).Order("e.id").Offset(index).Limit(1).Scan(&r)
	if res.Error != nil {
		return nil, 0, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, int(total), nil
	}
	e := r.toCore()
	return &e, int(total), nil
}

// Entries implements core.ContestStore.
func (db *DB) Entries(ctx context.Context, campaignID int64, f core.EntryFilter, limit int) ([]core.Entry, int, error) {
	var total int64
	if err := active(db.read(ctx).Table("contest_entries e"), campaignID, f).Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var rows []entryRead
	if err := active(entries(db.read(ctx)), campaignID, f).Order("e.id").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	return mapRows(rows, entryRead.toCore), int(total), nil
}

// checkVoting fails with ECLOSED unless the entry's contest is voting and its round
// is still open at now; it returns the contest's campaign id and round. Like
// checkLive, it holds a share lock on the campaign row (Postgres), so a close or a
// new round cannot commit in between. One statement: it runs in every vote.
func checkVoting(tx *gorm.DB, entryID int64, now time.Time) (int64, int, error) {
	var c struct {
		ID         int64
		Code       string
		State      string
		DeadlineAt *time.Time
		Round      int
	}
	res := tx.Table("contest_entries e").Select("c.id, c.code, c.state, c.deadline_at, k.round").
		Joins("JOIN campaigns c ON c.id = e.campaign_id").Joins("JOIN contests k ON k.campaign_id = c.id").
		Where("e.id = ?", entryID).Clauses(clause.Locking{Strength: "SHARE", Table: clause.Table{Name: "c"}}).
		Limit(1).Scan(&c)
	if res.Error != nil {
		return 0, 0, res.Error
	}
	if res.RowsAffected == 0 {
		return 0, 0, core.Errorf(core.ENOTFOUND, "error.entry_not_found", "id", entryID)
	}
	if core.State(c.State) != core.StateVoting || c.DeadlineAt == nil || !c.DeadlineAt.After(now) {
		return 0, 0, core.Errorf(core.ECLOSED, "error.contest_not_voting", "code", c.Code)
	}
	return c.ID, c.Round, nil
}

// CastEntryVote implements core.ContestStore. The primary key (contest, round,
// member) allows one vote per member and round; a change rewrites that row only if it
// still points where it did, and both entries' counts move in the same transaction
// under row locks taken in id order, so counts are exact under any concurrency. The
// vote row carries the entry's author, and a check constraint refuses it when that
// is the voter (ownVote). The round is checked open at now under a share lock on
// the campaign (checkVoting), and the entry, under its row lock, still competing in
// it: a disqualification or the final round may have come since core decided.
func (db *DB) CastEntryVote(ctx context.Context, entryID, memberID int64, now time.Time, points int) (*core.EntryVote, error) {
	out := &core.EntryVote{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		campaignID, round, err := checkVoting(tx, entryID, now)
		if err != nil {
			return err
		}
		out.Round = round
		var prev contestVoteRow
		found := tx.Where("campaign_id = ? AND round = ? AND member_id = ?", campaignID, round, memberID).Limit(1).Find(&prev)
		if found.Error != nil {
			return found.Error
		}
		if found.RowsAffected > 0 && prev.EntryID == entryID {
			return core.Errorf(core.ECONFLICT, "error.entry_already_voted", "id", entryNumber(tx, entryID))
		}
		ids := []int64{entryID}
		if found.RowsAffected > 0 {
			ids = append(ids, prev.EntryID)
			slices.Sort(ids)
		}
		var locked []entryRow
		if err := forUpdate(tx).Where("id IN ?", ids).Order("id").Find(&locked).Error; err != nil {
			return err
		}
		i := slices.IndexFunc(locked, func(r entryRow) bool { return r.ID == entryID })
		if i < 0 || locked[i].CampaignID != campaignID {
			return core.Errorf(core.ENOTFOUND, "error.entry_not_found", "id", entryID)
		}
		if locked[i].Status != string(core.EntryActive) {
			return core.Errorf(core.ENOTFOUND, "error.entry_not_found", "id", locked[i].Number)
		}
		target := locked[i]
		if round == 2 && !target.Finalist {
			return core.Errorf(core.EINVALID, "error.entry_not_finalist", "id", target.Number)
		}
		col := tally(round)
		if found.RowsAffected > 0 {
			res := tx.Model(&contestVoteRow{}).
				Where("campaign_id = ? AND round = ? AND member_id = ? AND entry_id = ?", campaignID, round, memberID, prev.EntryID).
				Updates(map[string]any{"entry_id": entryID, "author_id": target.AuthorID, "updated_at": now.UTC()})
			if res.Error != nil {
				return ownVote(res.Error)
			}
			if res.RowsAffected == 0 {
				return core.Errorf(core.ECONFLICT, "error.conflict")
			}
			if err := tx.Model(&entryRow{}).Where("id = ? AND "+col+" > 0", prev.EntryID).Update(col, gorm.Expr(col+" - 1")).Error; err != nil {
				return err
			}
			out.Previous = prev.EntryID
		} else {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&contestVoteRow{CampaignID: campaignID, Round: round,
				MemberID: memberID, EntryID: entryID, AuthorID: target.AuthorID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()})
			if res.Error != nil {
				return ownVote(res.Error)
			}
			if res.RowsAffected == 0 {
				// the same member voted at this very moment from elsewhere
				var again contestVoteRow
				tx.Where("campaign_id = ? AND round = ? AND member_id = ?", campaignID, round, memberID).Limit(1).Find(&again)
				if again.EntryID == entryID {
					return core.Errorf(core.ECONFLICT, "error.entry_already_voted", "id", target.Number)
				}
				return core.Errorf(core.ECONFLICT, "error.conflict")
			}
			if err := participate(tx, campaignID, memberID, now); err != nil {
				return err
			}
			if err := award(tx, campaignID, memberID, core.PointsVote, points, now); err != nil {
				return err
			}
		}
		// the row is locked: its count read above is current
		out.Votes = target.toCore().Tally(round) + 1
		return tx.Model(&entryRow{}).Where("id = ?", entryID).Update(col, gorm.Expr(col+" + 1")).Error
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ownVote turns the check constraint that refuses a vote for one's own entry
// (ck_contest_votes_self, the one check a contest_votes write can break) into its
// reason.
func ownVote(err error) error {
	if violatesCheck(err, "ck_contest_votes_self") {
		return core.Errorf(core.EFORBIDDEN, "error.entry_own_vote")
	}
	return err
}

// MemberEntryVote implements core.ContestStore.
func (db *DB) MemberEntryVote(ctx context.Context, campaignID int64, round int, memberID int64) (int64, error) {
	var ids []int64
	err := db.read(ctx).Model(&contestVoteRow{}).Where("campaign_id = ? AND round = ? AND member_id = ?", campaignID, round, memberID).
		Limit(1).Pluck("entry_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, translate(err)
	}
	return ids[0], nil
}

// TopEntries implements core.ContestStore.
func (db *DB) TopEntries(ctx context.Context, campaignID int64, round, n int) ([]core.Entry, error) {
	return topEntries(db.read(ctx), campaignID, round, n)
}

func topEntries(q *gorm.DB, campaignID int64, round, n int) ([]core.Entry, error) {
	f := core.EntryFilter{Finalists: round == 2}
	col := "e." + tally(round)
	var cut []int
	if err := active(q.Table("contest_entries e"), campaignID, f).Order(col+" DESC").Offset(max(n-1, 0)).Limit(1).Pluck(col, &cut).Error; err != nil {
		return nil, translate(err)
	}
	least := 0
	if len(cut) == 1 {
		least = cut[0]
	}
	var rows []entryRead
	if err := active(entries(q), campaignID, f).Where(col+" >= ?", least).Order(col + " DESC, e.id").Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return mapRows(rows, entryRead.toCore), nil
}

// StartFinalRound implements core.ContestStore. Moving the campaign's deadline only
// while it is voting and the round from 1 to 2 only once makes a second start (by a
// replica, or the brand racing the clock) fail with ECONFLICT and change nothing.
func (db *DB) StartFinalRound(ctx context.Context, f core.FinalRound) ([]core.Entry, error) {
	var out []core.Entry
	defer db.moved(nil)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&campaignRow{}).Where("id = ? AND state = ?", f.CampaignID, string(core.StateVoting)).
			Updates(map[string]any{"deadline_at": f.Deadline.UTC(), "updated_at": f.At.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ECONFLICT, "error.campaign_moved")
		}
		res = tx.Model(&contestRow{}).Where("campaign_id = ? AND round = 1", f.CampaignID).Update("round", 2)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ECONFLICT, "error.contest_final_started")
		}
		var rows []entryRow
		q := tx.Where("campaign_id = ? AND status = ?", f.CampaignID, string(core.EntryActive))
		if f.EntryIDs != nil {
			if err := q.Where("id IN ?", f.EntryIDs).Order("id").Find(&rows).Error; err != nil {
				return err
			}
			for _, id := range f.EntryIDs {
				if !slices.ContainsFunc(rows, func(r entryRow) bool { return r.ID == id }) {
					return core.Errorf(core.ENOTFOUND, "error.entry_not_found", "id", id)
				}
			}
		} else if err := q.Order("votes DESC, id").Limit(f.N).Find(&rows).Error; err != nil {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			out = append(out, r.toCore())
		}
		if len(ids) > 0 {
			if err := tx.Model(&entryRow{}).Where("id IN ?", ids).Update("finalist", true).Error; err != nil {
				return err
			}
		}
		for i := range out {
			out[i].Finalist = true
		}
		return enqueue(tx, f.At, f.Announce(out)...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CloseContest implements core.ContestStore. The winner is read after the state
// changed in the same transaction: no vote can land after the count.
func (db *DB) CloseContest(ctx context.Context, cc core.ContestClose) (*core.Entry, error) {
	var winner *core.Entry
	defer db.moved(nil)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		t := cc.Transition
		t.Announcements = nil
		if err := transition(tx, t); err != nil {
			return err
		}
		if cc.AutoWinner {
			var rows []entryRow
			q := tx.Where("campaign_id = ? AND status = ?", t.CampaignID, string(core.EntryActive))
			if cc.Round == 2 {
				q = q.Where("finalist = ?", true)
			}
			col := tally(cc.Round)
			// locked, so that a disqualification cannot slip in before the award
			if err := forUpdate(q).Order(col + " DESC, id").Limit(2).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) > 0 {
				top := rows[0].toCore()
				if top.Tally(cc.Round) > 0 && (len(rows) == 1 || rows[1].toCore().Tally(cc.Round) < top.Tally(cc.Round)) {
					if err := awardEntry(tx, &rows[0], core.AwardPrize, cc.Prize, t.At); err != nil {
						return err
					}
					w, err := readEntry(tx, top.ID)
					if err != nil {
						return err
					}
					winner = w
				}
			}
		}
		return enqueue(tx, t.At, cc.Announce(winner)...)
	})
	if err != nil {
		return nil, err
	}
	return winner, nil
}

// awardEntry pays an entry's author inside tx: the prize names the contest's one
// winner; the award row's unique entry makes every entry paid at most once.
func awardEntry(tx *gorm.DB, e *entryRow, reason string, m core.Money, at time.Time) error {
	if reason == core.AwardPrize {
		res := tx.Model(&contestRow{}).Where("campaign_id = ? AND winner_entry_id IS NULL", e.CampaignID).Update("winner_entry_id", e.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return core.Errorf(core.ECONFLICT, "error.contest_winner_exists")
		}
	}
	err := tx.Create(&awardRow{CampaignID: e.CampaignID, EntryID: e.ID, MemberID: e.AuthorID, Reason: reason,
		Amount: m.Amount, Currency: m.Currency, CreatedAt: at.UTC()}).Error
	if isDuplicate(err) {
		return core.Errorf(core.ECONFLICT, "error.entry_already_paid", "id", e.Number)
	}
	if err != nil {
		return err
	}
	return credit(tx, e.CampaignID, e.AuthorID, m, reason, "entry:"+strconv.FormatInt(e.ID, 10), at)
}

// AwardEntry implements core.ContestStore. Locks are taken campaign first, then
// entry, the order every contest transaction follows.
func (db *DB) AwardEntry(ctx context.Context, a core.Award) (*core.Entry, error) {
	var out *core.Entry
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var e entryRow
		if err := tx.Select("id, campaign_id").Take(&e, a.EntryID).Error; err != nil {
			return notFound(err, "error.entry_not_found", "id", a.EntryID)
		}
		if err := checkLive(tx, e.CampaignID, a.States...); err != nil {
			return err
		}
		if err := forUpdate(tx).Take(&e, a.EntryID).Error; err != nil {
			return err
		}
		if e.Status != string(core.EntryActive) {
			return core.Errorf(core.ECONFLICT, "error.entry_disqualified", "id", e.Number)
		}
		if err := awardEntry(tx, &e, a.Reason, a.Amount, a.At); err != nil {
			return err
		}
		var err error
		if out, err = readEntry(tx, e.ID); err != nil {
			return err
		}
		return enqueue(tx, a.At, a.Announce(out)...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DisqualifyEntry implements core.ContestStore.
func (db *DB) DisqualifyEntry(ctx context.Context, entryID int64, reason string, notice core.Announcement, points int, now time.Time) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		var e entryRow
		if err := forUpdate(tx).Take(&e, entryID).Error; err != nil {
			return notFound(err, "error.entry_not_found", "id", entryID)
		}
		if e.Status != string(core.EntryActive) {
			return core.Errorf(core.ECONFLICT, "error.entry_already_disqualified", "id", e.Number)
		}
		var paid int64
		if err := tx.Model(&awardRow{}).Where("entry_id = ?", entryID).Count(&paid).Error; err != nil {
			return err
		}
		if paid > 0 {
			return core.Errorf(core.ECONFLICT, "error.entry_awarded", "id", e.Number)
		}
		err := tx.Model(&entryRow{}).Where("id = ?", entryID).Updates(map[string]any{
			"status": string(core.EntryDisqualified), "reason": reason, "votes": 0, "final_votes": 0, "finalist": false}).Error
		if err != nil {
			return err
		}
		if err := tx.Where("entry_id = ?", entryID).Delete(&contestVoteRow{}).Error; err != nil {
			return err
		}
		err = tx.Model(&entrantRow{}).Where("campaign_id = ? AND member_id = ? AND entries > 0", e.CampaignID, e.AuthorID).
			Update("entries", gorm.Expr("entries - 1")).Error
		if err != nil {
			return err
		}
		if err := award(tx, e.CampaignID, e.AuthorID, core.PointsEntry, -points, now); err != nil {
			return err
		}
		return enqueue(tx, now, notice)
	})
}

// ContestPayouts implements core.ContestStore.
func (db *DB) ContestPayouts(ctx context.Context, campaignID int64) ([]core.Payout, error) {
	var rows []struct {
		EntryID     int64
		EntryNumber int64
		EntryTitle  string
		MemberID    int64
		AuthorName  string
		Reason      string
		Amount      int64
		Currency    string
		CreatedAt   time.Time
	}
	err := db.read(ctx).Table("contest_awards a").
		Select("a.entry_id, e.number AS entry_number, e.title AS entry_title, a.member_id, m.name AS author_name, a.reason, a.amount, a.currency, a.created_at").
		Joins("JOIN contest_entries e ON e.id = a.entry_id").Joins("JOIN members m ON m.id = a.member_id").
		Where("a.campaign_id = ?", campaignID).Order("a.id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]core.Payout, len(rows))
	for i, r := range rows {
		out[i] = core.Payout{EntryID: r.EntryID, EntryNumber: r.EntryNumber, EntryTitle: r.EntryTitle, MemberID: r.MemberID, AuthorName: r.AuthorName,
			Reason: r.Reason, Amount: core.Money{Amount: r.Amount, Currency: r.Currency}, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// ContestTotals implements core.ContestStore.
func (db *DB) ContestTotals(ctx context.Context, campaignID int64) (int, int, error) {
	var n, votes int64
	if err := active(db.read(ctx).Table("contest_entries e"), campaignID, core.EntryFilter{}).Count(&n).Error; err != nil {
		return 0, 0, translate(err)
	}
	if err := db.read(ctx).Model(&contestVoteRow{}).Where("campaign_id = ?", campaignID).Count(&votes).Error; err != nil {
		return 0, 0, translate(err)
	}
	return int(n), int(votes), nil
}

// AllEntries implements core.ContestStore.
func (db *DB) AllEntries(ctx context.Context, campaignID int64, page, perPage int) ([][]string, error) {
	var rows []entryRead
	err := entries(db.read(ctx)).Where("e.campaign_id = ?", campaignID).Order("e.id").
		Offset((page - 1) * perPage).Limit(perPage).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		e := r.toCore()
		var platform, fileID, fileURL, fileType string
		if f := e.File; f != nil {
			platform, fileID, fileURL, fileType = string(f.Platform), f.FileID, f.URL, f.ContentType
		}
		status := "entered"
		switch {
		case e.Status == core.EntryDisqualified:
			status = "disqualified"
		case e.Award == core.AwardPrize:
			status = "winner"
		case e.Award == core.AwardUsedEntry:
			status = "used"
		case e.Finalist:
			status = "finalist"
		}
		payout := ""
		if e.Award != "" {
			payout = e.Payout.String()
		}
		out[i] = []string{strconv.FormatInt(e.Number, 10), r.AuthorRef, e.AuthorName, e.Title, string(e.Kind), e.Text, e.Link,
			platform, fileID, fileURL, fileType, strconv.Itoa(e.Votes), strconv.Itoa(e.FinalVotes), status, e.Reason, payout,
			e.CreatedAt.UTC().Format(time.RFC3339)}
	}
	return out, nil
}

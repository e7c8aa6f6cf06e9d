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

type taskJobRow struct {
	CampaignID     int64 `gorm:"primaryKey"`
	Instructions   string
	AnswerType     string
	Choices        string // a JSON array
	PerItem        int
	RewardAmount   int64
	RewardCurrency string
	LeaseSeconds   int
	Items          int
}

func (taskJobRow) TableName() string { return "task_jobs" }

func (r taskJobRow) toCore() *core.TaskJob {
	var choices []string
	_ = json.Unmarshal([]byte(r.Choices), &choices) // written by taskJobFromCore, always JSON
	return &core.TaskJob{CampaignID: r.CampaignID, Instructions: r.Instructions, Answer: core.TaskAnswerType(r.AnswerType),
		Choices: choices, PerItem: r.PerItem, Reward: core.Money{Amount: r.RewardAmount, Currency: r.RewardCurrency},
		Lease: time.Duration(r.LeaseSeconds) * time.Second, Items: r.Items}
}

func taskJobFromCore(j *core.TaskJob) (taskJobRow, error) {
	choices := j.Choices
	if choices == nil {
		choices = []string{}
	}
	b, err := json.Marshal(choices)
	if err != nil {
		return taskJobRow{}, err
	}
	return taskJobRow{CampaignID: j.CampaignID, Instructions: j.Instructions, AnswerType: string(j.Answer), Choices: string(b),
		PerItem: j.PerItem, RewardAmount: j.Reward.Amount, RewardCurrency: j.Reward.Currency,
		LeaseSeconds: int(j.Lease / time.Second), Items: j.Items}, nil
}

type taskItemRow struct {
	ID         int64
	CampaignID int64
	RowNo      int
	Text       string
	MediaURL   string
	Gold       *string
	Answers    int
	Settled    bool
	Flagged    bool
	Agreed     string
	LeasedBy   *int64
	LeaseUntil *time.Time
	CreatedAt  time.Time
}

func (taskItemRow) TableName() string { return "task_items" }

func (r taskItemRow) toCore() core.TaskItem {
	it := core.TaskItem{ID: r.ID, CampaignID: r.CampaignID, Row: r.RowNo, Text: r.Text, MediaURL: r.MediaURL, Gold: r.Gold,
		Answers: r.Answers, Settled: r.Settled, Flagged: r.Flagged, Agreed: r.Agreed, LeaseUntil: utcPtr(r.LeaseUntil),
		CreatedAt: r.CreatedAt}
	if r.LeasedBy != nil {
		it.LeasedBy = *r.LeasedBy
	}
	return it
}

type taskAnswerRow struct {
	ID         int64
	CampaignID int64
	ItemID     int64
	MemberID   int64
	Value      string
	Status     string
	ReviewedBy *int64
	ReviewedAt *time.Time
	CreatedAt  time.Time
}

func (taskAnswerRow) TableName() string { return "task_answers" }

func (r taskAnswerRow) toCore() core.TaskAnswer {
	return core.TaskAnswer{ID: r.ID, CampaignID: r.CampaignID, ItemID: r.ItemID, MemberID: r.MemberID, Value: r.Value,
		Status: core.TaskAnswerStatus(r.Status), Reviewed: r.ReviewedAt != nil, CreatedAt: r.CreatedAt}
}

// taskAnswerNamed is an answer with its author, for reviews and exports.
type taskAnswerNamed struct {
	ID         int64
	CampaignID int64
	ItemID     int64
	MemberID   int64
	Value      string
	Status     string
	ReviewedAt *time.Time
	CreatedAt  time.Time
	Author     string
	Name       string
}

func (r taskAnswerNamed) toCore() core.TaskAnswer {
	return core.TaskAnswer{ID: r.ID, CampaignID: r.CampaignID, ItemID: r.ItemID, MemberID: r.MemberID, Value: r.Value,
		Status: core.TaskAnswerStatus(r.Status), Reviewed: r.ReviewedAt != nil, CreatedAt: r.CreatedAt,
		Member: r.Author, Name: r.Name}
}

type taskSkipRow struct {
	ItemID    int64
	MemberID  int64
	CreatedAt time.Time
}

func (taskSkipRow) TableName() string { return "task_skips" }

type taskWorkerRow struct {
	CampaignID int64
	MemberID   int64
	Answers    int
	Gold       int
	GoldRight  int
	LeasedItem *int64 // the item last handed to the member; theirs while its lease says so
}

func (taskWorkerRow) TableName() string { return "task_workers" }

// CreateTaskJob implements core.TaskStore.
func (db *DB) CreateTaskJob(ctx context.Context, c *core.Campaign, job *core.TaskJob, items []core.TaskItem, link *core.ChannelLink) error {
	return db.createCampaign(ctx, c, func(tx *gorm.DB) error {
		if err := insertCampaign(tx, c, link); err != nil {
			return err
		}
		job.CampaignID = c.ID
		job.Items = len(items)
		row, err := taskJobFromCore(job)
		if err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return insertTaskItems(tx, c.ID, items, 0)
	})
}

// taskBatch is how many items one INSERT carries: well under both databases' limits
// on statement parameters.
const taskBatch = 1000

// insertTaskItems stores items numbered on from after, setting their ids.
func insertTaskItems(tx *gorm.DB, campaignID int64, items []core.TaskItem, after int) error {
	for start := 0; start < len(items); start += taskBatch {
		chunk := items[start:min(start+taskBatch, len(items))]
		rows := make([]taskItemRow, len(chunk))
		for i, it := range chunk {
			rows[i] = taskItemRow{CampaignID: campaignID, RowNo: after + start + i + 1, Text: it.Text, MediaURL: it.MediaURL,
				Gold: it.Gold, CreatedAt: it.CreatedAt.UTC()}
		}
		if err := tx.Create(&rows).Error; err != nil {
			return fmt.Errorf("insert task items: %w", err)
		}
		for i := range chunk {
			chunk[i].ID, chunk[i].CampaignID, chunk[i].Row = rows[i].ID, campaignID, rows[i].RowNo
		}
	}
	return nil
}

// TaskJob implements core.TaskStore.
func (db *DB) TaskJob(ctx context.Context, campaignID int64) (*core.TaskJob, error) {
	var r taskJobRow
	if err := db.read(ctx).Where("campaign_id = ?", campaignID).Take(&r).Error; err != nil {
		return nil, notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
	}
	return r.toCore(), nil
}

// AddTaskItems implements core.TaskStore. The job row is locked while the items go
// in, so imports running at once never take a job past max.
func (db *DB) AddTaskItems(ctx context.Context, campaignID int64, items []core.TaskItem, max int) (int, int, error) {
	var added, total int
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := checkLive(tx, campaignID, core.StateOpen); err != nil {
			return err
		}
		var job taskJobRow
		if err := forUpdate(tx).Where("campaign_id = ?", campaignID).Take(&job).Error; err != nil {
			return notFound(err, "error.campaign_not_found", "code", fmt.Sprint(campaignID))
		}
		added = min(max-job.Items, len(items))
		total = job.Items
		if added <= 0 {
			added = 0
			return nil
		}
		if err := insertTaskItems(tx, campaignID, items[:added], job.Items); err != nil {
			return err
		}
		total = job.Items + added
		return tx.Model(&taskJobRow{}).Where("campaign_id = ?", campaignID).Update("items", total).Error
	})
	if err != nil {
		return 0, 0, err
	}
	return added, total, nil
}

// claimSQL picks the item to hand out: one with answers to spare, not leased (or
// its lease expired), that the member has neither answered nor skipped. The most
// answered come first so that items finish one after the other, then the order of
// import. ix_task_items_next walks the open items in exactly this order, so the cost
// does not grow with the items already full.
const claimSQL = `SELECT i.* FROM task_items i
WHERE i.campaign_id = ? AND i.answers < ?
AND (i.lease_until IS NULL OR i.lease_until <= ?)
AND NOT EXISTS (SELECT 1 FROM task_answers a WHERE a.item_id = i.id AND a.member_id = ?)
AND NOT EXISTS (SELECT 1 FROM task_skips s WHERE s.item_id = i.id AND s.member_id = ?)
ORDER BY i.answers DESC, i.id
LIMIT 1`

// busySQL tells whether items the member could answer are left, leased or not.
const busySQL = `SELECT i.id FROM task_items i
WHERE i.campaign_id = ? AND i.answers < ?
AND NOT EXISTS (SELECT 1 FROM task_answers a WHERE a.item_id = i.id AND a.member_id = ?)
AND NOT EXISTS (SELECT 1 FROM task_skips s WHERE s.item_id = i.id AND s.member_id = ?)
LIMIT 1`

// ClaimTaskItem implements core.TaskStore. On Postgres the candidate is locked with
// SKIP LOCKED, so members asking at once each get another item instead of queueing
// on the same row; on SQLite the immediate transaction already holds the one write
// lock.
func (db *DB) ClaimTaskItem(ctx context.Context, in core.TaskClaiming) (*core.TaskClaim, error) {
	claim := &core.TaskClaim{}
	job, memberID, now := in.Job, in.MemberID, in.Now.UTC()
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := checkLive(tx, job.CampaignID, core.StateOpen); err != nil {
			return err
		}
		var w taskWorkerRow
		if err := tx.Where("campaign_id = ? AND member_id = ?", job.CampaignID, memberID).Limit(1).Find(&w).Error; err != nil {
			return err
		}
		claim.Worker = core.TaskWorker{Answers: w.Answers, Gold: w.Gold, GoldRight: w.GoldRight}
		if claim.Worker.Blocked(in.MinAccuracy, in.Warmup) {
			claim.Blocked = true
			return nil
		}
		if w.LeasedItem != nil {
			var held taskItemRow
			res := tx.Where("id = ? AND leased_by = ? AND lease_until > ?", *w.LeasedItem, memberID, now).Limit(1).Find(&held)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected > 0 {
				it := held.toCore()
				claim.Item, claim.Held = &it, true
				return nil
			}
		}
		q := claimSQL
		if db.dialect == Postgres {
			q += " FOR UPDATE OF i SKIP LOCKED"
		}
		var rows []taskItemRow
		if err := tx.Raw(q, job.CampaignID, job.PerItem, now, memberID, memberID).Scan(&rows).Error; err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if len(rows) == 0 {
			var ids []int64
			if err := tx.Raw(busySQL, job.CampaignID, job.PerItem, memberID, memberID).Scan(&ids).Error; err != nil {
				return fmt.Errorf("claim: %w", err)
			}
			claim.Busy = len(ids) > 0
			return nil
		}
		row := rows[0]
		until := now.Add(job.Lease)
		if err := tx.Model(&taskItemRow{}).Where("id = ?", row.ID).
			Updates(map[string]any{"leased_by": memberID, "lease_until": until}).Error; err != nil {
			return err
		}
		row.LeasedBy, row.LeaseUntil = &memberID, &until
		mine := taskWorkerRow{CampaignID: job.CampaignID, MemberID: memberID, LeasedItem: &row.ID}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "campaign_id"}, {Name: "member_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"leased_item"}),
		}).Create(&mine).Error; err != nil {
			return err
		}
		it := row.toCore()
		claim.Item = &it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claim, nil
}

// SkipTaskItems implements core.TaskStore. A lease that expired but that no one took
// since still belongs to the member and can be skipped.
func (db *DB) SkipTaskItems(ctx context.Context, campaignID, itemID, memberID int64, now time.Time) ([]core.TaskItem, error) {
	var out []core.TaskItem
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&taskWorkerRow{}).Where("member_id = ? AND leased_item IS NOT NULL", memberID)
		if campaignID != 0 {
			q = q.Where("campaign_id = ?", campaignID)
		}
		if itemID != 0 {
			q = q.Where("leased_item = ?", itemID)
		}
		var ids []int64
		if err := q.Pluck("leased_item", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		// items first, then the member's record, in the order answering locks them;
		// only items still leased to the member: an expired lease someone else took is theirs
		var rows []taskItemRow
		if err := forUpdate(tx).Where("id IN ? AND leased_by = ?", ids, memberID).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		if err := tx.Model(&taskWorkerRow{}).Where("member_id = ? AND leased_item IN ?", memberID, ids).
			Update("leased_item", nil).Error; err != nil {
			return err
		}
		for _, r := range rows {
			err := tx.Model(&taskItemRow{}).Where("id = ?", r.ID).Updates(map[string]any{"leased_by": nil, "lease_until": nil}).Error
			if err != nil {
				return err
			}
			skip := taskSkipRow{ItemID: r.ID, MemberID: memberID, CreatedAt: now.UTC()}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&skip).Error; err != nil {
				return err
			}
			r.LeasedBy, r.LeaseUntil = nil, nil
			out = append(out, r.toCore())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AnswerTaskItem implements core.TaskStore. The item row is locked for the whole
// transaction; the answer row's unique key (item, member) and the conditional count
// (answers < PerItem) make a second answer by one member, or one answer too many,
// impossible whatever runs at the same time.
func (db *DB) AnswerTaskItem(ctx context.Context, in core.TaskAnswering) (*core.TaskItem, *core.TaskAnswer, error) {
	job := in.Job
	var item taskItemRow
	var ans taskAnswerRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := checkLive(tx, job.CampaignID, core.StateOpen); err != nil {
			return err
		}
		if err := forUpdate(tx).Take(&item, in.ItemID).Error; err != nil {
			return notFound(err, "error.task_item_not_found", "id", in.ItemID)
		}
		if item.CampaignID != job.CampaignID {
			return core.Errorf(core.ENOTFOUND, "error.task_item_not_found", "id", in.ItemID)
		}
		if item.LeasedBy == nil || *item.LeasedBy != in.MemberID {
			// answering clears the lease: tell a second press from a lost lease
			var answered int64
			if err := tx.Model(&taskAnswerRow{}).Where("item_id = ? AND member_id = ?", item.ID, in.MemberID).Count(&answered).Error; err != nil {
				return err
			}
			if answered > 0 {
				return core.Errorf(core.ECONFLICT, "error.task_already_answered")
			}
			return core.Errorf(core.ECONFLICT, "error.task_not_yours")
		}
		status := core.TaskPending
		if in.Gold && in.Right {
			status = core.TaskAccepted
		} else if in.Gold {
			status = core.TaskRejected
		}
		ans = taskAnswerRow{CampaignID: job.CampaignID, ItemID: item.ID, MemberID: in.MemberID, Value: in.Value,
			Status: string(status), CreatedAt: in.Now.UTC()}
		if err := tx.Create(&ans).Error; err != nil {
			if isDuplicate(err) {
				return core.Errorf(core.ECONFLICT, "error.task_already_answered")
			}
			return err
		}
		w := taskWorkerRow{CampaignID: job.CampaignID, MemberID: in.MemberID}
		if status != core.TaskRejected {
			res := tx.Model(&taskItemRow{}).Where("id = ? AND answers < ?", item.ID, job.PerItem).
				Update("answers", gorm.Expr("answers + 1"))
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return core.Errorf(core.ECONFLICT, "error.task_item_full")
			}
			if err := payTaskAnswer(tx, job, item.ID, in.MemberID, 1, in.Points, in.Now); err != nil {
				return err
			}
			w.Answers = 1
		}
		if in.Gold {
			w.Gold = 1
			if in.Right {
				w.GoldRight = 1
			}
		}
		if err := bumpTaskWorker(tx, w, item.ID); err != nil {
			return err
		}
		if err := participate(tx, job.CampaignID, in.MemberID, in.Now); err != nil {
			return err
		}
		if status != core.TaskRejected {
			item.Answers++
		}
		item.LeasedBy, item.LeaseUntil = nil, nil
		return settleTaskItem(tx, job, &item, &ans)
	})
	if err != nil {
		return nil, nil, err
	}
	it, a := item.toCore(), ans.toCore()
	return &it, &a, nil
}

// payTaskAnswer credits (sign 1) or takes back (sign -1) an answer's reward and
// points inside tx.
func payTaskAnswer(tx *gorm.DB, job *core.TaskJob, itemID, memberID int64, sign int, points int, now time.Time) error {
	if job.Reward.Amount > 0 {
		m := core.Money{Amount: int64(sign) * job.Reward.Amount, Currency: job.Reward.Currency}
		if err := credit(tx, job.CampaignID, memberID, m, "answer", fmt.Sprintf("item:%d", itemID), now); err != nil {
			return err
		}
	}
	return award(tx, job.CampaignID, memberID, core.PointsAnswer, sign*points, now)
}

// bumpTaskWorker adds w's counts to the member's record in the job, and forgets
// the item done (0 for none) as theirs.
func bumpTaskWorker(tx *gorm.DB, w taskWorkerRow, done int64) error {
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "campaign_id"}, {Name: "member_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"answers":     gorm.Expr("task_workers.answers + ?", w.Answers),
			"gold":        gorm.Expr("task_workers.gold + ?", w.Gold),
			"gold_right":  gorm.Expr("task_workers.gold_right + ?", w.GoldRight),
			"leased_item": gorm.Expr("CASE WHEN task_workers.leased_item = ? THEN NULL ELSE task_workers.leased_item END", done),
		}),
	}).Create(&w).Error
}

// settleTaskItem works out the item's state from all its answers (core decides) and
// writes it with the item's answer count and lease as the caller set them in item;
// mine (one of its answers) is reloaded.
func settleTaskItem(tx *gorm.DB, job *core.TaskJob, item *taskItemRow, mine *taskAnswerRow) error {
	var rows []taskAnswerRow
	if err := tx.Where("item_id = ?", item.ID).Order("id").Find(&rows).Error; err != nil {
		return err
	}
	answers := mapRows(rows, taskAnswerRow.toCore)
	v := job.Verdict(item.Gold, answers)
	for i, r := range rows {
		if string(v.Status[i]) != r.Status {
			if err := tx.Model(&taskAnswerRow{}).Where("id = ?", r.ID).Update("status", string(v.Status[i])).Error; err != nil {
				return err
			}
		}
		if r.ID == mine.ID {
			*mine = r
			mine.Status = string(v.Status[i])
		}
	}
	item.Settled, item.Flagged, item.Agreed = v.Settled, v.Flagged, v.Agreed
	return tx.Model(&taskItemRow{}).Where("id = ?", item.ID).Updates(map[string]any{
		"settled": v.Settled, "flagged": v.Flagged, "agreed": v.Agreed, "leased_by": item.LeasedBy, "lease_until": item.LeaseUntil,
	}).Error
}

// TaskItem implements core.TaskStore.
func (db *DB) TaskItem(ctx context.Context, id int64) (*core.TaskItem, error) {
	var r taskItemRow
	if err := db.read(ctx).Take(&r, id).Error; err != nil {
		return nil, notFound(err, "error.task_item_not_found", "id", id)
	}
	it := r.toCore()
	return &it, nil
}

// TaskAnswer implements core.TaskStore.
func (db *DB) TaskAnswer(ctx context.Context, id int64) (*core.TaskAnswer, error) {
	var r taskAnswerRow
	if err := db.read(ctx).Take(&r, id).Error; err != nil {
		return nil, notFound(err, "error.task_answer_not_found", "id", id)
	}
	a := r.toCore()
	return &a, nil
}

// namedTaskAnswers returns the answers of the given items with their authors, in
// item then answer order.
func namedTaskAnswers(q *gorm.DB, itemIDs []int64) ([]taskAnswerNamed, error) {
	var rows []taskAnswerNamed
	if len(itemIDs) == 0 {
		return nil, nil
	}
	err := q.Table("task_answers a").Select("a.id, a.campaign_id, a.item_id, a.member_id, a.value, a.status, a.reviewed_at, a.created_at, "+
		"m.platform || ':' || m.external_id AS author, m.name AS name").
		Joins("JOIN members m ON m.id = a.member_id").Where("a.item_id IN ?", itemIDs).
		Order("a.item_id, a.id").Scan(&rows).Error
	return rows, translate(err)
}

// NextTaskReview implements core.TaskStore.
func (db *DB) NextTaskReview(ctx context.Context, campaignID, after int64) (*core.TaskReviewCard, error) {
	var a taskAnswerRow
	res := db.read(ctx).Where("campaign_id = ? AND status = ? AND id > ?", campaignID, string(core.TaskReview), after).
		Order("id").Limit(1).Find(&a)
	if res.Error != nil {
		return nil, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var item taskItemRow
	if err := db.read(ctx).Take(&item, a.ItemID).Error; err != nil {
		return nil, translate(err)
	}
	rows, err := namedTaskAnswers(db.read(ctx), []int64{item.ID})
	if err != nil {
		return nil, err
	}
	var left int64
	if err := db.read(ctx).Model(&taskAnswerRow{}).Where("campaign_id = ? AND status = ?", campaignID, string(core.TaskReview)).
		Count(&left).Error; err != nil {
		return nil, translate(err)
	}
	card := &core.TaskReviewCard{Item: item.toCore(), Left: int(left)}
	for _, r := range rows {
		card.Answers = append(card.Answers, r.toCore())
		if r.ID == a.ID {
			card.Answer = r.toCore()
		}
	}
	return card, nil
}

// ReviewTaskAnswer implements core.TaskStore. The item row is locked first, as when
// answering, so a verdict and an answer to the same item never interleave.
func (db *DB) ReviewTaskAnswer(ctx context.Context, in core.TaskReviewing) (*core.TaskItem, *core.TaskAnswer, error) {
	job := in.Job
	var item taskItemRow
	var ans taskAnswerRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&ans, in.AnswerID).Error; err != nil {
			return notFound(err, "error.task_answer_not_found", "id", in.AnswerID)
		}
		if err := forUpdate(tx).Take(&item, ans.ItemID).Error; err != nil {
			return err
		}
		if err := tx.Take(&ans, in.AnswerID).Error; err != nil {
			return err
		}
		if ans.Status != string(core.TaskReview) {
			return core.Errorf(core.ECONFLICT, "error.task_already_reviewed", "id", ans.ID)
		}
		now := in.Now.UTC()
		status := core.TaskAccepted
		if !in.Approve {
			status = core.TaskRejected
		}
		if err := tx.Model(&taskAnswerRow{}).Where("id = ?", ans.ID).Updates(map[string]any{
			"status": string(status), "reviewed_by": in.ReviewerID, "reviewed_at": now,
		}).Error; err != nil {
			return err
		}
		if !in.Approve {
			if err := tx.Model(&taskItemRow{}).Where("id = ?", item.ID).Update("answers", gorm.Expr("answers - 1")).Error; err != nil {
				return err
			}
			item.Answers--
			if err := payTaskAnswer(tx, job, item.ID, ans.MemberID, -1, in.Points, now); err != nil {
				return err
			}
			if err := bumpTaskWorker(tx, taskWorkerRow{CampaignID: job.CampaignID, MemberID: ans.MemberID, Answers: -1}, 0); err != nil {
				return err
			}
			if in.Notice != nil {
				if err := enqueue(tx, now, *in.Notice); err != nil {
					return err
				}
			}
		}
		return settleTaskItem(tx, job, &item, &ans)
	})
	if err != nil {
		return nil, nil, err
	}
	it, a := item.toCore(), ans.toCore()
	return &it, &a, nil
}

// TaskTotals implements core.TaskStore.
func (db *DB) TaskTotals(ctx context.Context, campaignID int64) (*core.TasksProgress, error) {
	var t struct {
		Items   int
		Settled int
		Flagged int
		Answers int
	}
	err := db.read(ctx).Model(&taskItemRow{}).Select(`COUNT(*) AS items,
		COALESCE(SUM(CASE WHEN settled THEN 1 ELSE 0 END), 0) AS settled,
		COALESCE(SUM(CASE WHEN flagged THEN 1 ELSE 0 END), 0) AS flagged,
		COALESCE(SUM(answers), 0) AS answers`).Where("campaign_id = ?", campaignID).Scan(&t).Error
	if err != nil {
		return nil, translate(err)
	}
	var rejected int64
	err = db.read(ctx).Model(&taskAnswerRow{}).Where("campaign_id = ? AND status = ?", campaignID, string(core.TaskRejected)).
		Count(&rejected).Error
	if err != nil {
		return nil, translate(err)
	}
	return &core.TasksProgress{Items: t.Items, Settled: t.Settled, Answers: t.Answers, Rejected: int(rejected), Flagged: t.Flagged}, nil
}

// TaskExport implements core.TaskStore.
func (db *DB) TaskExport(ctx context.Context, campaignID, after int64, limit int) ([]core.TaskExportItem, error) {
	var items []taskItemRow
	if err := db.read(ctx).Where("campaign_id = ? AND id > ?", campaignID, after).Order("id").Limit(limit).Find(&items).Error; err != nil {
		return nil, translate(err)
	}
	ids := make([]int64, len(items))
	at := make(map[int64]int, len(items))
	out := make([]core.TaskExportItem, len(items))
	for i, it := range items {
		ids[i], at[it.ID] = it.ID, i
		out[i].Item = it.toCore()
	}
	rows, err := namedTaskAnswers(db.read(ctx), ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		e := &out[at[r.ItemID]]
		e.Answers = append(e.Answers, r.toCore())
	}
	return out, nil
}

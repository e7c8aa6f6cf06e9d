package core

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TaskAnswerType is the kind of answer a task job asks for.
type TaskAnswerType string

// Answer types.
const (
	TaskText   TaskAnswerType = "text"   // free text, reviewed by an admin
	TaskChoice TaskAnswerType = "choice" // one of the job's options, settled by majority
	TaskNumber TaskAnswerType = "number" // a number, settled by majority
)

// Limits of task jobs.
const (
	MaxTaskItems        = 100_000 // items in one job
	MaxTaskPerItem      = 10      // answers wanted per item
	DefaultTaskPerItem  = 3
	MaxTaskInstructions = 1000
	MaxTaskItemText     = 1000
	MaxTaskMediaURL     = 500
	MaxTaskAnswer       = 1000
	MinTaskChoices      = 2
	MaxTaskChoices      = 10
	MaxTaskChoice       = 40
	MinTaskLease        = time.Minute
	MaxTaskLease        = 24 * time.Hour
	DefaultTaskLease    = 10 * time.Minute
	// maxTaskDigits bounds the digits of a number answer on each side of the mark.
	maxTaskDigits = 15
)

// TaskJob is the settings of a tasks campaign: what members answer and how often.
// Items are answered PerItem times each; every answer that counts earns Reward.
type TaskJob struct {
	CampaignID   int64
	Instructions string
	Answer       TaskAnswerType
	Choices      []string // the options of a choice job, in order
	PerItem      int
	Reward       Money // a zero Amount pays points only
	Lease        time.Duration
	Items        int // items in the job
}

// Validate cleans and checks the job's settings.
func (j *TaskJob) Validate() error {
	var err error
	if j.Instructions, err = checkText("task_instructions", j.Instructions, false, 0, MaxTaskInstructions); err != nil {
		return err
	}
	switch j.Answer {
	case TaskText, TaskNumber:
		j.Choices = nil
	case TaskChoice:
		if err := checkTaskChoices(j.Choices); err != nil {
			return err
		}
	default:
		return Errorf(EINVALID, "error.task_bad_answer_type", "text", string(j.Answer))
	}
	if j.PerItem < 1 || j.PerItem > MaxTaskPerItem {
		return Errorf(EINVALID, "error.task_per_item", "max", MaxTaskPerItem)
	}
	if j.Lease < MinTaskLease || j.Lease > MaxTaskLease {
		return Errorf(EINVALID, "error.task_lease_range", "min", int(MinTaskLease/time.Minute), "max", int(MaxTaskLease/time.Minute))
	}
	if j.Reward.Amount < 0 {
		return Errorf(EINVALID, "error.amount_not_positive")
	}
	if j.Reward.Amount > 0 && !ValidCurrency(j.Reward.Currency) {
		return Errorf(EINVALID, "error.currency_unknown", "currency", j.Reward.Currency)
	}
	return nil
}

func checkTaskChoices(choices []string) error {
	if len(choices) < MinTaskChoices || len(choices) > MaxTaskChoices {
		return Errorf(EINVALID, "error.task_choices_count", "min", MinTaskChoices, "max", MaxTaskChoices)
	}
	for i, c := range choices {
		c, err := checkText("task_choice", c, true, 1, MaxTaskChoice)
		if err != nil {
			return err
		}
		choices[i] = c
		for _, prev := range choices[:i] {
			if strings.EqualFold(prev, c) {
				return Errorf(EINVALID, "error.task_choice_twice", "choice", c)
			}
		}
	}
	return nil
}

// ParseTaskAnswer reads an answer type as admins write it: "text", "number", or
// "choice:" and the options separated by commas, each optionally quoted so that it may
// hold commas and spaces (choice:"red car","blue car",other).
func ParseTaskAnswer(s string) (TaskAnswerType, []string, error) {
	s = strings.TrimSpace(s)
	kind, list, hasList := strings.Cut(s, ":")
	switch t := TaskAnswerType(strings.ToLower(strings.TrimSpace(kind))); {
	case (t == TaskText || t == TaskNumber) && !hasList:
		return t, nil, nil
	case t == TaskChoice && hasList:
		choices := splitTaskChoices(list)
		if err := checkTaskChoices(choices); err != nil {
			return "", nil, err
		}
		return TaskChoice, choices, nil
	}
	return "", nil, Errorf(EINVALID, "error.task_bad_answer_type", "text", s)
}

// splitTaskChoices splits a comma list whose items may be quoted.
func splitTaskChoices(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, closing := false, rune(0)
	for _, r := range s {
		switch {
		case closing != 0:
			if EndsQuote(closing, r) {
				closing = 0
			} else {
				cur.WriteRune(r)
			}
		case r == ',':
			out = append(out, CleanLine(cur.String()))
			cur.Reset()
			quoted = false
		case QuoteCloser(r) != 0 && !quoted && strings.TrimSpace(cur.String()) == "":
			cur.Reset()
			quoted, closing = true, QuoteCloser(r)
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, CleanLine(cur.String()))
}

// NormalizeAnswer checks an answer against the job's type and returns it in the form
// answers are compared in: an option's own spelling, a number in plain decimal, or
// the cleaned text.
func (j *TaskJob) NormalizeAnswer(s string) (string, error) {
	switch j.Answer {
	case TaskChoice:
		v := CleanLine(s)
		for _, c := range j.Choices {
			if strings.EqualFold(c, v) {
				return c, nil
			}
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(j.Choices) {
			return j.Choices[n-1], nil
		}
		if v == "" {
			return "", Errorf(EINVALID, "error.empty", "field", "task_answer")
		}
		return "", Errorf(EINVALID, "error.task_not_a_choice", "text", v, "choices", strings.Join(j.Choices, ", "))
	case TaskNumber:
		return normalizeTaskNumber(s)
	default:
		return checkText("task_answer", s, false, 1, MaxTaskAnswer)
	}
}

// normalizeTaskNumber reads a number as people type it ("1 000", "3,5", "-2.50",
// "1.000,5"), with the same rule for separators as amounts of money, and writes it in
// one exact decimal form ("1000", "3.5", "-2.5"), so that equal numbers compare equal.
func normalizeTaskNumber(s string) (string, error) {
	v := CleanLine(s)
	if v == "" {
		return "", Errorf(EINVALID, "error.empty", "field", "task_answer")
	}
	t, neg := v, false
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		t, neg = rest, true
	} else if rest, ok := strings.CutPrefix(t, "−"); ok {
		t, neg = rest, true
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	whole, frac, err := splitNumber(strings.TrimSpace(t), 0)
	if err != nil {
		return "", Errorf(EINVALID, "error.task_not_a_number", "text", v)
	}
	if len(whole) > maxTaskDigits || len(frac) > maxTaskDigits {
		return "", Errorf(EINVALID, "error.task_number_too_large", "text", v)
	}
	out := whole
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, nil
}

// Matches reports whether an answer equals a known answer: exactly for choices and
// numbers (both normalized), and as the same words in any case for text.
func (j *TaskJob) Matches(known, answer string) bool {
	if j.Answer == TaskText {
		return IdeaKey(known) == IdeaKey(answer)
	}
	return known == answer
}

// TaskItem is one thing to answer: a text, a media URL, or both.
type TaskItem struct {
	ID         int64
	CampaignID int64
	Row        int // its number in the job, from 1
	Text       string
	MediaURL   string
	Gold       *string // the known answer of a check (gold) item
	Answers    int     // answers that count: given and not rejected
	Settled    bool    // it has an agreed or accepted answer
	Flagged    bool    // it has all its answers and no agreement: an admin decides
	Agreed     string
	LeasedBy   int64 // the member it is handed to, 0 for none
	LeaseUntil *time.Time
	CreatedAt  time.Time
}

// TaskAnswerStatus is where an answer stands.
type TaskAnswerStatus string

// Answer statuses.
const (
	TaskPending  TaskAnswerStatus = "pending"  // counted, waiting for the other answers
	TaskReview   TaskAnswerStatus = "review"   // waiting for an admin: free text, or no agreement
	TaskAccepted TaskAnswerStatus = "accepted" // agrees with the majority, the known answer, or an admin
	TaskOutvoted TaskAnswerStatus = "outvoted" // counted and paid, but the item settled on another answer
	TaskRejected TaskAnswerStatus = "rejected" // refused by an admin, or a wrong answer to a gold item: earns nothing
)

// TaskAnswer is one member's answer to one item.
type TaskAnswer struct {
	ID         int64
	CampaignID int64
	ItemID     int64
	MemberID   int64
	Member     string // "platform:id", for exports
	Name       string // the member's display name
	Value      string
	Status     TaskAnswerStatus
	Reviewed   bool // an admin gave the status
	CreatedAt  time.Time
}

// TaskVerdict is what an item's answers add up to.
type TaskVerdict struct {
	Settled bool
	Flagged bool
	Agreed  string
	Status  []TaskAnswerStatus // the new status of each answer, in the order given
}

// Verdict works out an item's state from all of its answers (rejected ones
// included). An admin's approval settles it; otherwise choice and number items settle
// when more than half of PerItem answers agree, and items that have all their answers
// without agreement are flagged for review. Free-text answers wait for an admin.
// Gold items settle on their first right answer; wrong ones were rejected on arrival.
func (j *TaskJob) Verdict(gold *string, answers []TaskAnswer) TaskVerdict {
	v := TaskVerdict{Status: make([]TaskAnswerStatus, len(answers))}
	counted := 0
	tally := map[string]int{}
	for i, a := range answers {
		v.Status[i] = a.Status
		if a.Status == TaskRejected {
			continue
		}
		counted++
		tally[a.Value]++
		if a.Reviewed && a.Status == TaskAccepted && !v.Settled {
			v.Settled, v.Agreed = true, a.Value
		}
	}
	if gold != nil {
		for _, a := range answers {
			if a.Status == TaskAccepted {
				v.Settled, v.Agreed = true, *gold
			}
		}
		return v
	}
	if !v.Settled && j.Answer != TaskText {
		for _, a := range answers {
			if a.Status != TaskRejected && 2*tally[a.Value] > j.PerItem {
				v.Settled, v.Agreed = true, a.Value
				break
			}
		}
	}
	for i, a := range answers {
		if a.Status == TaskRejected || a.Reviewed {
			continue
		}
		switch {
		case j.Answer == TaskText:
			v.Status[i] = TaskReview
		case v.Settled && a.Value == v.Agreed:
			v.Status[i] = TaskAccepted
		case v.Settled:
			v.Status[i] = TaskOutvoted
		case counted >= j.PerItem:
			v.Status[i] = TaskReview
		default:
			v.Status[i] = TaskPending
		}
	}
	v.Flagged = !v.Settled && counted >= j.PerItem
	return v
}

// TaskWorker is a member's record in one job: answers that count, and their gold
// answers, right and in all.
type TaskWorker struct {
	Answers   int
	Gold      int
	GoldRight int
}

// Accuracy is the share of gold answers that were right, 1 before any.
func (w TaskWorker) Accuracy() float64 {
	if w.Gold == 0 {
		return 1
	}
	return float64(w.GoldRight) / float64(w.Gold)
}

// Blocked reports whether the member answered too many gold items wrong to get more:
// after warmup gold answers, an accuracy below min stops them (min 0 never does).
func (w TaskWorker) Blocked(min float64, warmup int) bool {
	return min > 0 && w.Gold >= warmup && w.Accuracy() < min
}

// TaskClaiming asks for an item for a member, unless their gold answers fall below
// MinAccuracy (after Warmup of them).
type TaskClaiming struct {
	Job         *TaskJob
	MemberID    int64
	Now         time.Time
	MinAccuracy float64
	Warmup      int
}

// TaskClaim is what handing out an item found: the item and whether the member held
// it already, or no item and why.
type TaskClaim struct {
	Item    *TaskItem
	Held    bool       // the member already had this item
	Busy    bool       // no item now, but items left are leased to others
	Blocked bool       // the member's accuracy is too low for more items
	Worker  TaskWorker // the member's record in the job
}

// TaskAnswering is an answer to store, with everything the store needs to settle it.
type TaskAnswering struct {
	Job      *TaskJob
	ItemID   int64
	MemberID int64
	Value    string
	// Gold is set when the item has a known answer; Right tells whether Value is it.
	Gold   bool
	Right  bool
	Points int
	Now    time.Time
}

// TaskReviewing is an admin's verdict on an answer, for the store.
type TaskReviewing struct {
	Job        *TaskJob
	AnswerID   int64
	Approve    bool
	ReviewerID int64
	Points     int // the answer's points, taken back on rejection
	Notice     *Announcement
	Now        time.Time
}

// TaskReviewCard is an answer waiting for review, with its item and the item's other
// answers.
type TaskReviewCard struct {
	Campaign *Campaign
	Job      *TaskJob
	Answer   TaskAnswer
	Item     TaskItem
	Answers  []TaskAnswer // every answer of the item, this one included
	Left     int          // answers waiting for review in the job
}

// TaskExportItem is an item with all its answers, for exports.
type TaskExportItem struct {
	Item    TaskItem
	Answers []TaskAnswer
}

// TaskStore keeps task jobs, their items and answers. Handing out and answering are
// correct under any concurrency: an item has at most PerItem answers that count, no
// member answers an item twice, and a lease is held by one member at a time.
type TaskStore interface {
	// CreateTaskJob stores a new tasks campaign with its job and first items in one
	// transaction, giving the campaign a fresh code, and links the channel if set.
	CreateTaskJob(ctx context.Context, c *Campaign, job *TaskJob, items []TaskItem, link *ChannelLink) error
	// TaskJob returns a campaign's job.
	TaskJob(ctx context.Context, campaignID int64) (*TaskJob, error)
	// AddTaskItems appends items to an open job, numbering them on, as far as the job
	// has room for max items; it returns how many were added and the job's total.
	AddTaskItems(ctx context.Context, campaignID int64, items []TaskItem, max int) (added, total int, err error)
	// ClaimTaskItem hands the member the item they hold a valid lease on, or else
	// leases them an item with fewer than PerItem answers that they have neither
	// answered nor skipped and that no one else holds, until now plus the job's lease;
	// a member whose record is Blocked gets none.
	ClaimTaskItem(ctx context.Context, in TaskClaiming) (*TaskClaim, error)
	// SkipTaskItems frees the member's leases in a campaign (every campaign for 0), or
	// on one item when itemID is set, so that the items go to someone else at once and
	// never come back to this member; it returns the items freed.
	SkipTaskItems(ctx context.Context, campaignID, itemID, memberID int64, now time.Time) ([]TaskItem, error)
	// AnswerTaskItem stores an answer to an item the member holds: the answer counts,
	// earns the job's reward and points, and settles or flags the item, in one
	// transaction; a wrong gold answer is stored rejected and earns nothing.
	AnswerTaskItem(ctx context.Context, in TaskAnswering) (*TaskItem, *TaskAnswer, error)
	// TaskItem returns an item by id.
	TaskItem(ctx context.Context, id int64) (*TaskItem, error)
	// TaskAnswer returns an answer by id.
	TaskAnswer(ctx context.Context, id int64) (*TaskAnswer, error)
	// NextTaskReview returns the first answer waiting for review after answer id
	// after, or nil; with the count of answers waiting.
	NextTaskReview(ctx context.Context, campaignID, after int64) (*TaskReviewCard, error)
	// ReviewTaskAnswer approves or rejects an answer waiting for review. A rejection
	// takes the answer out of the count, reverses its credit and points, reopens the
	// item and queues the notice, in one transaction.
	ReviewTaskAnswer(ctx context.Context, in TaskReviewing) (*TaskItem, *TaskAnswer, error)
	// TaskTotals counts a job's items, settled and flagged items, and answers that count.
	TaskTotals(ctx context.Context, campaignID int64) (*TasksProgress, error)
	// TaskExport returns up to limit items with id above after, with their answers.
	TaskExport(ctx context.Context, campaignID, after int64, limit int) ([]TaskExportItem, error)
}

// NewTaskJob is what an admin gives to start a tasks campaign.
type NewTaskJob struct {
	Campaign NewCampaign
	Job      TaskJob
	Items    []TaskItemInput
	Refused  []TaskRowError // rows refused while reading them
}

// CreateTaskJob starts a tasks campaign with its first items. Rows that break a rule
// are reported in the import and everything else is stored.
func (s *Service) CreateTaskJob(ctx context.Context, actor Actor, in NewTaskJob) (*Campaign, *TaskImport, error) {
	now := s.clock.Now()
	c, job, err := in.prepare(actor, now, s.settings.Schedules)
	if err != nil {
		return nil, nil, err
	}
	items, valid, refused := job.checkItems(in.Items, in.Refused, now)
	if len(items) > MaxTaskItems {
		refused = append(refused, taskOverflow(valid[MaxTaskItems:])...)
		items = items[:MaxTaskItems]
	}
	sortTaskRows(refused)
	job.Items = len(items)
	if err := s.store.CreateTaskJob(ctx, c, &job, items, linkFor(actor, now)); err != nil {
		return nil, nil, fmt.Errorf("create task job: %w", err)
	}
	return c, &TaskImport{Added: len(items), Total: len(items), Refused: refused}, nil
}

// prepare checks a new tasks campaign and its job's settings and builds them, as
// CreateTaskJob stores them (its items are checked one by one there).
func (in NewTaskJob) prepare(actor Actor, now time.Time, schedules ScheduleParser) (*Campaign, TaskJob, error) {
	if !actor.Admin {
		return nil, TaskJob{}, Errorf(EFORBIDDEN, "error.admin_only")
	}
	in.Campaign.Kind = KindTasks
	c := in.Campaign.build(actor, now)
	if err := c.Validate(now, schedules); err != nil {
		return nil, TaskJob{}, err
	}
	job := in.Job.WithDefaults()
	if err := job.Validate(); err != nil {
		return nil, TaskJob{}, err
	}
	return c, job, nil
}

// WithDefaults returns the job with the settings left out (zero) set to their
// defaults: the lease and the answers wanted per item.
func (j TaskJob) WithDefaults() TaskJob {
	if j.Lease == 0 {
		j.Lease = DefaultTaskLease
	}
	if j.PerItem == 0 {
		j.PerItem = DefaultTaskPerItem
	}
	return j
}

// taskJobOf loads a tasks campaign by code with its job.
func (s *Service) taskJobOf(ctx context.Context, code string) (*Campaign, *TaskJob, error) {
	c, err := s.CampaignOf(ctx, code, KindTasks)
	if err != nil {
		return nil, nil, err
	}
	job, err := s.store.TaskJob(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	return c, job, nil
}

// AddTaskItems adds items to an open job.
func (s *Service) AddTaskItems(ctx context.Context, actor Actor, code string, inputs []TaskItemInput, refused []TaskRowError) (*Campaign, *TaskImport, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, job, err := s.taskJobOf(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	if c.State != StateOpen {
		return nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	if len(inputs) == 0 && len(refused) == 0 {
		return nil, nil, Errorf(EINVALID, "error.task_no_items", "code", c.Code)
	}
	items, valid, refused := job.checkItems(inputs, refused, s.clock.Now())
	imp := &TaskImport{Refused: refused, Total: job.Items}
	if len(items) > 0 {
		added, total, err := s.store.AddTaskItems(ctx, c.ID, items, MaxTaskItems)
		if err != nil {
			return nil, nil, fmt.Errorf("add task items: %w", err)
		}
		imp.Refused = append(imp.Refused, taskOverflow(valid[added:])...)
		imp.Added, imp.Total = added, total
	}
	sortTaskRows(imp.Refused)
	return c, imp, nil
}

// TaskCard is an item handed to a member, with what the member needs to answer it.
type TaskCard struct {
	Campaign *Campaign
	Job      *TaskJob
	Item     *TaskItem
	Held     bool // the member had it already
}

// NextTask hands the actor one item of an open job. A member whose gold answers fall
// below the configured accuracy gets none.
func (s *Service) NextTask(ctx context.Context, actor Actor, code string) (*TaskCard, error) {
	c, job, err := s.taskJobOf(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.State != StateOpen {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	claim, err := s.store.ClaimTaskItem(ctx, TaskClaiming{Job: job, MemberID: actor.Member.ID, Now: s.clock.Now(),
		MinAccuracy: s.settings.TaskMinAccuracy, Warmup: s.settings.TaskGoldWarmup})
	if err != nil {
		return nil, fmt.Errorf("claim task item: %w", err)
	}
	if claim.Blocked {
		return nil, Errorf(EFORBIDDEN, "error.task_accuracy_low", "code", c.Code,
			"accuracy", int(math.Floor(100*claim.Worker.Accuracy())), "min", int(math.Ceil(100*s.settings.TaskMinAccuracy)))
	}
	if claim.Item == nil {
		if claim.Busy {
			return nil, Errorf(ELIMIT, "error.task_none_free", "code", c.Code, "title", c.Title)
		}
		return nil, Errorf(ENOTFOUND, "error.task_none_left", "code", c.Code, "title", c.Title)
	}
	return &TaskCard{Campaign: c, Job: job, Item: claim.Item, Held: claim.Held}, nil
}

// TaskResult is what answering did.
type TaskResult struct {
	Campaign *Campaign
	Job      *TaskJob
	Item     *TaskItem
	Answer   *TaskAnswer
	Paid     bool // the answer counts and earned the reward and points
	Missed   bool // a wrong answer to a gold item
}

// AnswerTask records the actor's answer to an item they were handed. For choice
// jobs, text may be an option's label or its number.
func (s *Service) AnswerTask(ctx context.Context, actor Actor, itemID int64, text string) (*TaskResult, error) {
	it, err := s.store.TaskItem(ctx, itemID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Campaign(ctx, it.CampaignID)
	if err != nil {
		return nil, err
	}
	job, err := s.store.TaskJob(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if c.State != StateOpen {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	value, err := job.NormalizeAnswer(text)
	if err != nil {
		return nil, err
	}
	in := TaskAnswering{Job: job, ItemID: it.ID, MemberID: actor.Member.ID, Value: value,
		Points: s.PointsFor(PointsAnswer), Now: s.clock.Now()}
	if it.Gold != nil {
		in.Gold, in.Right = true, job.Matches(*it.Gold, value)
	}
	item, ans, err := s.store.AnswerTaskItem(ctx, in)
	if err != nil {
		return nil, taskErrorArgs(err, c, it)
	}
	return &TaskResult{Campaign: c, Job: job, Item: item, Answer: ans, Paid: ans.Status != TaskRejected, Missed: in.Gold && !in.Right}, nil
}

// taskErrorArgs names the campaign and the item in a task error from the store,
// which knows items by id only.
func taskErrorArgs(err error, c *Campaign, it *TaskItem) error {
	e := AsError(err)
	if e == nil {
		return err
	}
	switch e.Key {
	case "error.task_not_yours", "error.task_already_answered", "error.task_item_full":
		if e.Args == nil {
			e.Args = map[string]any{}
		}
		e.Args["code"], e.Args["row"] = c.Code, it.Row
	}
	return err
}

// AnswerTaskChoice records the option at index i (from 0) of a choice job.
func (s *Service) AnswerTaskChoice(ctx context.Context, actor Actor, itemID int64, i int) (*TaskResult, error) {
	if i < 0 || i >= MaxTaskChoices {
		return nil, Errorf(EINVALID, "error.unknown_action")
	}
	return s.AnswerTask(ctx, actor, itemID, strconv.Itoa(i+1))
}

// SkipTask frees the item the actor holds (one item when itemID is set, else their
// item in the job with the given code, or in every job for ""), so that it goes to
// someone else at once; it returns the items freed.
func (s *Service) SkipTask(ctx context.Context, actor Actor, code string, itemID int64) ([]TaskItem, error) {
	var campaignID int64
	if code != "" {
		c, err := s.CampaignOf(ctx, code, KindTasks)
		if err != nil {
			return nil, err
		}
		campaignID = c.ID
	}
	items, err := s.store.SkipTaskItems(ctx, campaignID, itemID, actor.Member.ID, s.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("skip task: %w", err)
	}
	if len(items) == 0 {
		return nil, Errorf(ENOTFOUND, "error.task_nothing_to_skip")
	}
	return items, nil
}

// TaskItem returns an item by id.
func (s *Service) TaskItem(ctx context.Context, id int64) (*TaskItem, error) {
	return s.store.TaskItem(ctx, id)
}

// TaskCampaign returns the campaign an item belongs to.
func (s *Service) TaskCampaign(ctx context.Context, it *TaskItem) (*Campaign, error) {
	return s.store.Campaign(ctx, it.CampaignID)
}

// TaskReview returns the first answer waiting for an admin's review after answer id
// after, starting over from the first when there is none after it; nil when nothing
// waits.
func (s *Service) TaskReview(ctx context.Context, actor Actor, code string, after int64) (*TaskReviewCard, error) {
	c, job, err := s.taskJobOf(ctx, code)
	if err != nil {
		if !actor.Admin {
			return nil, Errorf(EFORBIDDEN, "error.admin_only")
		}
		return nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, err
	}
	return s.taskReview(ctx, c, job, after)
}

func (s *Service) taskReview(ctx context.Context, c *Campaign, job *TaskJob, after int64) (*TaskReviewCard, error) {
	card, err := s.store.NextTaskReview(ctx, c.ID, after)
	if err == nil && card == nil && after > 0 {
		card, err = s.store.NextTaskReview(ctx, c.ID, 0)
	}
	if err != nil || card == nil {
		return nil, err
	}
	card.Campaign, card.Job = c, job
	return card, nil
}

// TaskVerdictResult is what a review did, and the next answer waiting.
type TaskVerdictResult struct {
	Campaign *Campaign
	Item     *TaskItem
	Answer   *TaskAnswer
	Next     *TaskReviewCard
}

// ReviewTaskAnswer approves or rejects an answer waiting for review. A rejected
// answer earns nothing (its credit and points are reversed), its author is told, and
// its item goes back to members for another answer.
func (s *Service) ReviewTaskAnswer(ctx context.Context, actor Actor, answerID int64, approve bool) (*TaskVerdictResult, error) {
	a, err := s.store.TaskAnswer(ctx, answerID)
	if err != nil {
		if !actor.Admin {
			return nil, Errorf(EFORBIDDEN, "error.admin_only")
		}
		return nil, err
	}
	c, err := s.store.Campaign(ctx, a.CampaignID)
	if err != nil {
		return nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, err
	}
	it, err := s.store.TaskItem(ctx, a.ItemID)
	if err != nil {
		return nil, err
	}
	job, err := s.store.TaskJob(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	in := TaskReviewing{Job: job, AnswerID: a.ID, Approve: approve, ReviewerID: actor.Member.ID,
		Points: s.PointsFor(PointsAnswer), Now: s.clock.Now()}
	if !approve {
		n := MemberNotice(c, a.MemberID, "notice.task_rejected", "row", it.Row, "title", c.Title, "code", c.Code)
		in.Notice = &n
	}
	item, ans, err := s.store.ReviewTaskAnswer(ctx, in)
	if err != nil {
		return nil, err
	}
	next, err := s.taskReview(ctx, c, job, a.ID)
	if err != nil {
		return nil, err
	}
	return &TaskVerdictResult{Campaign: c, Item: item, Answer: ans, Next: next}, nil
}

// TaskJob returns a tasks campaign's job.
func (s *Service) TaskJob(ctx context.Context, c *Campaign) (*TaskJob, error) {
	return s.store.TaskJob(ctx, c.ID)
}

// closeTasks ends a tasks campaign at its deadline or on an admin's order, and
// announces how far the job got.
func (s *Service) closeTasks(ctx context.Context, c *Campaign, now time.Time) error {
	p, err := s.store.TaskTotals(ctx, c.ID)
	if err != nil {
		return err
	}
	a := CampaignAnnouncement(c, "announce.tasks_closed", "title", c.Title, "code", c.Code,
		"count", p.Items, "settled", p.Settled, "answers", p.Answers)
	a.Image = "progress"
	return s.store.TransitionCampaign(ctx, Transition{CampaignID: c.ID, From: c.State, To: StateClosed, At: now,
		Announcements: []Announcement{a}})
}

// tasksProgress returns the campaign's Tasks progress.
func (s *Service) tasksProgress(ctx context.Context, c *Campaign) (*TasksProgress, error) {
	return s.store.TaskTotals(ctx, c.ID)
}

// exportTasks lists every item with each of its answers, one row per answer (an item
// without answers has one row with the answer columns empty).
func (s *Service) exportTasks(ctx context.Context, c *Campaign) (*Table, error) {
	t := &Table{Name: c.Code + "-answers", Header: []string{"item", "text", "media_url", "gold", "agreed", "state",
		"answers", "answer_id", "answer", "answer_status", "answered_by", "name", "answered_at"}}
	const page = 1000
	var after int64
	for {
		items, err := s.store.TaskExport(ctx, c.ID, after, page)
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			it := e.Item
			gold, state := "", "open"
			if it.Gold != nil {
				gold = *it.Gold
			}
			switch {
			case it.Settled:
				state = "settled"
			case it.Flagged:
				state = "flagged"
			}
			head := []string{strconv.Itoa(it.Row), it.Text, it.MediaURL, gold, it.Agreed, state, strconv.Itoa(it.Answers)}
			if len(e.Answers) == 0 {
				t.Rows = append(t.Rows, append(head, "", "", "", "", "", ""))
			}
			for _, a := range e.Answers {
				row := append(append([]string(nil), head...), strconv.FormatInt(a.ID, 10), a.Value, string(a.Status),
					a.Member, a.Name, a.CreatedAt.UTC().Format(time.RFC3339))
				t.Rows = append(t.Rows, row)
			}
			after = it.ID
		}
		if len(items) < page {
			return t, nil
		}
	}
}

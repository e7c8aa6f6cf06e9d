package bots

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"crowdbot/core"
)

// Limits of the task conversation.
const (
	// taskRefusedShown is how many refused rows an import reply lists; all of them
	// are in the attached report when there are more.
	taskRefusedShown = 10
	// maxTaskFile bounds an imported file (100,000 rows of a short caption and a URL).
	maxTaskFile = 32 << 20
	// maxTaskPaste bounds items pasted in answer to a question (a Discord modal holds 4000).
	maxTaskPaste = 4000
	// taskPreview bounds how much of each other answer a review card shows.
	taskPreview = 120
)

// Action verbs of the task area:
//
//	tkn:<code>            hand me the next item
//	tka:<item>[:<i>]      answer an item: option i of a choice, or the text that comes with it
//	tks:<item>            skip an item
//	tkr:<answer>:a|r      approve or reject an answer (admins)
//	tkq:<code>:<after>    the next answer to review after this one (admins)
//	tkadd:<code>          items pasted in answer to /tasks add (admins)
func (r *Router) taskActions() map[string]ActionFunc {
	return map[string]ActionFunc{
		"tkn": func(ctx context.Context, req *Request) ([]Reply, error) {
			return r.nextTask(ctx, req, req.Act.Field(0))
		},
		"tka":   r.taskAnswer,
		"tks":   r.taskSkipButton,
		"tkr":   r.taskVerdict,
		"tkq":   r.taskReviewSkip,
		"tkadd": r.taskPasted,
	}
}

// taskCommands lists the commands of the task area.
func (r *Router) taskCommands() []*Spec {
	code := Param{Name: "code", Type: ParamCode, Required: true}
	items := Param{Name: "items", Type: ParamAttachment}
	return []*Spec{
		{Name: "tasks", Sub: "new", Admin: true, Params: []Param{
			{Name: "title", Type: ParamString, Required: true},
			{Name: "answer", Type: ParamString, Option: true, Required: true},
			{Name: "instructions", Type: ParamText, Option: true},
			{Name: "per_item", Type: ParamInt, Option: true},
			{Name: "reward", Type: ParamAmount, Option: true},
			{Name: "lease", Type: ParamDuration, Option: true},
			{Name: "closes", Type: ParamDuration, Option: true},
			{Name: "tz", Type: ParamString, Option: true},
			items,
		}, Run: r.tasksNew},
		{Name: "tasks", Sub: "add", Admin: true, Params: []Param{code, items}, Run: r.tasksAdd},
		{Name: "tasks", Sub: "review", Admin: true, Private: true, Params: []Param{code}, Run: r.tasksReview},
		{Name: "tasks", Sub: "export", Admin: true, Private: true, Params: []Param{code}, Run: r.tasksExport},
		{Name: "task", Sub: "next", Private: true, Params: []Param{code}, Run: func(ctx context.Context, req *Request) ([]Reply, error) {
			return r.nextTask(ctx, req, codeArg(req, 0))
		}},
		{Name: "task", Sub: "skip", Private: true, Params: []Param{{Name: "code", Type: ParamCode}}, Run: r.taskSkip},
	}
}

// taskCards lists the announcement cards of the task area: its announcements are
// plain text.
func (r *Router) taskCards() map[string]CardFunc { return nil }

// taskHead returns the command line of a task command whose items follow on the
// next lines, re-read without them (so that an item can never be taken for an
// option), and the item lines. An answer=choice:... option may hold quoted options
// with spaces; it is read here, as the generic parser stops at the first space.
func taskHead(req *Request) (*Command, string) {
	if req.Cmd.raw == "" {
		return req.Cmd, "" // an adapter parsed the options itself
	}
	head, body := taskSplitLines(req.Cmd.raw)
	if body != "" {
		// number item lines as the message shows them, the command being line 1
		body = strings.Repeat("\n", strings.Count(head, "\n")+1) + body
	}
	head, answer, hasAnswer := taskCutOption(head, "answer")
	cmd, ok := ParseCommand(head)
	if !ok {
		return req.Cmd, body
	}
	if len(cmd.Args) > 0 {
		cmd.Args = cmd.Args[1:] // the subcommand
	}
	if hasAnswer {
		cmd.Opts["answer"] = answer
	}
	return cmd, body
}

// taskSplitLines cuts text at its first line break outside quotes.
func taskSplitLines(text string) (head, body string) {
	var closing rune
	for i, r := range text {
		switch {
		case closing != 0:
			if core.EndsQuote(closing, r) {
				closing = 0
			}
		case core.QuoteCloser(r) != 0:
			closing = core.QuoteCloser(r)
		case r == '\n':
			return text[:i], text[i+1:]
		}
	}
	return text, ""
}

// taskCutOption takes name=value out of a command line, where value runs to the next
// space outside quotes, and returns the line without it and value unquoted when it
// is quoted as a whole. Text inside quotes (another option's value) is never taken.
func taskCutOption(line, name string) (string, string, bool) {
	prefix := name + "="
	var closing rune
	space := true
	for i, r := range line {
		switch {
		case closing != 0:
			if core.EndsQuote(closing, r) {
				closing = 0
			}
		case core.QuoteCloser(r) != 0:
			closing = core.QuoteCloser(r)
		case space && len(line)-i >= len(prefix) && strings.EqualFold(line[i:i+len(prefix)], prefix):
			j := taskValueEnd(line, i+len(prefix))
			value := line[i+len(prefix) : j]
			if q, _ := utf8.DecodeRuneInString(value); core.QuoteCloser(q) != 0 {
				if v, _, next := readToken(value, 0); next == len(value) {
					value = v
				}
			}
			return line[:i] + line[j:], value, true
		}
		space = unicode.IsSpace(r)
	}
	return line, "", false
}

// taskValueEnd returns where a value starting at j ends: at the first space outside
// quotes.
func taskValueEnd(line string, j int) int {
	var closing rune
	for j < len(line) {
		r, size := utf8.DecodeRuneInString(line[j:])
		if closing != 0 {
			if core.EndsQuote(closing, r) {
				closing = 0
			}
		} else if core.QuoteCloser(r) != 0 {
			closing = core.QuoteCloser(r)
		} else if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return j
}

// taskItems reads the items of a command or an answer: lines of text, and attached
// files (CSV, or plain text read as lines).
func taskItems(body string, atts []Attachment) ([]core.TaskItemInput, []core.TaskRowError, error) {
	inputs := core.ParseTaskLines(body)
	var refused []core.TaskRowError
	for i, a := range atts {
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("file%d", i+1)
		}
		if len(a.Data) == 0 {
			return nil, nil, core.Errorf(core.EINVALID, "error.task_file_unreadable", "file", name)
		}
		if len(a.Data) > maxTaskFile {
			return nil, nil, core.Errorf(core.ELIMIT, "error.task_file_too_big", "file", name, "max", maxTaskFile>>20)
		}
		lower := strings.ToLower(name)
		if strings.HasSuffix(lower, ".txt") || strings.HasPrefix(a.ContentType, "text/plain") {
			lines := core.ParseTaskLines(string(a.Data))
			for k := range lines {
				lines[k].File = name
			}
			inputs = append(inputs, lines...)
			continue
		}
		rows, bad := core.ParseTaskCSV(name, a.Data)
		inputs = append(inputs, rows...)
		refused = append(refused, bad...)
	}
	return inputs, refused, nil
}

// taskJobOptions reads a job's settings from the command's options.
func taskJobOptions(cmd *Command) (core.TaskJob, error) {
	var job core.TaskJob
	var err error
	if job.Answer, job.Choices, err = core.ParseTaskAnswer(cmd.Opts["answer"]); err != nil {
		return job, err
	}
	job.Instructions = cmd.Opts["instructions"]
	if v, ok := cmd.Opts["per_item"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return job, core.Errorf(core.EINVALID, "error.task_bad_per_item", "text", v)
		}
		if n < 1 || n > core.MaxTaskPerItem {
			return job, core.Errorf(core.EINVALID, "error.task_per_item", "max", core.MaxTaskPerItem)
		}
		job.PerItem = n
	}
	if v, ok := cmd.Opts["reward"]; ok {
		if job.Reward, err = core.ParseMoney(v, ""); err != nil {
			return job, err
		}
	}
	if v, ok := cmd.Opts["lease"]; ok {
		if job.Lease, err = ParseDuration(v); err != nil {
			return job, err
		}
		if job.Lease < core.MinTaskLease || job.Lease > core.MaxTaskLease {
			return job, core.Errorf(core.EINVALID, "error.task_lease_range",
				"min", int(core.MinTaskLease/time.Minute), "max", int(core.MaxTaskLease/time.Minute))
		}
	}
	return job, nil
}

func (r *Router) tasksNew(ctx context.Context, req *Request) ([]Reply, error) {
	cmd, body := taskHead(req)
	words := make([]string, len(cmd.Args))
	for i, a := range cmd.Args {
		words[i] = a.Value
	}
	title := strings.Join(words, " ")
	if strings.TrimSpace(title) == "" {
		return nil, core.Errorf(core.EINVALID, "error.usage", "usage", "tasks.new")
	}
	req.Cmd = cmd
	in, err := r.tasksInput(req, title)
	if err != nil {
		return nil, err
	}
	if in.Items, in.Refused, err = taskItems(body, req.In.Attachments); err != nil {
		return nil, err
	}
	return r.makeTasks(ctx, req, in)
}

// tasksInput reads the options of /tasks new (req.Cmd) for a job titled title;
// the items are read apart.
func (r *Router) tasksInput(req *Request, title string) (core.NewTaskJob, error) {
	cmd := req.Cmd
	job, err := taskJobOptions(cmd)
	if err != nil {
		return core.NewTaskJob{}, err
	}
	in := core.NewTaskJob{Campaign: core.NewCampaign{Title: title, TimeZone: cmd.Opts["tz"]}, Job: job}
	if in.Campaign.ClosesAt, err = r.optDeadline(req, "closes", in.Campaign.TimeZone); err != nil {
		return core.NewTaskJob{}, err
	}
	return in, nil
}

// makeTasks creates a tasks campaign with its first items and answers the admin.
func (r *Router) makeTasks(ctx context.Context, req *Request, in core.NewTaskJob) ([]Reply, error) {
	c, imp, err := r.svc.CreateTaskJob(ctx, req.Actor, in)
	if err != nil {
		return nil, err
	}
	rep := r.created(c)
	job := in.Job.WithDefaults() // as the job was made: "3 per item", not "0"
	if job.Reward.Amount > 0 {
		rep.Lines = append(rep.Lines, M("tasks.new_paid", "task_type", string(job.Answer), "per_item", job.PerItem, "reward", job.Reward))
	} else {
		rep.Lines = append(rep.Lines, M("tasks.new", "task_type", string(job.Answer), "per_item", job.PerItem))
	}
	r.taskImported(req, &rep, c, imp)
	if imp.Total == 0 {
		rep.Lines = append(rep.Lines, M("tasks.how_to_add", "code", c.Code))
	} else {
		rep.Lines = append(rep.Lines, M("tasks.how_to_take", "code", c.Code))
	}
	return replies(rep)
}

func (r *Router) tasksAdd(ctx context.Context, req *Request) ([]Reply, error) {
	cmd, body := taskHead(req)
	code := strings.TrimSpace(cmd.Arg(0))
	if strings.TrimSpace(body) == "" && len(req.In.Attachments) == 0 {
		c, err := r.svc.CampaignOf(ctx, code, core.KindTasks)
		if err != nil {
			return nil, err
		}
		if c.State != core.StateOpen {
			return nil, core.Errorf(core.ECLOSED, "error.campaign_closed", "code", c.Code)
		}
		return replies(r.taskPastePrompt(c.Code))
	}
	return r.addTaskItems(ctx, req, code, body)
}

func (r *Router) taskPastePrompt(code string) Reply {
	m := M("tasks.add_prompt", "code", code)
	return Reply{Msg: m, Prompt: &Prompt{Msg: m, Action: ActionID("tkadd", code), Long: true, Max: maxTaskPaste}}
}

// taskPasted imports the items an admin sent in answer to /tasks add.
func (r *Router) taskPasted(ctx context.Context, req *Request) ([]Reply, error) {
	code := req.Act.Field(0)
	if !req.Actor.Admin {
		return nil, core.Errorf(core.EFORBIDDEN, "error.admin_only")
	}
	if strings.TrimSpace(req.Text) == "" && len(req.In.Attachments) == 0 {
		return replies(r.taskPastePrompt(code))
	}
	return r.addTaskItems(ctx, req, code, req.Text)
}

func (r *Router) addTaskItems(ctx context.Context, req *Request, code, body string) ([]Reply, error) {
	inputs, refused, err := taskItems(body, req.In.Attachments)
	if err != nil {
		return nil, err
	}
	c, imp, err := r.svc.AddTaskItems(ctx, req.Actor, code, inputs, refused)
	if err != nil {
		return nil, err
	}
	rep := reply("tasks.added", "title", c.Title, "code", c.Code)
	r.taskImported(req, &rep, c, imp)
	return replies(rep)
}

// taskImported reports an import under rep: what was added, and each refused row
// with its reason; past taskRefusedShown rows the full list comes as a CSV file.
func (r *Router) taskImported(req *Request, rep *Reply, c *core.Campaign, imp *core.TaskImport) {
	rep.Lines = append(rep.Lines, M("tasks.imported", "count", imp.Added, "total", imp.Total))
	if len(imp.Refused) == 0 {
		return
	}
	rep.Lines = append(rep.Lines, M("tasks.refused_title", "count", len(imp.Refused)))
	for i, e := range imp.Refused {
		if i == taskRefusedShown {
			rep.Lines = append(rep.Lines, M("tasks.refused_more", "count", len(imp.Refused)-taskRefusedShown))
			break
		}
		rep.Lines = append(rep.Lines, taskRefusedLine(e))
	}
	if len(imp.Refused) > taskRefusedShown {
		t := &core.Table{Name: c.Code + "-refused", Header: []string{"file", "row", "reason"}}
		for _, e := range imp.Refused {
			t.Rows = append(t.Rows, []string{e.File, strconv.Itoa(e.Row), r.T(req.Locale, Msg{Key: e.Err.Key, Args: e.Err.Args})})
		}
		rep.File = taskFile(t)
	}
}

func taskRefusedLine(e core.TaskRowError) Msg {
	reason := Msg{Key: e.Err.Key, Args: e.Err.Args}
	if e.File != "" {
		return M("tasks.refused_file_row", "file", e.File, "row", e.Row, "reason", reason)
	}
	return M("tasks.refused_row", "row", e.Row, "reason", reason)
}

// taskFile writes a table as a CSV file. A cell that a spreadsheet would run as a
// formula (=, +, -, @ first) is prefixed with a quote, unless it is a plain number.
func taskFile(t *core.Table) *File {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(t.Header) // writes to a bytes.Buffer do not fail
	cells := make([]string, 0, len(t.Header))
	for _, row := range t.Rows {
		cells = cells[:0]
		for _, s := range row {
			if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
				if _, err := strconv.ParseFloat(s, 64); err != nil {
					s = "'" + s
				}
			}
			cells = append(cells, s)
		}
		_ = w.Write(cells)
	}
	w.Flush()
	return &File{Name: t.Name + ".csv", Type: "text/csv", Data: b.Bytes()}
}

// nextTask hands the member an item of the job and shows it.
func (r *Router) nextTask(ctx context.Context, req *Request, code string) ([]Reply, error) {
	card, err := r.svc.NextTask(ctx, req.Actor, code)
	if err != nil {
		return nil, err
	}
	return replies(r.taskCard(card))
}

// taskCard shows an item: the job's instructions, the item, how long the member has,
// and the ways to answer: a button per option, or a question their next text (or
// Discord's modal) answers.
func (r *Router) taskCard(card *core.TaskCard) Reply {
	c, job, it := card.Campaign, card.Job, card.Item
	rep := Reply{Msg: M("task.card", "title", c.Title, "code", c.Code, "row", it.Row, "count", job.Items), Ephemeral: true}
	if card.Held {
		rep.Lines = append(rep.Lines, M("task.card_held"))
	}
	if job.Instructions != "" {
		rep.Lines = append(rep.Lines, M("task.card_instructions", "text", job.Instructions))
	}
	if it.Text != "" {
		rep.Lines = append(rep.Lines, M("task.card_text", "text", it.Text))
	}
	if it.MediaURL != "" {
		rep.Lines = append(rep.Lines, M("task.card_media", "url", it.MediaURL))
	}
	minutes := int(job.Lease / time.Minute)
	if it.LeaseUntil != nil {
		minutes = int((it.LeaseUntil.Sub(r.svc.Now()) + time.Minute - 1) / time.Minute)
	}
	if job.Reward.Amount > 0 {
		rep.Lines = append(rep.Lines, M("task.card_paid", "reward", job.Reward, "count", minutes))
	} else {
		rep.Lines = append(rep.Lines, M("task.card_lease", "count", minutes))
	}
	skip := Button{Msg: M("task.button_skip"), Action: ActionID("tks", it.ID), Style: StyleSecondary}
	if job.Answer == core.TaskChoice {
		rep.Lines = append(rep.Lines, M("task.card_choose"))
		var row []Button
		for i, label := range job.Choices {
			row = append(row, Button{Label: label, Action: ActionID("tka", it.ID, i)})
			if len(row) == 5 || i == len(job.Choices)-1 {
				rep.Buttons = append(rep.Buttons, row)
				row = nil
			}
		}
		rep.Buttons = append(rep.Buttons, []Button{skip})
		return rep
	}
	if job.Answer == core.TaskNumber {
		rep.Lines = append(rep.Lines, M("task.card_reply_number"))
	} else {
		rep.Lines = append(rep.Lines, M("task.card_reply_text"))
	}
	rep.Prompt = r.taskPrompt(job, it)
	rep.Buttons = [][]Button{{{Msg: M("task.button_answer"), Action: ActionID("tka", it.ID), Style: StyleSuccess}, skip}}
	return rep
}

func (r *Router) taskPrompt(job *core.TaskJob, it *core.TaskItem) *Prompt {
	return &Prompt{Msg: M("task.prompt", "row", it.Row), Action: ActionID("tka", it.ID), Long: job.Answer == core.TaskText, Max: core.MaxTaskAnswer}
}

// taskAnswer takes an answer: an option's button, or text for the item's question.
// Pressing the answer button without text asks the question again (Discord opens a
// modal for it).
func (r *Router) taskAnswer(ctx context.Context, req *Request) ([]Reply, error) {
	itemID := req.Act.Int(0)
	choice := req.Act.Field(1)
	if choice == "" && strings.TrimSpace(req.Text) == "" {
		it, err := r.svc.TaskItem(ctx, itemID)
		if err != nil {
			return nil, err
		}
		m := M("task.prompt", "row", it.Row)
		return replies(Reply{Msg: m, Ephemeral: true, Prompt: &Prompt{Msg: m, Action: ActionID("tka", itemID), Long: true, Max: core.MaxTaskAnswer}})
	}
	if !r.limiter.allow(req.Actor.Member, r.svc.Now()) {
		return nil, core.Errorf(core.ELIMIT, "error.slow_down")
	}
	var res *core.TaskResult
	var err error
	if choice != "" {
		i, perr := strconv.Atoi(choice)
		if perr != nil {
			return nil, core.Errorf(core.EINVALID, "error.unknown_action")
		}
		res, err = r.svc.AnswerTaskChoice(ctx, req.Actor, itemID, i)
	} else {
		res, err = r.svc.AnswerTask(ctx, req.Actor, itemID, req.Text)
	}
	if err != nil {
		return nil, err
	}
	var rep Reply
	switch job := res.Job; {
	case res.Missed:
		rep = reply("task.gold_missed", "row", res.Item.Row)
	case job.Reward.Amount > 0:
		rep = reply("task.answered_paid", "row", res.Item.Row, "reward", job.Reward)
	default:
		rep = reply("task.answered", "row", res.Item.Row)
	}
	rep.Ephemeral, rep.Edit = true, choice != ""
	rep.Buttons = [][]Button{{{Msg: M("task.button_next"), Action: ActionID("tkn", res.Campaign.Code)}}}
	return replies(rep)
}

func (r *Router) taskSkip(ctx context.Context, req *Request) ([]Reply, error) {
	return r.skipTask(ctx, req, codeArg(req, 0), 0)
}

func (r *Router) taskSkipButton(ctx context.Context, req *Request) ([]Reply, error) {
	reps, err := r.skipTask(ctx, req, "", req.Act.Int(0))
	for i := range reps {
		reps[i].Edit = true
	}
	return reps, err
}

func (r *Router) skipTask(ctx context.Context, req *Request, code string, itemID int64) ([]Reply, error) {
	items, err := r.svc.SkipTask(ctx, req.Actor, code, itemID)
	if err != nil {
		return nil, err
	}
	if len(items) > 1 {
		return replies(Reply{Msg: M("task.skipped_many", "count", len(items)), Ephemeral: true})
	}
	c, err := r.svc.TaskCampaign(ctx, &items[0])
	if err != nil {
		return nil, err
	}
	rep := Reply{Msg: M("task.skipped", "row", items[0].Row, "code", c.Code), Ephemeral: true}
	if c.State == core.StateOpen {
		rep.Buttons = [][]Button{{{Msg: M("task.button_next"), Action: ActionID("tkn", c.Code)}}}
	}
	return replies(rep)
}

func (r *Router) tasksReview(ctx context.Context, req *Request) ([]Reply, error) {
	return r.reviewFrom(ctx, req, codeArg(req, 0), 0, false)
}

func (r *Router) taskReviewSkip(ctx context.Context, req *Request) ([]Reply, error) {
	return r.reviewFrom(ctx, req, req.Act.Field(0), req.Act.Int(1), true)
}

func (r *Router) reviewFrom(ctx context.Context, req *Request, code string, after int64, edit bool) ([]Reply, error) {
	card, err := r.svc.TaskReview(ctx, req.Actor, code, max(after, 0))
	if err != nil {
		return nil, err
	}
	if card == nil {
		c, err := r.svc.CampaignOf(ctx, code, core.KindTasks)
		if err != nil {
			return nil, err
		}
		return replies(Reply{Msg: M("tasks.review_none", "code", c.Code), Ephemeral: true, Edit: edit})
	}
	rep := Reply{Msg: M("tasks.review_title", "code", card.Campaign.Code, "count", card.Left), Ephemeral: true, Edit: edit}
	r.reviewCard(&rep, card)
	return replies(rep)
}

// reviewCard adds an answer waiting for review to rep: the item, every answer it got,
// the one to judge, and the approve, reject and skip buttons.
func (r *Router) reviewCard(rep *Reply, card *core.TaskReviewCard) {
	it, a := card.Item, card.Answer
	rep.Lines = append(rep.Lines, M("tasks.review_item", "row", it.Row, "text", it.Text))
	if it.MediaURL != "" {
		rep.Lines = append(rep.Lines, M("task.card_media", "url", it.MediaURL))
	}
	if it.Gold != nil {
		rep.Lines = append(rep.Lines, M("tasks.review_gold", "value", *it.Gold))
	}
	switch {
	case card.Job != nil && card.Job.Answer == core.TaskText:
		// each free-text answer is judged on its own: there is no agreement to miss
		rep.Lines = append(rep.Lines, M("tasks.review_free_text"))
	case it.Flagged:
		rep.Lines = append(rep.Lines, M("tasks.review_flagged", "count", it.Answers))
	}
	for _, o := range card.Answers {
		if o.ID == a.ID {
			continue
		}
		v := core.Clip(o.Value, taskPreview)
		rep.Lines = append(rep.Lines, M("tasks.review_other", "value", v, "name", o.Name, "task_status", string(o.Status)))
	}
	rep.Lines = append(rep.Lines, M("tasks.review_answer", "id", a.ID, "name", a.Name, "value", a.Value))
	rep.Buttons = [][]Button{{
		{Msg: M("tasks.button_approve"), Action: ActionID("tkr", a.ID, "a"), Style: StyleSuccess},
		{Msg: M("tasks.button_reject"), Action: ActionID("tkr", a.ID, "r"), Style: StyleDanger},
		{Msg: M("tasks.button_review_skip"), Action: ActionID("tkq", card.Campaign.Code, a.ID), Style: StyleSecondary},
	}}
}

// taskVerdict approves or rejects an answer and moves on to the next one.
func (r *Router) taskVerdict(ctx context.Context, req *Request) ([]Reply, error) {
	verdict := req.Act.Field(1)
	if verdict != "a" && verdict != "r" {
		return nil, core.Errorf(core.EINVALID, "error.unknown_action")
	}
	res, err := r.svc.ReviewTaskAnswer(ctx, req.Actor, req.Act.Int(0), verdict == "a")
	if err != nil {
		return nil, err
	}
	key := "tasks.approved"
	if verdict == "r" {
		key = "tasks.rejected"
	}
	rep := Reply{Msg: M(key, "id", res.Answer.ID, "row", res.Item.Row), Ephemeral: true, Edit: true}
	if res.Next == nil {
		rep.Lines = append(rep.Lines, M("tasks.review_done", "code", res.Campaign.Code))
		return replies(rep)
	}
	rep.Lines = append(rep.Lines, M("tasks.review_left", "count", res.Next.Left))
	r.reviewCard(&rep, res.Next)
	return replies(rep)
}

func (r *Router) tasksExport(ctx context.Context, req *Request) ([]Reply, error) {
	c, err := r.svc.CampaignOf(ctx, codeArg(req, 0), core.KindTasks)
	if err != nil {
		return nil, err
	}
	t, err := r.svc.Export(ctx, req.Actor, c.Code)
	if err != nil {
		return nil, err
	}
	rep := reply("tasks.exported", "code", c.Code, "count", len(t.Rows))
	rep.File = taskFile(t)
	return replies(rep)
}

// taskSummary is the tasks lines of /campaign show.
func (r *Router) taskSummary(ctx context.Context, req *Request, c *core.Campaign) ([]Msg, error) {
	job, err := r.svc.TaskJob(ctx, c)
	if err != nil {
		return nil, err
	}
	p, err := r.svc.Progress(ctx, c)
	if err != nil {
		return nil, err
	}
	t := p.Tasks
	out := []Msg{M("tasks.summary", "count", t.Items, "settled", t.Settled, "answers", t.Answers, "rejected", t.Rejected, "flagged", t.Flagged)}
	if job.Reward.Amount > 0 {
		out = append(out, M("tasks.summary_paid", "task_type", string(job.Answer), "per_item", job.PerItem, "reward", job.Reward))
	} else {
		out = append(out, M("tasks.summary_job", "task_type", string(job.Answer), "per_item", job.PerItem))
	}
	switch {
	case c.State == core.StateOpen:
		out = append(out, M("tasks.how_to_take", "code", c.Code))
	case c.State.Final():
		pct := 0
		if t.Items > 0 {
			pct = t.Settled * 100 / t.Items
		}
		out = append(out, M("tasks.summary_final", "settled", t.Settled, "count", t.Items, "percent", pct))
	}
	return out, nil
}

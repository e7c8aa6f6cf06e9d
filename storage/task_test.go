package storage_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// taskFixture starts a tasks campaign of n items through the service, owned by an
// admin of a web space, and returns the service, its clock, the admin and the code.
func taskFixture(t testing.TB, db *storage.DB, job core.TaskJob, n int) (*core.Service, *core.FakeClock, core.Actor, string) {
	t.Helper()
	ctx := context.Background()
	clock := core.NewFakeClock(t0)
	svc := core.NewService(db, clock, core.DefaultSettings())
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Web, ExternalID: "web"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Web, ExternalID: "owner"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	admin := core.Actor{Member: *owner, Space: *sp, Admin: true}
	items := make([]core.TaskItemInput, n)
	for i := range items {
		items[i] = core.TaskItemInput{Row: i + 1, Text: fmt.Sprintf("record %d", i+1)}
	}
	c, imp, err := svc.CreateTaskJob(ctx, admin, core.NewTaskJob{Campaign: core.NewCampaign{Title: "Check records"}, Job: job, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Added != n || len(imp.Refused) != 0 {
		t.Fatalf("import: %+v", imp)
	}
	return svc, clock, admin, c.Code
}

// taskMembers makes n members and returns them as actors.
func taskMembers(t testing.TB, db *storage.DB, n int) []core.Actor {
	t.Helper()
	out := make([]core.Actor, n)
	for i := range out {
		m, err := db.UpsertMember(context.Background(), core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(70000 + i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = core.Actor{Member: *m}
	}
	return out
}

// TestConcurrentTaskAnswers has 200 members pull and answer at once on 500 items
// with per_item=3, each member as fast as it can until nothing is left for it. Every
// item must end with exactly 3 answers, none from the same member twice, and the
// earnings must add up. (On SQLite under -race the crowd and the job are a tenth:
// see Scale.)
func TestConcurrentTaskAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		n, crowd := storagetest.Scale(db, 500), storagetest.Scale(db, 200)
		job := core.TaskJob{Answer: core.TaskChoice, Choices: []string{"valid", "invalid"}, PerItem: 3,
			Reward: core.Money{Amount: 5, Currency: "EUR"}}
		svc, _, admin, code := taskFixture(t, db, job, n)
		members := taskMembers(t, db, crowd)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failures []error
		fail := func(err error) {
			mu.Lock()
			failures = append(failures, err)
			mu.Unlock()
		}
		for i, m := range members {
			wg.Go(func() {
				for {
					card, err := svc.NextTask(ctx, m, code)
					switch core.ErrorCode(err) {
					case "":
					case core.ELIMIT:
						// the items left are leased to others: ask again
						runtime.Gosched()
						continue
					case core.ENOTFOUND:
						return // nothing left for this member
					default:
						fail(fmt.Errorf("member %d next: %v", i, err))
						return
					}
					if _, err := svc.AnswerTaskChoice(ctx, m, card.Item.ID, (i+int(card.Item.ID))%2); err != nil {
						fail(fmt.Errorf("member %d answer item %d: %v", i, card.Item.ID, err))
						return
					}
				}
			})
		}
		wg.Wait()
		for _, err := range failures[:min(len(failures), 5)] {
			t.Error(err)
		}
		table, err := svc.Export(ctx, admin, code)
		if err != nil {
			t.Fatal(err)
		}
		perItem := map[string]int{}
		seen := map[string]bool{}
		for _, row := range table.Rows {
			item, by := row[0], row[10]
			if by == "" {
				t.Fatalf("item %s has no answer", item)
			}
			if seen[item+"|"+by] {
				t.Fatalf("item %s answered twice by %s", item, by)
			}
			seen[item+"|"+by] = true
			perItem[item]++
		}
		if len(perItem) != n {
			t.Fatalf("%d items answered, want %d", len(perItem), n)
		}
		for item, k := range perItem {
			if k != 3 {
				t.Fatalf("item %s has %d answers, want 3", item, k)
			}
		}
		c, _ := svc.Campaign(ctx, code)
		p, err := svc.Progress(ctx, c)
		if err != nil || p.Tasks.Items != n || p.Tasks.Answers != 3*n || p.Tasks.Settled != n {
			t.Fatalf("progress %+v, %v", p.Tasks, err)
		}
		var paid int64
		for _, m := range members {
			earned, err := svc.Earnings(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range earned {
				paid += e.Amount.Amount
			}
		}
		if paid != int64(3*n*5) {
			t.Fatalf("members earned %d cents in all, want %d", paid, 3*n*5)
		}
	})
}

// TestTaskLeases checks the handing-out rules on both databases: one item per member
// at a time, a lease keeps others off an item until it expires, a skipped item never
// comes back, and a member never gets an item twice.
func TestTaskLeases(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		job := core.TaskJob{Answer: core.TaskNumber, PerItem: 2, Lease: 10 * time.Minute}
		svc, clock, _, code := taskFixture(t, db, job, 2)
		m := taskMembers(t, db, 3)
		a, err := svc.NextTask(ctx, m[0], code)
		if err != nil || a.Item.Row != 1 || a.Held {
			t.Fatalf("first next: %+v %v", a, err)
		}
		again, err := svc.NextTask(ctx, m[0], code)
		if err != nil || again.Item.ID != a.Item.ID || !again.Held {
			t.Fatalf("asking again should give the same item: %+v %v", again, err)
		}
		b, err := svc.NextTask(ctx, m[1], code)
		if err != nil || b.Item.Row != 2 {
			t.Fatalf("second member: %+v %v", b, err)
		}
		if _, err := svc.NextTask(ctx, m[2], code); core.ErrorCode(err) != core.ELIMIT {
			t.Fatalf("both items leased: %v", err)
		}
		if _, err := svc.AnswerTask(ctx, m[2], a.Item.ID, "3"); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("answering someone else's item: %v", err)
		}
		// the lease expires: the item goes to the third member, the first is too late
		clock.Advance(10*time.Minute + time.Second)
		c, err := svc.NextTask(ctx, m[2], code)
		if err != nil || c.Item.ID != a.Item.ID {
			t.Fatalf("expired lease not freed: %+v %v", c, err)
		}
		if _, err := svc.AnswerTask(ctx, m[0], a.Item.ID, "3"); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("late answer: %v", err)
		}
		// an expired lease nobody took can still be answered
		if _, err := svc.AnswerTask(ctx, m[1], b.Item.ID, "4,0"); err != nil {
			t.Fatalf("answer after own lease expired: %v", err)
		}
		if _, err := svc.AnswerTask(ctx, m[2], c.Item.ID, "abc"); core.ErrorCode(err) != core.EINVALID {
			t.Fatalf("not a number: %v", err)
		}
		if _, err := svc.SkipTask(ctx, m[2], code, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SkipTask(ctx, m[2], code, 0); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("nothing to skip: %v", err)
		}
		// m[2] skipped item 1: only item 2 is left for them
		d, err := svc.NextTask(ctx, m[2], code)
		if err != nil || d.Item.ID != b.Item.ID {
			t.Fatalf("after skip: %+v %v", d, err)
		}
		r, err := svc.AnswerTask(ctx, m[2], d.Item.ID, "4")
		if err != nil || !r.Item.Settled || r.Item.Agreed != "4" || r.Item.Answers != 2 {
			t.Fatalf("two agreeing numbers should settle: %+v %v", r, err)
		}
		if _, err := svc.NextTask(ctx, m[2], code); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("nothing left for m2: %v", err)
		}
		if _, err := svc.NextTask(ctx, m[1], code); err != nil {
			t.Fatalf("item 1 is still open for m1: %v", err)
		}
	})
}

// TestTaskImportLimit has imports race for the last room in a job: the job never
// passes its cap, rows are numbered without gaps or twins, and the rows that did not
// fit are reported, not lost.
func TestTaskImportLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, _, admin, code := taskFixture(t, db, core.TaskJob{Answer: core.TaskText}, 0)
		c, _ := svc.Campaign(ctx, code)
		var wg sync.WaitGroup
		added := make([]int, 8)
		for i := range added {
			wg.Go(func() {
				items := make([]core.TaskItem, 10)
				for k := range items {
					items[k] = core.TaskItem{Text: fmt.Sprintf("batch %d item %d", i, k), CreatedAt: t0}
				}
				n, _, err := db.AddTaskItems(ctx, c.ID, items, 25)
				if err != nil {
					t.Error(err)
				}
				added[i] = n
			})
		}
		wg.Wait()
		sum := 0
		for _, n := range added {
			sum += n
		}
		p, _ := db.TaskTotals(ctx, c.ID)
		job, _ := db.TaskJob(ctx, c.ID)
		if sum != 25 || p.Items != 25 || job.Items != 25 {
			t.Fatalf("added %v (%d), %d items stored, job counts %d; want 25", added, sum, p.Items, job.Items)
		}
		page, _ := db.TaskExport(ctx, c.ID, 0, 100)
		for i, e := range page {
			if e.Item.Row != i+1 {
				t.Fatalf("item %d has row %d", i, e.Item.Row)
			}
		}
		// at the real cap, the service reports every row that did not fit
		if err := db.Exec(ctx, "UPDATE task_jobs SET items = ? WHERE campaign_id = ?", core.MaxTaskItems-2, c.ID); err != nil {
			t.Fatal(err)
		}
		rows := []core.TaskItemInput{{Row: 2, Text: "a"}, {Row: 3, Text: ""}, {Row: 4, Text: "b"}, {Row: 5, Text: "c"}, {Row: 6, Text: "d"}}
		_, imp, err := svc.AddTaskItems(ctx, admin, code, rows, nil)
		if err != nil {
			t.Fatal(err)
		}
		var refused []string
		for _, r := range imp.Refused {
			refused = append(refused, fmt.Sprint(r.Row, " ", r.Err.Key))
		}
		if imp.Added != 2 || imp.Total != core.MaxTaskItems || fmt.Sprint(refused) != "[3 error.task_item_empty 5 error.task_items_full 6 error.task_items_full]" {
			t.Fatalf("import at the cap: %+v %v", imp, refused)
		}
		if err := db.TransitionCampaign(ctx, core.Transition{CampaignID: c.ID, From: core.StateOpen, To: core.StateClosed, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AddTaskItems(ctx, c.ID, []core.TaskItem{{Text: "late"}}, 25); core.ErrorCode(err) != core.ECLOSED {
			t.Fatalf("import into a closed job: %v", err)
		}
	})
}

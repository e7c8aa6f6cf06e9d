package bots_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage/storagetest"
)

// choiceOf returns the action of option i on an item card.
func choiceOf(t *testing.T, card bots.Reply, i int) string {
	t.Helper()
	prefix := strings.TrimSuffix(Action(t, card, "tka:"), ":0")
	return fmt.Sprintf("%s:%d", prefix, i)
}

// itemRow is the row of the item a card shows.
func itemRow(card bots.Reply) any { return card.Args["row"] }

// TestTasksConversation runs a whole paid choice job through the neutral layer, in
// each language (and on Postgres too when it is configured): import with bad rows,
// next, a held item, skip, lease expiry, agreement, a gold item, a flagged item,
// review with a rejection, earnings, export, and the close.
func TestTasksConversation(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) { taskJobConversation(t, New(t), lang) })
	if storagetest.PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { taskJobConversation(t, On(t, storagetest.Postgres(t)), "en") })
	}
}

func taskJobConversation(t *testing.T, h *Harness, lang string) {
	admin, bob, carol, dave, erin, fay := Admin.In(lang), Bob.In(lang), Carol.In(lang), Dave.In(lang), Erin.In(lang), Fay.In(lang)
	ctx := context.Background()

	newJob := `/tasks new "Cat or dog?" instructions="Look at the photo" answer=choice:"cat","dog","neither one" per_item=3 reward="0.05 EUR" lease=10m
https://img.example/1.jpg
Is this a cat? https://img.example/2.jpg
https://img.example/3.jpg | cat
https://img.example/4.jpg | horse

| cat
https://img.example/7.jpg`
	h.Expect(h.Say(bob, newJob), "error.admin_only")
	created := h.Expect(h.Say(admin, newJob), "campaign.created")
	code := Code(t, created)
	if !strings.Contains(created.Text, "horse") || !strings.Contains(created.Text, "5") || !strings.Contains(created.Text, "7") {
		t.Fatalf("refused lines 5 (bad gold) and 7 (empty) not reported: %q", created.Text)
	}
	lines := map[string]any{}
	for _, l := range created.Lines {
		lines[l.Key] = l.Args
		if l.Key == "tasks.refused_row" && l.Args["row"] != 5 && l.Args["row"] != 7 {
			t.Errorf("refused row %v", l.Args["row"])
		}
	}
	if got := lines["tasks.imported"].(map[string]any); got["count"] != 4 || got["total"] != 4 {
		t.Fatalf("imported %v", got)
	}
	if lines["tasks.refused_title"].(map[string]any)["count"] != 2 || created.File != nil {
		t.Fatalf("refused report: %v, file %v", lines["tasks.refused_title"], created.File)
	}

	// a CSV with a header, semicolons (as French and Italian spreadsheets write it)
	// and a byte-order mark; one row refused, one empty row skipped
	add := h.Input(admin)
	add.Text = "/tasks add " + code
	add.Attachments = []bots.Attachment{{Name: "more.csv", ContentType: "text/csv",
		Data: []byte("\ufefftext;media_url;gold\nIs this a dog?;https://img.example/10.jpg;\n;not a url;\nA cat, surely;https://img.example/12.jpg;Cat\n;;\n")}}
	added := h.Expect(h.Do(add), "tasks.added")
	if !strings.Contains(added.Text, "more.csv") || !strings.Contains(added.Text, "not a url") {
		t.Fatalf("CSV report: %q", added.Text)
	}
	if l := added.Lines[0]; l.Args["count"] != 2 || l.Args["total"] != 6 {
		t.Fatalf("CSV import: %v", l.Args)
	}
	h.Expect(h.Say(bob, "/tasks add "+code+"\nsneaky"), "error.admin_only")

	// next hands item 1; asking again gives the same one; a skipped item never comes back
	first := h.Expect(h.Say(bob, "/task next "+code), "task.card")
	if itemRow(first) != 1 || len(first.Buttons) != 2 || len(first.Buttons[0]) != 3 || !first.Ephemeral {
		t.Fatalf("first card: %v %+v", first.Args, first.Buttons)
	}
	if !strings.Contains(first.Text, "Look at the photo") || !strings.Contains(first.Text, "https://img.example/1.jpg") {
		t.Fatalf("card text: %q", first.Text)
	}
	held := h.Expect(h.Say(bob, "/task next "+code), "task.card")
	if itemRow(held) != 1 || held.Lines[0].Key != "task.card_held" {
		t.Fatalf("asking again: %v %v", held.Args, held.Lines)
	}
	skipped := h.Expect(h.Press(bob, Action(t, first, "tks:")), "task.skipped")
	if !skipped.Edit || Action(t, skipped, "tkn:") != "tkn:"+code {
		t.Fatalf("skip reply: %+v", skipped)
	}
	bobCard := h.Expect(h.Press(bob, "tkn:"+code), "task.card")
	if itemRow(bobCard) != 2 {
		t.Fatalf("after skipping item 1 Bob got %v", itemRow(bobCard))
	}

	// Carol takes item 1 and lets her lease run out; Dave gets it; Carol is too late
	carolCard := h.Expect(h.Say(carol, "/task next "+code), "task.card")
	if itemRow(carolCard) != 1 {
		t.Fatalf("Carol got %v", itemRow(carolCard))
	}
	h.Clock.Advance(11 * time.Minute)
	daveCard := h.Expect(h.Say(dave, "/task next "+code), "task.card")
	if itemRow(daveCard) != 1 {
		t.Fatalf("expired lease not handed on: Dave got %v", itemRow(daveCard))
	}
	h.Expect(h.Press(carol, choiceOf(t, carolCard, 0)), "error.task_not_yours")
	// Bob's lease ran out too, but no one took his item: his answer still counts
	paid := h.Expect(h.Press(bob, choiceOf(t, bobCard, 0)), "task.answered_paid")
	if !paid.Edit || !strings.Contains(paid.Text, "0") {
		t.Fatalf("answer reply: %+v", paid)
	}
	h.Expect(h.Press(bob, choiceOf(t, bobCard, 1)), "error.task_already_answered")

	// agreement: two "cat" of three settle item 1
	h.Expect(h.Press(dave, choiceOf(t, daveCard, 0)), "task.answered_paid")
	carolCard = h.Expect(h.Say(carol, "/task next "+code), "task.card")
	if itemRow(carolCard) != 1 {
		t.Fatalf("the most answered item should come first; Carol got %v", itemRow(carolCard))
	}
	h.Expect(h.Press(carol, choiceOf(t, carolCard, 0)), "task.answered_paid")

	// disagreement: item 2 gets cat (Bob), dog (Carol), neither one (Dave): flagged
	for i, who := range []Who{carol, dave} {
		card := h.Expect(h.Say(who, "/task next "+code), "task.card")
		if itemRow(card) != 2 {
			t.Fatalf("%s got item %v, want 2", who.Name, itemRow(card))
		}
		h.Expect(h.Press(who, choiceOf(t, card, i+1)), "task.answered_paid")
	}

	// the third answer of item 1 is outvoted but paid; then the gold item: Erin misses it
	erinCard := h.Expect(h.Say(erin, "/task next "+code), "task.card")
	if itemRow(erinCard) != 1 {
		t.Fatalf("Erin got %v", itemRow(erinCard))
	}
	h.Expect(h.Press(erin, choiceOf(t, erinCard, 1)), "task.answered_paid")
	gold := h.Expect(h.Say(erin, "/task next "+code), "task.card")
	if itemRow(gold) != 3 {
		t.Fatalf("Erin got %v, want the gold item 3", itemRow(gold))
	}
	h.Expect(h.Press(erin, choiceOf(t, gold, 1)), "task.gold_missed")
	// Fay gets the gold item (Erin's wrong answer does not count) and answers by text
	fayGold := h.Expect(h.Say(fay, "/task next "+code), "task.card")
	if itemRow(fayGold) != 3 {
		t.Fatalf("Fay got %v, want the gold item 3", itemRow(fayGold))
	}
	h.Expect(h.Answer(fay, strings.TrimSuffix(choiceOf(t, fayGold, 0), ":0"), " CAT "), "task.answered_paid")

	summary := h.Expect(h.Say(bob, "/campaign show "+code), "campaign.show")
	// Erin's wrong gold answer does not count: it is one rejected, as in the CSV
	want := map[string]int{"count": 6, "settled": 2, "answers": 7, "rejected": 1, "flagged": 1}
	for _, l := range summary.Lines {
		if l.Key == "tasks.summary" {
			for k, v := range want {
				if l.Args[k] != v {
					t.Errorf("summary %s = %v, want %d", k, l.Args[k], v)
				}
			}
		}
	}

	// review: the flagged item's answers wait for an admin; rejecting Bob's reopens it
	h.Expect(h.Say(bob, "/tasks review "+code), "error.admin_only")
	review := h.Expect(h.Say(admin, "/tasks review "+code), "tasks.review_title")
	if review.Args["count"] != 3 || !strings.Contains(review.Text, "Bob") || !strings.Contains(review.Text, "Carol") {
		t.Fatalf("review card: %v %q", review.Args, review.Text)
	}
	h.Expect(h.Press(bob, Action(t, review, "tkr:")), "error.admin_only")
	later := h.Expect(h.Press(admin, Action(t, review, "tkq:")), "tasks.review_title")
	if !later.Edit || later.Args["count"] != 3 || strings.Contains(later.Lines[len(later.Lines)-1].Args["name"].(string), "Bob") {
		t.Fatalf("skipping to the next answer: %+v", later.Lines)
	}
	reject := strings.Replace(Action(t, review, "tkr:"), ":a", ":r", 1)
	rejected := h.Expect(h.Press(admin, reject), "tasks.rejected")
	if !strings.Contains(rejected.Text, "2") || rejected.Lines[0].Key != "tasks.review_done" {
		t.Fatalf("after rejecting, item 2 has two answers and is no longer flagged: %q", rejected.Text)
	}
	h.Expect(h.Press(admin, reject), "error.task_already_reviewed")
	if got := outboxKeys(t, h)["notice.task_rejected"]; got != 1 {
		t.Fatalf("%d rejection notices", got)
	}
	// the reopened item goes to Fay, and her "dog" settles it with Carol's
	fayCard := h.Expect(h.Say(fay, "/task next "+code), "task.card")
	if itemRow(fayCard) != 2 {
		t.Fatalf("Fay got %v, want the reopened item 2", itemRow(fayCard))
	}
	h.Expect(h.Press(fay, choiceOf(t, fayCard, 1)), "task.answered_paid")
	h.Expect(h.Say(admin, "/tasks review "+code), "tasks.review_none")

	// earnings: 5 cents per answer that counts, outvoted ones too; Bob's rejected
	// answer was reversed, so he has earned nothing (not "0.00 (2 credits)"), and
	// Erin's wrong gold answer never paid
	h.Expect(h.Say(bob, "/earnings"), "earnings.none")
	for who, cents := range map[Who]int64{carol: 10, dave: 10, erin: 5, fay: 10} {
		rep := h.Expect(h.Say(who, "/earnings"), "earnings.title")
		if rep.Lines[0].Args["amount"] != (core.Money{Amount: cents, Currency: "EUR"}) || rep.Lines[0].Args["count"] != int(cents/5) {
			t.Errorf("%s earned %v in %v credits, want %d cents", who.Name, rep.Lines[0].Args["amount"], rep.Lines[0].Args["count"], cents)
		}
	}

	// export: one row per answer, with the agreed answer and who gave it
	h.Expect(h.Say(bob, "/tasks export "+code), "error.admin_only")
	exp := h.Expect(h.Say(admin, "/tasks export "+code), "tasks.exported")
	if exp.File == nil || exp.File.Name != code+"-answers.csv" || exp.File.Type != "text/csv" {
		t.Fatalf("export file: %+v", exp.File)
	}
	rows, err := csv.NewReader(bytes.NewReader(exp.File.Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "item,text,media_url,gold,agreed,state,answers,answer_id,answer,answer_status,answered_by,name,answered_at" {
		t.Fatalf("header %v", rows[0])
	}
	byItem := map[string][]string{}
	for _, r := range rows[1:] {
		byItem[r[0]] = append(byItem[r[0]], r[4]+"/"+r[5]+"/"+r[8]+"/"+r[9]+"/"+r[11])
	}
	wantItems := map[string]string{
		"1": "cat/settled/cat/accepted/Dave cat/settled/cat/accepted/Carol cat/settled/dog/outvoted/Erin",
		"2": "dog/settled/cat/rejected/Bob dog/settled/dog/accepted/Carol dog/settled/neither one/outvoted/Dave dog/settled/dog/accepted/Fay",
		"3": "cat/settled/dog/rejected/Erin cat/settled/cat/accepted/Fay",
		"4": "/open///",
	}
	for item, w := range wantItems {
		if got := strings.Join(byItem[item], " "); got != w {
			t.Errorf("export item %s:\n got %s\nwant %s", item, got, w)
		}
	}
	if len(byItem) != 6 {
		t.Errorf("export has %d items", len(byItem))
	}

	// the same update twice answers once
	next := h.Input(bob)
	next.Text = "/task next " + code
	card := h.Expect(h.Do(next), "task.card")
	if again := h.Do(next); len(again) != 0 {
		t.Fatalf("repeated update answered %v", Keys(again))
	}
	in := h.Input(bob)
	in.Action = choiceOf(t, card, 0)
	h.Expect(h.Do(in), "task.answered_paid")
	if again := h.Do(in); len(again) != 0 {
		t.Fatalf("repeated answer answered %v", Keys(again))
	}

	// the close announces the job's result; nothing more is handed out
	h.Expect(h.Say(admin, "/campaign close "+code+" confirm"), "campaign.closed")
	if got := outboxKeys(t, h)["announce.tasks_closed"]; got != 1 {
		t.Fatalf("close announced %d times", got)
	}
	h.Expect(h.Say(carol, "/task next "+code), "error.campaign_closed")
	h.Expect(h.Say(admin, "/tasks add "+code), "error.campaign_closed")
	h.Expect(h.Say(admin, "/tasks add "+code+"\none more"), "error.campaign_closed")
	c, _ := h.Service.Campaign(ctx, code)
	if p, err := h.Service.Progress(ctx, c); err != nil || p.Tasks.Settled != 3 || p.Tasks.Items != 6 {
		t.Fatalf("progress %+v %v", p.Tasks, err)
	}
}

// TestTaskTextAnswers runs a free-text job answered by replies and by the modal, for
// points only, and its review with approvals.
func TestTaskTextAnswers(t *testing.T) {
	h := New(t)
	created := h.Expect(h.Say(Admin, "/tasks new \"Captions\" answer=text per_item=2\nhttps://img.example/a.jpg\nhttps://img.example/b.jpg"), "campaign.created")
	code := Code(t, created)
	card := h.Expect(h.Say(Bob, "/task next "+code), "task.card")
	if card.Prompt == nil || !card.Prompt.Long || !strings.HasPrefix(card.Prompt.Action, "tka:") || len(card.Buttons) != 1 {
		t.Fatalf("text card: %+v %+v", card.Prompt, card.Buttons)
	}
	// the member's next text answers
	h.Expect(h.Say(Bob, "A tabby cat on a red sofa"), "task.answered")
	// pressing Answer without text asks (a modal on Discord), the modal answers
	carol := h.Expect(h.Say(Carol, "/task next "+code), "task.card")
	if carol.Prompt.Action != card.Prompt.Action {
		t.Fatalf("Carol should get the item Bob answered first")
	}
	ask := h.Expect(h.Press(Carol, Action(t, carol, "tka:")), "task.prompt")
	if ask.Prompt == nil || ask.Prompt.Action != carol.Prompt.Action {
		t.Fatalf("prompt: %+v", ask.Prompt)
	}
	h.Expect(h.Answer(Carol, ask.Prompt.Action, "   "), "task.prompt")
	h.Expect(h.Answer(Carol, ask.Prompt.Action, strings.Repeat("x", 1001)), "error.too_long")
	h.Expect(h.Answer(Carol, ask.Prompt.Action, "Sleepy cat\u202e"), "task.answered")

	// free text waits for an admin: approve the first, reject the second
	review := h.Expect(h.Say(Admin, "/tasks review "+code), "tasks.review_title")
	if review.Args["count"] != 2 {
		t.Fatalf("review: %v", review.Args)
	}
	// the review card goes to the admin's private chat, where Telegram cannot say who
	// administers the group: the member who created the job may still decide there,
	// another member may not
	adminDM, bobDM := Admin.On(core.Telegram, Admin.ID, Admin.ID), Bob.On(core.Telegram, Bob.ID, Bob.ID)
	adminDM.Admin = false
	h.Expect(h.Press(bobDM, Action(t, review, "tkr:")), "error.admin_only")
	approved := h.Expect(h.Press(adminDM, Action(t, review, "tkr:")), "tasks.approved")
	if !approved.Edit || approved.Lines[0].Key != "tasks.review_left" || !strings.Contains(approved.Text, "Sleepy cat") {
		t.Fatalf("after approving: %q", approved.Text)
	}
	h.Expect(h.Press(Admin, strings.Replace(Action(t, approved, "tkr:"), ":a", ":r", 1)), "tasks.rejected")
	exp := h.Expect(h.Say(Admin, "/tasks export "+code), "tasks.exported")
	rows, _ := csv.NewReader(bytes.NewReader(exp.File.Data)).ReadAll()
	if rows[1][4] != "A tabby cat on a red sofa" || rows[1][5] != "settled" || rows[1][9] != "accepted" || rows[2][8] != "Sleepy cat" || rows[2][9] != "rejected" {
		t.Fatalf("export: %v", rows[1:])
	}
	// points, not money
	h.Expect(h.Say(Bob, "/earnings"), "earnings.none")
}

// TestTaskNumbersAndGoldAccuracy answers numbers as people type them, and stops a
// member whose gold answers fall below the configured accuracy.
func TestTaskNumbersAndGoldAccuracy(t *testing.T) {
	h := New(t)
	lines := []string{"/tasks new \"Count the birds\" answer=number per_item=1"}
	for i := 1; i <= 5; i++ {
		lines = append(lines, fmt.Sprintf("https://img.example/%d.jpg | %d", i, 1000+i))
	}
	lines = append(lines, "https://img.example/6.jpg")
	code := Code(t, h.Expect(h.Say(Admin, strings.Join(lines, "\n")), "campaign.created"))
	// Bob answers right, in people's formats: "1 001", "1,002.0", "1002,9" is wrong
	for _, answer := range []string{"1 001", "1,002.0"} {
		card := h.Expect(h.Say(Bob, "/task next "+code), "task.card")
		h.Expect(h.Answer(Bob, Action(t, card, "tka:"), answer), "task.answered")
	}
	card := h.Expect(h.Say(Bob, "/task next "+code), "task.card")
	h.Expect(h.Answer(Bob, Action(t, card, "tka:"), "many"), "error.task_not_a_number")
	h.Expect(h.Answer(Bob, Action(t, card, "tka:"), "1e400"), "error.task_not_a_number")
	h.Expect(h.Answer(Bob, Action(t, card, "tka:"), "1002,9"), "task.gold_missed")
	// Carol gets the gold items Bob has not settled and misses three: she is stopped
	for i := 0; i < 3; i++ {
		card := h.Expect(h.Say(Carol, "/task next "+code), "task.card")
		h.Expect(h.Answer(Carol, Action(t, card, "tka:"), "7"), "task.gold_missed")
	}
	stopped := h.Expect(h.Say(Carol, "/task next "+code), "error.task_accuracy_low")
	if stopped.Args["accuracy"] != 0 || stopped.Args["min"] != 60 {
		t.Fatalf("accuracy reply: %v", stopped.Args)
	}
	// Bob, two of three right (67%), goes on
	h.Expect(h.Say(Bob, "/task next "+code), "task.card")
}

// TestTaskBadInput checks that every bad command gets a clear, translated reason and
// creates nothing.
func TestTaskBadInput(t *testing.T) {
	h := New(t)
	for cmd, key := range map[string]string{
		`/tasks new "X"`:                                            "error.usage",
		`/tasks new answer=text`:                                    "error.usage",
		`/tasks new "X" answer=maybe`:                               "error.task_bad_answer_type",
		`/tasks new "X" answer=choice:"only one"`:                   "error.task_choices_count",
		`/tasks new "X" answer=choice:a,A`:                          "error.task_choice_twice",
		`/tasks new "X" answer=choice:"a",""`:                       "error.empty",
		`/tasks new "X" answer=text per_item=0`:                     "error.task_per_item",
		`/tasks new "X" answer=text per_item=11`:                    "error.task_per_item",
		`/tasks new "X" answer=text per_item=three`:                 "error.task_bad_per_item",
		`/tasks new "X" answer=text reward="-1 EUR"`:                "error.amount_bad",
		`/tasks new "X" answer=text reward=5`:                       "error.amount_currency_missing",
		`/tasks new "X" answer=text reward="0 EUR"`:                 "error.amount_not_positive",
		`/tasks new "X" answer=text lease=5s`:                       "error.task_lease_range",
		`/tasks new "X" answer=text lease=3d`:                       "error.task_lease_range",
		`/tasks new "X" answer=text closes=2020-01-01`:              "error.deadline_past",
		`/tasks new "X" answer=text colour=red`:                     "error.unknown_option",
		`/tasks new "` + strings.Repeat("x", 201) + `" answer=text`: "error.too_long",
		`/task next zzzz9`:                                          "error.campaign_not_found",
		`/task next`:                                                "error.usage",
		`/task skip`:                                                "error.task_nothing_to_skip",
		`/tasks export zzzz9`:                                       "error.campaign_not_found",
		`/campaign new tasks "X"`:                                   "error.campaign_new_kind",
	} {
		h.Expect(h.Say(Admin, cmd), key)
	}
	if list, _ := h.Service.Campaigns(context.Background(), core.CampaignFilter{}); len(list) != 0 {
		t.Fatalf("bad commands created %d campaigns", len(list))
	}
	// a choice with spaces, quoted, and a title in typographic quotes
	created := h.Expect(h.Say(Admin, `/tasks new “Sort the cars” answer=choice:"red car","blue car",other`), "campaign.created")
	code := Code(t, created)
	if created.Args["title"] != "Sort the cars" || !strings.Contains(created.Text, "/tasks add "+code) {
		t.Fatalf("created: %v %q", created.Args, created.Text)
	}
	h.Expect(h.Say(Bob, "/task next "+code), "error.task_none_left")
	// /tasks add without items asks for them; the answer is read as lines
	ask := h.Expect(h.Say(Admin, "/tasks add "+code), "tasks.add_prompt")
	if ask.Prompt == nil || ask.Prompt.Action != "tkadd:"+code {
		t.Fatalf("add prompt: %+v", ask.Prompt)
	}
	added := h.Expect(h.Say(Admin, "first car https://img.example/c1.jpg\nsecond car | blue car\n"+strings.Repeat("y", 1001)), "tasks.added")
	if added.Lines[0].Args["count"] != 2 || !strings.Contains(added.Text, "3") {
		t.Fatalf("pasted items: %q", added.Text)
	}
	card := h.Expect(h.Say(Bob, "/task next "+code), "task.card")
	if len(card.Buttons[0]) != 3 || card.Buttons[0][0].Label != "red car" {
		t.Fatalf("choice buttons: %+v", card.Buttons)
	}
	h.Expect(h.Answer(Bob, strings.TrimSuffix(Action(t, card, "tka:"), ":0"), "purple"), "error.task_not_a_choice")
	h.Expect(h.Press(Bob, strings.TrimSuffix(Action(t, card, "tka:"), ":0")+":9"), "error.task_not_a_choice")
	h.Expect(h.Press(Bob, strings.TrimSuffix(Action(t, card, "tka:"), ":0")+":x"), "error.unknown_action")
	h.Expect(h.Press(Bob, "tka:999999:0"), "error.task_item_not_found")
	h.Expect(h.Press(Admin, "tkr:999999:a"), "error.task_answer_not_found")
	h.Expect(h.Press(Admin, "tkr:1:z"), "error.unknown_action")
	// many refused rows: ten shown, every one in the attached report
	var b strings.Builder
	b.WriteString("/tasks add " + code)
	for i := 0; i < 25; i++ {
		b.WriteString("\nftp://nope | not an option")
	}
	report := h.Expect(h.Say(Admin, b.String()), "tasks.added")
	if report.File == nil || !strings.HasSuffix(report.File.Name, "-refused.csv") {
		t.Fatalf("no refused report file")
	}
	rows, _ := csv.NewReader(bytes.NewReader(report.File.Data)).ReadAll()
	if len(rows) != 26 || rows[1][1] != "2" || !strings.Contains(rows[1][2], "not an option") {
		t.Fatalf("refused report rows: %d %v", len(rows), rows[:2])
	}
	// files that could not be read are refused whole
	in := h.Input(Admin)
	in.Text = "/tasks add " + code
	in.Attachments = []bots.Attachment{{Name: "big.csv", URL: "https://files.example/big.csv"}}
	h.Expect(h.Do(in), "error.task_file_unreadable")
}

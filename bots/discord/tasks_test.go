package discord_test

import (
	"strings"
	"testing"

	"crowdbot/bots/discord/dcfake"
)

// withCSV is a command step with a CSV attached as its items option, served by the
// CDN of the REST fake.
func withCSV(who dcfake.User, name, sub, id, filename, data string, opts ...opt) func(s *state) map[string]any {
	return func(s *state) map[string]any {
		a := dcfake.Attachment{ID: id, Filename: filename, ContentType: "text/csv; charset=utf-8", Size: len(data),
			URL: s.e.rest.AddFile(channel, id, filename, []byte(data))}
		return command(who, here, name, sub, append(opts, file("items", a))...)(s)
	}
}

// keepButton saves as name the custom id of the first button starting with prefix,
// changed by f.
func keepButton(prefix, name string, f func(string) string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) { s.v[name] = f(first.button(t, s.expand(prefix))) }
}

// A paid choice job whose items come as CSV attachments and in the /tasks add modal;
// members take items, skip them by command and by button, answer by button; a
// free-text job answered in its modal; review with approve, reject and skip buttons;
// the export as an attachment, and the earnings.
var tasks = []step{
	{name: "tasks new member", do: command(bob, here, "tasks", "new", str("title", "Cat or dog?"), str("answer", "choice:cat,dog")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "tasks new bad answer", do: command(ada, here, "tasks", "new", str("title", "Cat or dog?"), str("answer", "maybe")),
		typ: 4, key: "error.task_bad_answer_type", private: true},
	{name: "tasks new with a CSV", do: withCSV(ada, "tasks", "new", "1290000000000000010", "items.csv",
		"text,media_url,gold\n,https://img.example/1.jpg,\nIs this a cat?,https://img.example/2.jpg,\n,https://img.example/3.jpg,horse\n",
		str("title", "Cat or dog?"), str("answer", `choice:cat,dog,"neither one"`), str("instructions", "Look at the photo"), num("per_item", "2"),
		str("reward", "0.05 EUR"), str("lease", "10m")),
		typ: 4, key: "campaign.created", keep: map[string]string{"code": "tasks"}, check: all(holds("€0.05"), holds("horse"))},
	{name: "tasks add a CSV", do: withCSV(ada, "tasks", "add", "1290000000000000011", "more.csv",
		"text;media_url\nIs this a dog?;https://img.example/10.jpg\n;not a url\n", str("code", "$tasks")),
		typ: 4, key: "tasks.added", check: all(holds("more.csv"), holds("not a url"))},
	{name: "tasks add member", do: command(bob, here, "tasks", "add", str("code", "$tasks")), typ: 4, key: "error.admin_only", private: true},
	{name: "tasks add without items: a modal", do: command(ada, here, "tasks", "add", str("code", "$tasks")), typ: 9, check: modalFor("tkadd:{tasks}")},
	{name: "the modal's lines are items", do: submit(ada, here, "tkadd:{tasks}", "https://img.example/20.jpg\nhttps://img.example/21.jpg", ""),
		typ: 4, key: "tasks.added"},
	{name: "task next unknown", do: command(bob, here, "task", "next", str("code", "zzzz9")), typ: 4, key: "error.campaign_not_found", private: true},
	{name: "task skip nothing", do: command(bob, here, "task", "skip"), typ: 4, key: "error.task_nothing_to_skip", private: true},
	{name: "task next", do: command(bob, here, "task", "next", str("code", "$tasks")), typ: 4, key: "task.card", private: true,
		check: all(buttons("tka:", 3), buttons("tks:", 1), holds("Look at the photo"), holds("https://img.example/1.jpg"))},
	{name: "task skip", do: command(bob, here, "task", "skip", str("code", "$tasks")), typ: 4, key: "task.skipped", private: true,
		check: all(saveMsg("skipped"), buttons("tkn:", 1))},
	{name: "the next by button", do: press(bob, here, "tkn:{tasks}", "skipped"), typ: 4, key: "task.card", private: true,
		check: all(saveMsg("card2"), saveButton("tks:", "skip2"), holds("https://img.example/2.jpg"))},
	{name: "skip by button edits", do: press(bob, here, "$skip2", "card2"), typ: 7, key: "task.skipped", check: saveMsg("skipped2")},
	{name: "the next one", do: press(bob, here, "tkn:{tasks}", "skipped2"), typ: 4, key: "task.card", private: true,
		check: all(saveMsg("card3"), saveButton("tka:", "choice"))},
	{name: "answer by button", do: press(bob, here, "$choice", "card3"), typ: 7, key: "task.answered_paid", check: buttons("tkn:", 1)},
	{name: "not twice", do: press(bob, here, "$choice", "card3"), typ: 4, key: "error.task_already_answered", private: true},
	{name: "tasks new text", do: withCSV(ada, "tasks", "new", "1290000000000000012", "captions.csv",
		"media_url\nhttps://img.example/a.jpg\nhttps://img.example/b.jpg\n", str("title", "Captions"), str("answer", "text"), num("per_item", "1")),
		typ: 4, key: "campaign.created", keep: map[string]string{"code": "captions"}},
	{name: "a text item shows itself", do: command(bob, here, "task", "next", str("code", "$captions")), typ: 4, key: "task.card", private: true,
		check: all(saveMsg("tcard"), keepButton("tka:", "ans", same), buttons("tks:", 1), holds("https://img.example/a.jpg"))},
	{name: "its answer button opens a modal", do: press(bob, here, "$ans", "tcard"), typ: 9, check: modalFor("{ans}")},
	{name: "the modal answers", do: submit(bob, here, "$ans", "A tabby cat on a red sofa", "tcard"), typ: 4, key: "task.answered", private: true,
		check: saveMsg("answered")},
	{name: "the next text item", do: press(bob, here, "tkn:{captions}", "answered"), typ: 4, key: "task.card", private: true,
		check: all(saveMsg("tcard2"), keepButton("tka:", "ans2", same), holds("https://img.example/b.jpg"))},
	{name: "too long an answer", do: submit(bob, here, "$ans2", strings.Repeat("x", 1001), "tcard2"), typ: 4, key: "error.too_long", private: true},
	{name: "the second answer", do: submit(bob, here, "$ans2", "Sleepy cat\u202e", "tcard2"), typ: 4, key: "task.answered", private: true},
	{name: "tasks review member", do: command(bob, here, "tasks", "review", str("code", "$captions")), typ: 4, key: "error.admin_only", private: true},
	{name: "tasks review", do: command(ada, here, "tasks", "review", str("code", "$captions")), typ: 4, key: "tasks.review_title", private: true,
		check: all(saveMsg("review"), buttons("tkr:", 2), buttons("tkq:", 1), holds("A tabby cat on a red sofa"), saveButton("tkq:", "later"))},
	{name: "a member may not approve", do: press(bob, here, "tkr:1:a", "review"), typ: 4, key: "error.admin_only", private: true},
	{name: "review skip edits", do: press(ada, here, "$later", "review"), typ: 7, key: "tasks.review_title",
		check: all(holds("Sleepy cat"), saveMsg("review2"), saveButton("tkr:", "approve"))},
	{name: "approve", do: press(ada, here, "$approve", "review2"), typ: 7, key: "tasks.approved",
		check: all(saveMsg("review3"), keepButton("tkr:", "reject", func(id string) string { return strings.TrimSuffix(id, ":a") + ":r" }))},
	{name: "reject", do: press(ada, here, "$reject", "review3"), typ: 7, key: "tasks.rejected"},
	{name: "tasks review none", do: command(ada, here, "tasks", "review", str("code", "$captions")), typ: 4, key: "tasks.review_none", private: true},
	{name: "tasks export member", do: command(bob, here, "tasks", "export", str("code", "$tasks")), typ: 4, key: "error.admin_only", private: true},
	{name: "tasks export", do: command(ada, here, "tasks", "export", str("code", "$tasks")), typ: 5, key: "tasks.exported", private: true,
		check: func(t *testing.T, s *state, got shown, first msg) {
			uploads(s.get("tasks")+"-answers.csv", "item,text,media_url,gold,agreed")(t, s, got, first)
		}},
	{name: "earnings after the job", do: command(bob, here, "earnings", ""), typ: 4, key: "earnings.title", private: true,
		check: holds("Cat or dog?: €0.05 (1 credit)")},
}

func same(s string) string { return s }

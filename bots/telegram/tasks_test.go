package telegram_test

import (
	"strings"
	"testing"

	"crowdbot/bots"
	"crowdbot/bots/telegram/tgfake"
)

// itemsCSV is a spreadsheet of items an admin sends as a document: a header, one
// row refused (its link is no link) and two items.
var itemsCSV = []byte("text;media_url\nIs this a dog?;https://img.example/10.jpg\n;not a url\nA cat, surely;https://img.example/12.jpg\n")

// keep saves, as name, the first callback data starting with prefix on the last
// message sent or edited, changed by f.
func keep(prefix, name string, f func(string) string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		for i := len(reqs) - 1; i >= 0; i-- {
			for _, data := range callbacks(reqs[i]) {
				if strings.HasPrefix(data, h.sub(prefix)) {
					h.vars[name] = f(data)
					return
				}
			}
		}
		t.Errorf("no button %s: %s", prefix, describe(reqs))
	}
}

func same(s string) string { return s }

// tasks is a paid choice job made in the group with items as lines, a CSV document
// and lines answering the bot's question; members take items privately, skip them,
// answer by button, an item already answered; a free-text job answered by replies
// to the bot's questions; review with approve, reject and skip buttons; the export
// as a document, and the earnings.
func tasks() []step {
	G := group.ID
	B := tgfake.Private(bob)
	edited := func(chat int64) call { return call{method: "editMessageText", chat: chat} }
	return []step{
		{name: "tasks: a member may not create", who: bob, say: "/tasks new \"Cat or dog?\" answer=choice:cat,dog\nhttps://img.example/1.jpg",
			keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "tasks: a bad answer type", who: ada, say: `/tasks new "Cat or dog?" answer=maybe`, keys: keys("error.task_bad_answer_type"), calls: calls(send(ada.ID))},
		{name: "tasks: created with items as lines, one refused", who: ada,
			say: "/tasks new \"Cat or dog?\" instructions=\"Look at the <photo>\" answer=choice:cat,dog,\"neither one\" per_item=2 reward=\"0.05 EUR\" lease=10m\n" +
				"https://img.example/1.jpg\nIs this a cat? https://img.example/2.jpg\nhttps://img.example/3.jpg | horse",
			keys: keys("campaign.created"), calls: calls(send(G)), save: map[string]string{"tasks": "code"}, check: all(shows("horse"), shows("€0.05"))},
		{name: "tasks: more items as a CSV document", before: func(h *harness) { h.fake.AddFile("items-csv", itemsCSV) }, who: ada, say: "/tasks add {tasks}",
			doc:  &tgfake.Document{FileID: "items-csv", FileUniqueID: "ic", FileName: "items.csv", MimeType: "text/csv", FileSize: len(itemsCSV)},
			keys: keys("tasks.added"), calls: calls(send(G)), check: all(shows("items.csv"), shows("not a url"))},
		{name: "tasks: a member may not add", who: bob, say: "/tasks add {tasks}\nsneaky", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "tasks: no items: the bot asks for them", who: ada, say: "/tasks add {tasks}", keys: keys("tasks.add_prompt"), calls: calls(send(G)), check: forcesReply},
		{name: "tasks: the reply's lines are the items", who: ada, answer: true, say: "https://img.example/20.jpg\nhttps://img.example/21.jpg",
			keys: keys("tasks.added"), calls: calls(send(G))},
		{name: "tasks: an unknown job", who: bob, say: "/task next zzzz9", keys: keys("error.campaign_not_found"), calls: calls(send(bob.ID))},
		{name: "tasks: nothing to skip", who: bob, say: "/task skip", keys: keys("error.task_nothing_to_skip"), calls: calls(send(bob.ID))},
		{name: "tasks: an item, privately", who: bob, say: "/task next {tasks}", keys: keys("task.card"), calls: calls(send(bob.ID)),
			check: all(keyboard("tka:", 3), keyboard("tks:", 1), shows("Look at the <photo>"), shows("https://img.example/1.jpg"))},
		{name: "tasks: skipped by command", who: bob, say: "/task skip {tasks}", keys: keys("task.skipped"), calls: calls(send(bob.ID)), check: keyboard("tkn:", 1)},
		{name: "tasks: the next item by button", in: B, who: bob, press: "tkn:", keys: keys("task.card"), calls: calls(send(bob.ID), answered),
			check: shows("https://img.example/2.jpg")},
		{name: "tasks: skipped by button, in place", in: B, who: bob, press: "tks:", keys: keys("task.skipped"), calls: calls(edited(bob.ID), answered)},
		{name: "tasks: the next one", in: B, who: bob, press: "tkn:", keys: keys("task.card"), calls: calls(send(bob.ID), answered),
			check: keep("tka:", "choice", same)},
		{name: "tasks: answered by button, paid", in: B, who: bob, press: "tka:", keys: keys("task.answered_paid"), calls: calls(edited(bob.ID), answered),
			check: keyboard("tkn:", 1)},
		{name: "tasks: not twice", in: B, who: bob, press: "tkn:", data: "{choice}", keys: keys("error.task_already_answered"), calls: calls(answered), check: toast},
		{name: "tasks: an option the job lacks", in: B, who: bob, press: "tkn:", data: "{choice}9", keys: keys("error.task_not_a_choice"), calls: calls(answered)},
		{name: "tasks: the free-text job", who: ada, say: "/tasks new \"Captions\" answer=text per_item=1\nhttps://img.example/a.jpg\nhttps://img.example/b.jpg",
			keys: keys("campaign.created"), calls: calls(send(G)), save: map[string]string{"captions": "code"}},
		{name: "tasks: a text item asks for a reply", in: B, who: bob, say: "/task next {captions}", keys: keys("task.card"), calls: calls(send(bob.ID)),
			check: all(keyboard("tka:", 1), keyboard("tks:", 1), shows("https://img.example/a.jpg"))},
		{name: "tasks: the reply answers", in: B, who: bob, answer: true, say: "A tabby cat on a red sofa", keys: keys("task.answered"), calls: calls(send(bob.ID))},
		{name: "tasks: the next text item", in: B, who: bob, press: "tkn:{captions}", keys: keys("task.card"), calls: calls(send(bob.ID), answered),
			check: shows("https://img.example/b.jpg")},
		{name: "tasks: too long an answer", in: B, who: bob, answer: true, say: strings.Repeat("x", 1001), keys: keys("error.too_long"), calls: calls(send(bob.ID))},
		{name: "tasks: the answer button asks again", in: B, who: bob, press: "tka:", keys: keys("task.prompt"), calls: calls(send(bob.ID), answered),
			check: forcesReplyPrivately},
		{name: "tasks: the reply to it answers", in: B, who: bob, answer: true, say: "Sleepy cat\u202e", keys: keys("task.answered"), calls: calls(send(bob.ID))},
		{name: "tasks: a member may not review", who: bob, say: "/tasks review {captions}", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		// the review card goes to the admin privately, where Telegram cannot tell an
		// admin: the group's anonymous admin reviews in the group instead
		{name: "tasks: review, by the group's anonymous admin", post: true, say: "/tasks review {captions}", keys: keys("tasks.review_title"), calls: calls(send(G)),
			check: all(keyboard("tkr:", 2), keyboard("tkq:", 1), shows("A tabby cat on a red sofa"))},
		{name: "tasks: a member may not approve", who: bob, press: "tkr:", keys: keys("error.admin_only"), calls: calls(answered), check: toast},
		{name: "tasks: the next answer to review, in place", who: ada, press: "tkq:", keys: keys("tasks.review_title"), calls: calls(edited(G), answered),
			check: shows("Sleepy cat")},
		{name: "tasks: approved", who: ada, press: "tkr:", keys: keys("tasks.approved"), calls: calls(edited(G), answered),
			check: keep("tkr:", "reject", func(s string) string { return strings.TrimSuffix(s, ":a") + ":r" })},
		{name: "tasks: rejected", who: ada, press: "tkr:", data: "{reject}", keys: keys("tasks.rejected"), calls: calls(edited(G), answered)},
		{name: "tasks: nothing left to review", who: ada, say: "/tasks review {captions}", keys: keys("tasks.review_none"), calls: calls(send(ada.ID))},
		{name: "tasks: a member may not export", who: bob, say: "/tasks export {tasks}", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "tasks: the export, privately", who: ada, say: "/tasks export {tasks}", keys: keys("tasks.exported"), calls: calls(sendDocument(ada.ID)),
			check: document("-answers.csv", "item,text,media_url,gold,agreed")},
		{name: "tasks: the member's earnings", who: bob, say: "/earnings", keys: keys("earnings.title"), calls: calls(send(bob.ID)), check: shows("Cat or dog?: €0.05 (1 credit)")},
	}
}

// forcesReplyPrivately: in a private chat the question forces a reply, quoting
// nothing.
func forcesReplyPrivately(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
	p := reqs[0].Params
	if !strings.Contains(p["reply_markup"], `"force_reply":true`) || chatOf(reqs[0]) != bob.ID {
		t.Errorf("the question does not ask for a reply: %v", p)
	}
}

// shows: the member sees text in the last message sent or edited (a press's own
// answer aside).
func shows(text string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, replies []bots.Reply) {
		for i := len(reqs) - 1; i >= 0; i-- {
			if reqs[i].Method != "answerCallbackQuery" {
				says(text)(t, h, reqs[:i+1], replies)
				return
			}
		}
		t.Errorf("nothing sent")
	}
}

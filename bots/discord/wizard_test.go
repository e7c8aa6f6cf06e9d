package discord_test

import (
	"context"
	"encoding/json"
	"testing"

	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

// sameJSON fails unless got, as JSON, is the JSON want (keys in any order).
func sameJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: the expected JSON: %v", what, err)
	}
	g, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if string(g) != string(wb) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, wb)
	}
}

// TestWizardModals walks the guided set-up of a poll through signed HTTP
// interactions: the kind's button opens the first question as a modal; the answer to
// a modal cannot be another modal, so the next question comes privately with a
// button that opens its modal, next to Skip when it is optional, and Cancel; a refused
// answer brings core's reason and the button again; a modal closed unanswered
// opens again from the kind's button; a choice stays buttons; a
// button of an earlier step does nothing; Create makes the poll.
func TestWizardModals(t *testing.T) {
	e := newEnv(t)
	d := e.dc
	var q map[string]any // the message a button is pressed on
	onMessage := func(m msg) map[string]any {
		var comps []any
		for _, b := range m.buttons {
			comps = append(comps, map[string]any{"type": 1, "components": []any{map[string]any{"type": 2, "style": 1, "label": b.label, "custom_id": b.id}}})
		}
		return dcfake.Message("1290000000000000001", channel, m.text, comps)
	}
	one := func(s shown, typ int, key string, private bool) msg {
		t.Helper()
		if s.answer.Status != 200 || s.answer.Type != typ {
			t.Fatalf("answer %d type %d, want %d: %s", s.answer.Status, s.answer.Type, typ, s.answer.Body)
		}
		ms := s.messages()
		if len(ms) == 0 {
			t.Fatalf("no message: %s", s.answer.Body)
		}
		firstKey(t, ms[0].text, "en", key)
		if ms[0].private != private {
			t.Fatalf("%s private %v", key, ms[0].private)
		}
		return ms[0]
	}
	modal := func(s shown, customID, title, placeholder string, style, max int) {
		t.Helper()
		if s.answer.Status != 200 || s.answer.Type != 9 {
			t.Fatalf("answer %d type %d, want a modal: %s", s.answer.Status, s.answer.Type, s.answer.Body)
		}
		sameJSON(t, "modal", map[string]any{"custom_id": s.answer.Data["custom_id"], "title": s.answer.Data["title"], "components": s.answer.Data["components"]},
			`{"custom_id":"`+customID+`","title":"`+title+`","components":[{"type":1,"components":[{"type":4,"custom_id":"answer",
			"label":"`+title+`","placeholder":"`+placeholder+`","style":`+itoa(style)+`,"required":true,"min_length":1,"max_length":`+itoa(max)+`}]}]}`)
		if len(s.calls) != 0 {
			t.Fatalf("a modal with more: %v", s.calls)
		}
	}

	kinds := one(e.do(d.Command(ada, here, "campaign", "new", nil)), 4, "wizard.kind", true)
	q = onMessage(kinds)
	modal(e.do(d.Press(ada, here, kinds.button(t, "wz:1:1:k:poll"), q)), "wz:1:2:a", "(1/4) What is the poll's question?", "Question", 1, core.MaxPollQuestion)
	// the modal closed unanswered: the same kind again opens it again, another kind does nothing
	modal(e.do(d.Press(ada, here, "wz:1:1:k:poll", q)), "wz:1:2:a", "(1/4) What is the poll's question?", "Question", 1, core.MaxPollQuestion)
	one(e.do(d.Press(ada, here, "wz:1:1:k:ideas", q)), 4, "wizard.stale", true)

	// the answer to a modal: the next question, privately, with its Answer button
	s := e.do(d.Submit(ada, here, "wz:1:2:a", "answer", "Best day?", q))
	ask := one(s, 4, "wizard.ask.options", true)
	sameJSON(t, "options' buttons", s.answer.Data["components"], `[
		{"type":1,"components":[{"type":2,"style":1,"custom_id":"wz:1:3:a","label":"Answer","emoji":{"name":"✍️"},"disabled":false},
			{"type":2,"style":2,"custom_id":"wz:1:3:x","label":"Cancel","disabled":false}]}]`)
	q = onMessage(ask)
	optionsMax := core.MaxPollOptions * (core.MaxPollOption + 1)
	modal(e.do(d.Press(ada, here, "wz:1:3:a", q)), "wz:1:3:a", "(2/4) What are the options?", "Options, one per line", 2, optionsMax)

	// a refused answer: the reason, and the question with its button again
	s = e.do(d.Submit(ada, here, "wz:1:3:a", "answer", "Only Monday", q))
	ms := s.messages()
	if len(ms) != 2 {
		t.Fatalf("a refused answer showed %d messages: %+v", len(ms), ms)
	}
	firstKey(t, ms[0].text, "en", "error.poll_options_count")
	if !ms[0].private {
		t.Fatalf("the reason was shown to all")
	}
	firstKey(t, ms[1].text, "en", "wizard.ask.options")
	if !ms[1].private || ms[1].button(t, "wz:1:3:a") == "" {
		t.Fatalf("asked again as %+v", ms[1])
	}
	modal(e.do(d.Press(ada, here, "wz:1:3:a", q)), "wz:1:3:a", "(2/4) What are the options?", "Options, one per line", 2, optionsMax)
	s = e.do(d.Submit(ada, here, "wz:1:3:a", "answer", "Mon\nTue", q))
	ask = one(s, 4, "wizard.ask.closes", true)
	sameJSON(t, "an optional question's buttons", s.answer.Data["components"], `[
		{"type":1,"components":[{"type":2,"style":1,"custom_id":"wz:1:4:a","label":"Answer","emoji":{"name":"✍️"},"disabled":false},
			{"type":2,"style":2,"custom_id":"wz:1:4:s","label":"Skip","disabled":false}]},
		{"type":1,"components":[{"type":2,"style":2,"custom_id":"wz:1:4:x","label":"Cancel","disabled":false}]}]`)
	q = onMessage(ask)
	// its Answer button opens its modal, and leaves nothing out
	modal(e.do(d.Press(ada, here, "wz:1:4:a", q)), "wz:1:4:a", "(3/4) When does it close?", "Closes", 1, 40)

	// skipped: a choice stays buttons
	choice := one(e.do(d.Press(ada, here, "wz:1:4:s", q)), 4, "wizard.ask.hidden", true)
	if choice.button(t, "wz:1:5:c:yes") == "" || choice.button(t, "wz:1:5:s") == "" || choice.button(t, "wz:1:5:x") == "" {
		t.Fatalf("choice buttons %+v", choice.buttons)
	}
	// a button of an earlier step does nothing
	one(e.do(d.Press(ada, here, "wz:1:4:s", q)), 4, "wizard.stale", true)
	one(e.do(d.Press(ada, here, "wz:1:3:a", q)), 4, "wizard.stale", true)
	q = onMessage(choice)
	preview := one(e.do(d.Press(ada, here, "wz:1:5:c:yes", q)), 4, "wizard.preview", true)
	if len(preview.buttons) != 2 || preview.button(t, "wz:1:6:ok") == "" || preview.button(t, "wz:1:6:x") == "" {
		t.Fatalf("preview buttons %+v", preview.buttons)
	}
	q = onMessage(preview)
	one(e.do(d.Press(ada, here, "wz:1:6:ok", q)), 4, "poll.created", true)

	list, err := e.h.Service.Campaigns(context.Background(), core.CampaignFilter{})
	if err != nil || len(list) != 1 || list[0].Kind != core.KindPoll || list[0].Title != "Best day?" {
		t.Fatalf("campaigns %+v, %v", list, err)
	}
	_, p, err := e.h.Service.Poll(context.Background(), list[0].Code)
	if err != nil || len(p.Options) != 2 || p.Options[1].Label != "Tue" || !p.Hidden {
		t.Fatalf("poll %+v, %v", p, err)
	}
	one(e.do(d.Press(ada, here, "wz:1:6:ok", q)), 4, "wizard.gone", true)
}

package web

import (
	"strings"
	"testing"
)

// wzButton returns the action of the reply's set-up button ending in suffix.
func wzButton(t *testing.T, r map[string]any, suffix string) string {
	t.Helper()
	list, _ := r["buttons"].([]any)
	for _, b := range list {
		if a, _ := b.(map[string]any)["action"].(string); strings.HasPrefix(a, "wz:") && strings.HasSuffix(a, suffix) {
			return a
		}
	}
	t.Fatalf("no set-up button *%s in %v", suffix, r)
	return ""
}

// TestPlaygroundWizard sets up a poll in the playground: the questions come as
// messages with buttons, typed answers answer them, and "create" makes one poll.
func TestPlaygroundWizard(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	one := func(rs []map[string]any, key string, args ...any) map[string]any {
		t.Helper()
		if len(rs) != 1 || !strings.HasPrefix(text(rs[0]), strings.SplitN(e.tr("en", key, args...), "{", 2)[0]) {
			t.Fatalf("replies %v, want %s", rs, key)
		}
		return rs[0]
	}
	r := one(b.say("alice", "/campaign new"), "wizard.kind")
	r = one(b.press("alice", wzButton(t, r, ":k:poll")), "wizard.ask.question", "n", 1, "count", 4)
	r = one(b.say("alice", "Best day?"), "wizard.ask.options", "n", 2, "count", 4)
	rs := b.say("alice", "Mon")
	if len(rs) != 2 || !strings.Contains(text(rs[1]), e.tr("en", "wizard.ask.options", "n", 2, "count", 4)) {
		t.Fatalf("a refused answer: %v", rs)
	}
	r = one(b.say("alice", "Mon | Tue"), "wizard.ask.closes", "n", 3, "count", 4)
	r = one(b.press("alice", wzButton(t, r, ":s")), "wizard.ask.hidden", "n", 4, "count", 4)
	r = one(b.press("alice", wzButton(t, r, ":c:no")), "wizard.preview", "kind", "poll", "title", "Best day?")
	create := wzButton(t, r, ":ok")
	b.press("alice", create)
	c := e.newest()
	if c.Title != "Best day?" || c.Kind != "poll" {
		t.Fatalf("campaign %+v", c)
	}
	one(b.press("alice", create), "wizard.gone")
}

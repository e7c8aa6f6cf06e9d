package web

import (
	"testing"

	"crowdbot/core"
)

// TestPlaygroundCloseAsksFirst: in the playground, /campaign close answers with the
// question and its two buttons; pressing one answers in place of the question.
func TestPlaygroundCloseAsksFirst(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.say("alice", `/campaign new ideas "Better bikes"`)
	c := e.newest()
	rs := b.say("alice", "/campaign close "+c.Code)
	if want := e.tr("en", "campaign.confirm_close", "title", c.Title, "code", c.Code); len(rs) != 1 || text(rs[0]) != want {
		t.Fatalf("the question: %v, want %q", rs, want)
	}
	keep, yes := button(t, rs[0], "cx:"+c.Code+":keep"), button(t, rs[0], "cx:"+c.Code+":close")
	if rs := b.press("bob", yes); len(rs) != 1 || text(rs[0]) != e.tr("en", "error.admin_only") {
		t.Fatalf("a member's press: %v", rs)
	}
	if rs := b.press("alice", keep); len(rs) != 1 || rs[0]["edit"] != true || text(rs[0]) != e.tr("en", "campaign.kept", "title", c.Title, "code", c.Code) {
		t.Fatalf("keep: %v", rs)
	}
	if rs := b.press("alice", yes); len(rs) != 1 || rs[0]["edit"] != true {
		t.Fatalf("close: %v", rs)
	}
	if got := e.newest(); got.State != core.StateClosed {
		t.Fatalf("the campaign is %s", got.State)
	}
}

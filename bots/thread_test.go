package bots_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// opener is a front's thread opener that holds its first opening until released.
type opener struct {
	opens   atomic.Int32
	started chan struct{}
	release chan struct{}
	intro   string
}

func (o *opener) Channel() string { return "chan-1" }

func (o *opener) Open(ctx context.Context, name string, intro bots.Reply) (string, error) {
	if o.opens.Add(1) == 1 {
		o.intro = intro.Text
		close(o.started)
		<-o.release
	}
	return "thread-9", nil
}

func (o *opener) Link(id string) string { return "link:" + id }

// TestThreadOpenedOnce: while the first press opens an idea's thread, presses on
// many goroutines at once are told it is being opened and open nothing; then every
// press gets the link. Messages passed on for threads alone are comments in the
// idea's thread, even when they look like commands, and elsewhere make no member.
func TestThreadOpenedOnce(t *testing.T) {
	h := New(t)
	admin := Admin.On(core.Discord, "g1", "chan-1")
	code := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "Next flavour"`), "campaign.created"))
	added := h.Expect(h.Say(Bob.On(core.Discord, "g1", "chan-1").In("fr"), "/idea "+code+" Pistachio"), "idea.added")
	ideaID := added.Args["idea_id"].(int64)
	o := &opener{started: make(chan struct{}), release: make(chan struct{})}
	press := func(who Who) []bots.Reply {
		in := h.Input(who.On(core.Discord, "g1", "chan-1"))
		in.Action, in.Threads = bots.ActionID("dk", ideaID), o
		return h.Do(in)
	}
	first := make(chan []bots.Reply, 1)
	go func() { first <- press(Carol) }()
	<-o.started
	var wg sync.WaitGroup
	whos := []Who{Dave, Erin, Fay, Bob, Admin, Dave, Erin, Fay}
	got := make([][]bots.Reply, len(whos))
	for i, who := range whos {
		wg.Go(func() { got[i] = press(who) })
	}
	wg.Wait()
	for i, rs := range got {
		h.Expect(rs, "thread.opening")
		if i == 0 && !rs[0].Toast {
			t.Errorf("the notice is no toast: %+v", rs[0])
		}
	}
	close(o.release)
	if link := h.Expect(<-first, "thread.opened"); link.Args["link"] != "link:thread-9" || !link.Ephemeral {
		t.Fatalf("the first press: %+v", link)
	}
	if link := h.Expect(press(Dave), "thread.opened"); link.Args["link"] != "link:thread-9" {
		t.Fatalf("a later press: %+v", link)
	}
	if n := o.opens.Load(); n != 1 {
		t.Fatalf("%d openings, want 1", n)
	}
	if o.intro == "" || !strings.Contains(o.intro, "Pistachio") {
		t.Fatalf("the thread's intro %q", o.intro)
	}

	say := func(who Who, thread, text string) []bots.Reply {
		in := h.Input(who.On(core.Discord, "g1", thread))
		in.Text, in.Thread, in.ThreadsOnly = text, bots.ThreadRef{ID: thread}, true
		return h.Do(in)
	}
	h.Expect(say(Erin, "thread-9", "/idea "+code+" not a command here"), "comment.added")
	stranger := Who{Platform: core.Discord, ID: "d-77", Name: "Stranger", Locale: "en"}
	if rs := say(stranger, "chan-1", "just chatting"); len(rs) != 0 {
		t.Fatalf("chat elsewhere answered %q", Keys(rs))
	}
	if m, err := h.Store.FindMember(context.Background(), core.MemberRef{Platform: core.Discord, ExternalID: "d-77"}); err != nil || m != nil {
		t.Fatalf("chat elsewhere made a member: %+v, %v", m, err)
	}
	_, page, err := h.Service.Comments(context.Background(), ideaID, 1, 10)
	if err != nil || page.Total != 1 || page.Comments[0].Text != "/idea "+code+" not a command here" {
		t.Fatalf("comments %+v, %v", page, err)
	}
}

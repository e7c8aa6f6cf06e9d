package bots_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// ideasBoard makes an ideas campaign by admin and accepts ideas: member i of
// authors gets accepted[i] accepted ideas, and one declined each.
func ideasBoard(t *testing.T, h *Harness, admin Who, title string, authors []Who, accepted []int) string {
	t.Helper()
	code := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "`+title+`"`), "campaign.created"))
	for i, w := range authors {
		for j := range accepted[i] + 1 {
			added := h.Expect(h.Say(w, fmt.Sprintf("/idea %s %s idea %d of %s", code, title, j, w.Name)), "idea.added")
			status := "planned"
			if j == accepted[i] {
				status = "declined"
			}
			h.Expect(h.Say(admin, fmt.Sprintf("/idea status %s %d %s", code, added.Args["id"].(int64), status)), "idea.status_set")
		}
	}
	return code
}

// TestRecognizeOnTheWeb: /recognize ranks an ideas campaign's members by accepted
// ideas and records them once; it is for the campaign's managers; /profile shows
// a member's points, badges and recognitions, in every language.
func TestRecognizeOnTheWeb(t *testing.T) {
	h := New(t)
	admin := Admin.On(core.Web, "web", "web")
	bob, carol, dave := Bob.On(core.Web, "web", "web"), Carol.On(core.Web, "web", "web"), Dave.On(core.Web, "web", "web")
	code := ideasBoard(t, h, admin, "Flavours", []Who{bob, carol, dave}, []int{2, 1, 0})

	h.Expect(h.Say(bob, "/recognize "+code), "error.admin_only")
	h.Expect(h.Say(Admin, "/recognize "+code), "error.not_your_campaign")
	h.Expect(h.Say(admin, "/recognize "+code+" 99"), "error.recognize_top")
	h.Expect(h.Say(admin, "/recognize "+code+" many"), "error.recognize_top")

	first := h.Expect(h.Say(admin, "/recognize "+code), "recognize.title")
	// Bob (2 accepted), Carol (1); Dave has none accepted
	if len(first.Lines) != 3 || first.Lines[0].Args["name"] != "Bob" || first.Lines[1].Args["name"] != "Carol" ||
		first.Lines[2].Args["count"] != 2 || !strings.Contains(first.Text, "2 accepted ideas") {
		t.Fatalf("first /recognize: %q", first.Text)
	}
	again := h.Expect(h.Say(admin, "/recognize "+code+" 5"), "recognize.title")
	if len(again.Lines) != 3 || again.Lines[2].Args["count"] != 0 {
		t.Fatalf("second /recognize recognized someone again: %q", again.Text)
	}

	for _, lang := range core.Locales {
		p := h.Expect(h.Say(bob.In(lang), "/profile"), "profile.title")
		var keys []string
		for _, l := range p.Lines {
			keys = append(keys, l.Key)
		}
		if p.Args["count"] != 15 || strings.Join(keys, ",") != "profile.badges,profile.standing,profile.recognized" {
			t.Fatalf("%s: Bob's profile: %v %q", lang, keys, p.Text)
		}
		if !strings.Contains(p.Text, h.Router.T(lang, bots.M("badge.first_idea"))) || strings.Contains(p.Text, h.Router.T(lang, bots.M("badge.top3"))) {
			t.Fatalf("%s: Bob's badges: %q", lang, p.Text)
		}
	}
	h.Expect(h.Say(admin, "/campaign close "+code+" confirm"), "campaign.closed")
	// Bob is first by points of a campaign that ended
	if p := h.Expect(h.Say(bob, "/profile"), "profile.title"); !strings.Contains(p.Text, "Top 3 of a campaign") {
		t.Fatalf("Bob's profile after the close: %q", p.Text)
	}
	if p := h.Expect(h.Say(Erin.On(core.Web, "web", "web"), "/profile"), "profile.title"); len(p.Lines) != 1 || p.Lines[0].Key != "profile.empty" {
		t.Fatalf("a newcomer's profile: %q", p.Text)
	}
}

// grantLog records the grants a fake platform gave and took back.
type grantLog struct {
	mu    sync.Mutex
	calls []string // "give:guild:user:role" or "take:..."
}

// fakeRecognizer is a fakePoster that gives and takes grants, refusing as fail
// says.
type fakeRecognizer struct {
	*fakePoster
	grants *grantLog
	fail   func(g bots.Grant) error
}

func (f *fakeRecognizer) do(op string, g bots.Grant) error {
	if f.fail != nil {
		if err := f.fail(g); err != nil {
			return err
		}
	}
	f.grants.mu.Lock()
	defer f.grants.mu.Unlock()
	f.grants.calls = append(f.grants.calls, op+":"+g.SpaceID+":"+g.UserID+":"+g.Value)
	return nil
}

func (f *fakeRecognizer) Give(ctx context.Context, g bots.Grant) error { return f.do("give", g) }
func (f *fakeRecognizer) Take(ctx context.Context, g bots.Grant) error { return f.do("take", g) }

// TestRecognitionRolesThroughDispatcher: a close recognizes the top contributors and
// the dispatcher gives each the server's role once; the next campaign of the server
// takes back the roles of those it does not recognize again; a refusal with a reason
// fails the grant and tells the campaign's creator why, once.
func TestRecognitionRolesThroughDispatcher(t *testing.T) {
	h := New(t)
	on := func(w Who) Who { return w.On(core.Discord, "900", "901") }
	admin, bob, carol, dave := on(Admin), on(Bob), on(Carol), on(Dave)
	h.Expect(h.Say(admin, "/recognition show"), "recognition.show_none")
	h.Expect(h.Say(admin, "/recognition role admins"), "error.recognition_bad_role")
	h.Expect(h.Say(admin, "/recognition title Champion"), "error.recognition_title_telegram")
	h.Expect(h.Say(bob, "/recognition role <@&777>"), "error.admin_only")
	h.Expect(h.Say(admin, "/recognition role <@&777>"), "recognition.set_role")
	h.Expect(h.Say(admin, "/recognition show"), "recognition.show_role")

	log := &postLog{}
	grants := &grantLog{}
	var refuse sync.Map // user ids the platform refuses
	rec := &fakeRecognizer{fakePoster: &fakePoster{platform: core.Discord, clock: h.Clock, log: log}, grants: grants,
		fail: func(g bots.Grant) error {
			if _, ok := refuse.Load(g.UserID); ok {
				return core.Errorf(core.EFORBIDDEN, "error.recognition_forbidden")
			}
			return nil
		}}
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.Store, Router: h.Router, Posters: []bots.Poster{rec},
		Clock: h.Clock, Sleep: fakeSleep(h.Clock), Logger: quiet})
	run := func() {
		t.Helper()
		for range 3 {
			if _, err := d.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}

	first := ideasBoard(t, h, admin, "Spring", []Who{bob, carol, dave}, []int{2, 1, 1})
	h.Expect(h.Say(admin, "/campaign close "+first+" confirm"), "campaign.closed")
	run()
	want := "give:900:1002:777,give:900:1003:777,give:900:1004:777"
	if got := strings.Join(grants.calls, ","); got != want {
		t.Fatalf("grants after the close: %s, want %s", got, want)
	}
	// a repeated command gives nothing twice
	if r := h.Expect(h.Say(admin, "/recognize "+first), "recognize.title"); r.Lines[3].Args["count"] != 0 || !strings.Contains(r.Text, "has the role") {
		t.Fatalf("/recognize after the close: %q", r.Text)
	}
	run()
	if len(grants.calls) != 3 {
		t.Fatalf("grants given again: %v", grants.calls)
	}

	// the next campaign recognizes Carol again and Erin, not Bob and Dave; Erin's
	// role is refused
	erin := on(Erin)
	refuse.Store(erin.ID, true)
	grants.calls = nil
	second := ideasBoard(t, h, admin, "Summer", []Who{carol, erin}, []int{1, 1})
	h.Expect(h.Say(admin, "/campaign close "+second+" confirm"), "campaign.closed")
	run()
	want = "take:900:1002:777,take:900:1004:777"
	if got := strings.Join(grants.calls, ","); got != want {
		t.Fatalf("grants after the rotation: %s, want %s", got, want)
	}
	r := h.Expect(h.Say(admin, "/recognize "+second), "recognize.title")
	if !strings.Contains(r.Text, "Manage Roles") || !strings.Contains(r.Text, "has the role") {
		t.Fatalf("/recognize shows the refusal: %q", r.Text)
	}
	old := h.Expect(h.Say(admin, "/recognize "+first), "recognize.title")
	if strings.Count(old.Text, "taken back") != 2 || strings.Count(old.Text, "keeps it") != 1 {
		t.Fatalf("the first campaign after the rotation: %q", old.Text)
	}
	notices := 0
	for _, p := range log.accepted() {
		if p.Key == "recognition.failed_give" {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("the creator got %d notices of the refusal, want 1", notices)
	}

	// once the platform accepts, a new /recognize gives it another try
	refuse.Delete(erin.ID)
	grants.calls = nil
	h.Expect(h.Say(admin, "/recognize "+second), "recognize.title")
	run()
	if got := strings.Join(grants.calls, ","); got != "give:900:1005:777" {
		t.Fatalf("retried grants: %s", got)
	}
}

package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// TestNoticesReachWebMembers: a web member's private notices (an idea's new status,
// a disqualified entry) wait in the outbox, counted alike by the dashboard and the
// outbox page, and come first in the answer to the member's next message, in their
// language, once.
func TestNoticesReachWebMembers(t *testing.T) {
	botstest.EachLocale(t, func(t *testing.T, lang string) {
		e := newEnv(t)
		h := e.h
		onWeb := func(id string) botstest.Who {
			return botstest.Who{Platform: core.Web, ID: id, Name: id, Locale: lang, Space: webSpace, Channel: playgroundChannel}
		}
		olivia, bob := onWeb("olivia"), onWeb("bob")
		ideas := botstest.Code(t, h.Expect(h.Say(olivia, `/campaign new ideas "Bikes"`), "campaign.created"))
		id := h.Expect(h.Say(bob, "/idea "+ideas+" Wider lanes"), "idea.added").Args["id"].(int64)
		h.Expect(h.Say(olivia, fmt.Sprintf("/idea status %s %d planned", ideas, id)), "idea.status_set")
		contest := botstest.Code(t, h.Expect(h.Say(olivia, `/contest new "Logo" brief="A logo" prize="300 EUR" entries_close=7d voting_close=10d`), "contest.new"))
		entry := h.Expect(h.Say(bob, "/enter "+contest+" Wave https://example.com/wave.png"), "contest.entered").Args["id"].(int64)
		h.Expect(h.Say(olivia, fmt.Sprintf(`/contest disqualify %s %d "Copied"`, contest, entry)), "contest.disqualified")

		admin := e.browser()
		admin.login()
		waiting := func(n int) {
			t.Helper()
			if body := admin.get("/admin").Body; !strings.Contains(body, e.tr("en", "web.admin.pending", "count", n)) {
				t.Errorf("dashboard does not count %d waiting", n)
			}
			body := admin.get("/admin/outbox").Body
			if !strings.Contains(body, e.tr("en", "web.admin.pending", "count", n)) {
				t.Errorf("outbox page does not list %d waiting", n)
			}
			if shown := strings.Count(body, "<code>notice."); shown != n {
				t.Errorf("outbox page shows %d notices, want %d", shown, n)
			}
		}
		waiting(2)

		// Bob's next message brings them, before its own answer
		b := e.browser()
		code, out := b.chat(map[string]any{"member": "bob", "text": "/campaign list", "locale": lang})
		if code != http.StatusOK {
			t.Fatalf("chat: %d %v", code, out)
		}
		rs := replies(t, out)
		want := []string{
			e.tr(lang, "notice.idea_status", "id", id, "title", "Bikes", "status", "planned"),
			e.tr(lang, "notice.entry_disqualified", "entry", "Wave", "id", entry, "title", "Logo", "code", contest, "reason", "Copied"),
		}
		if len(rs) < 3 {
			t.Fatalf("replies %v, want the two notices and the list", rs)
		}
		for i, w := range want {
			if text(rs[i]) != w {
				t.Errorf("reply %d = %q, want %q", i, text(rs[i]), w)
			}
		}
		if !strings.Contains(text(rs[len(rs)-1]), "Bikes") {
			t.Errorf("the list comes last: %q", text(rs[len(rs)-1]))
		}
		waiting(0)

		// once only, and never to someone else
		for _, who := range []string{"bob", "carol"} {
			for _, r := range b.say(who, "/campaign list") {
				if strings.Contains(text(r), "Wave") || strings.Contains(text(r), "#"+fmt.Sprint(id)+" ") {
					t.Errorf("%s is shown a notice again: %q", who, text(r))
				}
			}
		}
		items, err := h.Store.Outbox(context.Background(), core.OutboxSent, 10)
		if err != nil || len(items) != 2 {
			t.Errorf("sent rows %d %v, want the two notices", len(items), err)
		}
	})
}

// TestPlaygroundHint: plain text in the playground that answers no question gets a
// one-line hint, in the member's language.
func TestPlaygroundHint(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, lang := range []string{"en", "fr", "it"} {
		code, out := b.chat(map[string]any{"member": "bob", "text": "hello?", "locale": lang})
		if rs := replies(t, out); code != http.StatusOK || len(rs) != 1 || text(rs[0]) != e.tr(lang, "help.hint") {
			t.Errorf("%s: %d %v", lang, code, out)
		}
	}
}

package telegram_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/i18n"
	"crowdbot/bots/telegram/tgfake"
)

// TestTroubleIsSaidPlainly: when the database fails or stops answering, a member is
// told in their language that it did not go through, or could not be confirmed, and
// to try again; never that nothing was lost. The update is answered, not left to
// come back.
func TestTroubleIsSaidPlainly(t *testing.T) {
	cat := i18n.MustLoad()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode, withRouter(func(o *bots.Options) { o.Deadline = 200 * time.Millisecond }))
			for _, c := range []struct {
				trouble int32
				key     string
			}{{botstest.Broken, "error.internal"}, {botstest.Stalled, "error.unavailable"}} {
				for _, m := range []struct {
					who    tgfake.User
					locale string
				}{{bob, "en"}, {carol, "fr"}, {dan, "it"}} {
					who, locale := m.who, m.locale
					h.store.Set(c.trouble)
					mark := h.fake.Mark()
					h.push(textMessage(who, group, "/campaign list"))
					h.store.Set(botstest.Fine)
					want := cat.T(locale, c.key, nil)
					said := false
					for _, r := range h.fake.Since(mark) {
						if r.Method == "sendMessage" && strings.Contains(html.UnescapeString(r.Params["text"]), want) {
							said = true
						}
					}
					if !said {
						t.Errorf("%s (%s) with the store %s: no message saying %q in %+v", who.FirstName, locale, c.key, want, h.fake.Since(mark))
					}
				}
			}
		})
	}
}

package discord_test

import (
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage/storagetest"
)

// TestTroubleIsSaidPlainly: when the database fails or stops answering, a member is
// told in their language that it did not go through, or could not be confirmed, and
// to try again.
func TestTroubleIsSaidPlainly(t *testing.T) {
	store := &botstest.Trouble{DB: storagetest.SQLite(t)}
	e := setup(t, func(o *bots.Options) {
		o.Service = core.NewService(store, core.NewFakeClock(botstest.Start), botstest.Settings())
		o.Deadline = 200 * time.Millisecond
	})
	for _, c := range []struct {
		trouble int32
		key     string
	}{{botstest.Broken, "error.internal"}, {botstest.Stalled, "error.unavailable"}} {
		for _, lang := range core.Locales {
			u := bob
			u.Locale = lang
			store.Set(c.trouble)
			msgs := e.do(e.dc.Command(u, here, "earnings", "", nil)).messages()
			store.Set(botstest.Fine)
			if len(msgs) == 0 {
				t.Fatalf("%s in %s: no answer", c.key, lang)
			}
			firstKey(t, msgs[0].text, lang, c.key)
		}
	}
}

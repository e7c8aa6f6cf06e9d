// Package botstest runs whole conversations through the neutral layer for tests: a
// Router over a real database, a fake clock, and members who say things and press
// buttons.
//
// It is test support, imported only by tests: of bots, of the fronts, and of
// cmd/crowdbot (for SyncBuffer, a log to read while it is written). It imports
// storage and storage/storagetest to open that real database: the layering rule that
// the bots packages never import storage holds for production code, which reaches
// storage only through core.Store, built in cmd/crowdbot.
package botstest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// Start is the fake clock's first reading.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Harness is a Router wired to a database and a fake clock.
type Harness struct {
	T       testing.TB
	Router  *bots.Router
	Service *core.Service
	Store   *storage.DB
	Clock   *core.FakeClock
	updates atomic.Int64
}

// New returns a harness over a fresh SQLite database. opts may change the Router's
// options before it is built.
func New(t testing.TB, opts ...func(*bots.Options)) *Harness {
	t.Helper()
	return On(t, storagetest.SQLite(t), opts...)
}

// On returns a harness over the given database.
func On(t testing.TB, db *storage.DB, opts ...func(*bots.Options)) *Harness {
	t.Helper()
	clock := core.NewFakeClock(Start)
	svc := core.NewService(db, clock, Settings())
	o := bots.Options{Service: svc, SubmissionsPerMinute: 0, PublicURL: "http://crowd.example", TelegramBot: "crowdbot"}
	for _, f := range opts {
		f(&o)
	}
	return &Harness{T: t, Router: bots.NewRouter(o), Service: svc, Store: db, Clock: clock}
}

// Settings returns the default settings with update schedules read as cron specs,
// as cmd/crowdbot gives them.
func Settings() core.Settings {
	s := core.DefaultSettings()
	s.Schedules = bots.ParseCron
	return s
}

// Who is a member somewhere: their platform identity, language and rights, and the
// space and channel they speak in.
type Who struct {
	Platform core.Platform
	ID       string
	Name     string
	Locale   string
	Admin    bool
	Space    string // the space's external id
	Channel  string
}

// The cast of the conversations: an admin and members of one Telegram group.
var (
	Admin = Who{Platform: core.Telegram, ID: "1001", Name: "Ada", Locale: "en", Admin: true, Space: "-1001", Channel: "-1001"}
	Bob   = Who{Platform: core.Telegram, ID: "1002", Name: "Bob", Locale: "en", Space: "-1001", Channel: "-1001"}
	Carol = Who{Platform: core.Telegram, ID: "1003", Name: "Carol", Locale: "en", Space: "-1001", Channel: "-1001"}
	Dave  = Who{Platform: core.Telegram, ID: "1004", Name: "Dave", Locale: "en", Space: "-1001", Channel: "-1001"}
	Erin  = Who{Platform: core.Telegram, ID: "1005", Name: "Erin", Locale: "en", Space: "-1001", Channel: "-1001"}
	Fay   = Who{Platform: core.Telegram, ID: "1006", Name: "Fay", Locale: "en", Space: "-1001", Channel: "-1001"}
)

// In returns who speaking in another language.
func (w Who) In(locale string) Who { w.Locale = locale; return w }

// On returns who on another platform, in a space and channel there.
func (w Who) On(p core.Platform, space, channel string) Who {
	w.Platform, w.Space, w.Channel = p, space, channel
	return w
}

// Input returns the neutral input of who doing something, with a fresh update id.
func (h *Harness) Input(w Who) bots.Input {
	return bots.Input{
		Platform: w.Platform,
		Space:    core.SpaceRef{Platform: w.Platform, ExternalID: w.Space, Title: "Fans " + w.Space},
		Channel:  w.Channel,
		Member:   core.MemberRef{Platform: w.Platform, ExternalID: w.ID, Name: w.Name},
		Locale:   w.Locale,
		Admin:    w.Admin,
		UpdateID: fmt.Sprint(h.updates.Add(1)),
	}
}

// Do runs an input.
func (h *Harness) Do(in bots.Input) []bots.Reply {
	return h.Router.Handle(context.Background(), in)
}

// Say runs a message who typed.
func (h *Harness) Say(w Who, text string) []bots.Reply {
	in := h.Input(w)
	in.Text = text
	return h.Do(in)
}

// Press runs a button press.
func (h *Harness) Press(w Who, action string) []bots.Reply {
	in := h.Input(w)
	in.Action = action
	return h.Do(in)
}

// Answer runs the answer to a question (a modal submit or a reply).
func (h *Harness) Answer(w Who, action, text string) []bots.Reply {
	in := h.Input(w)
	in.Action, in.Text = action, text
	return h.Do(in)
}

// Keys lists the message keys of replies.
func Keys(rs []bots.Reply) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Key
	}
	return out
}

// Expect fails the test unless there is exactly one reply and its key is key; it
// returns that reply. Every reply must also have rendered text.
func (h *Harness) Expect(rs []bots.Reply, key string) bots.Reply {
	h.T.Helper()
	if len(rs) != 1 || rs[0].Key != key {
		h.T.Fatalf("replies %v, want one %s; texts: %q", Keys(rs), key, texts(rs))
	}
	CheckRendered(h.T, rs)
	return rs[0]
}

func texts(rs []bots.Reply) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

// CheckRendered fails when a reply's text or a button label is missing or still a
// raw key, which means a catalog gap.
func CheckRendered(t testing.TB, rs []bots.Reply) {
	t.Helper()
	for _, r := range rs {
		if r.Key != "" && (r.Text == "" || strings.Contains(r.Text, r.Key)) {
			t.Errorf("reply %s rendered as %q", r.Key, r.Text)
		}
		for _, l := range r.Lines {
			if strings.Contains(r.Text, l.Key) {
				t.Errorf("line %s not rendered in %q", l.Key, r.Text)
			}
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == "" || b.Label == b.Key {
					t.Errorf("button %s has label %q", b.Action, b.Label)
				}
				if len(b.Action) > bots.MaxActionLen {
					t.Errorf("action %q is longer than %d bytes", b.Action, bots.MaxActionLen)
				}
			}
		}
	}
}

// Code returns the campaign code a "campaign.created" reply announces.
func Code(t testing.TB, r bots.Reply) string {
	t.Helper()
	code, _ := r.Args["code"].(string)
	if !core.ValidCode(code) {
		t.Fatalf("reply %s carries no campaign code: %v", r.Key, r.Args)
	}
	return code
}

// LinkTo links campaign code into the space and channel of another community's admin:
// by asks for a link key (by manages the campaign), to runs /campaign link with it.
func (h *Harness) LinkTo(t testing.TB, by Who, code string, to Who) {
	t.Helper()
	key, _ := h.Expect(h.Say(by, "/campaign invite "+code), "campaign.invite").Args["key"].(string)
	if key == "" {
		t.Fatal("campaign.invite carries no key")
	}
	h.Expect(h.Say(to, "/campaign link "+code+" key="+key), "campaign.linked")
}

// Action returns the action of the first button whose action starts with prefix.
func Action(t testing.TB, r bots.Reply, prefix string) string {
	t.Helper()
	for _, row := range r.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Action, prefix) {
				return b.Action
			}
		}
	}
	t.Fatalf("reply %s has no button %s*: %+v", r.Key, prefix, r.Buttons)
	return ""
}

// ForBurst returns a harness for a burst benchmark: on Postgres when
// CROWDBOT_TEST_POSTGRES is set, with the server's durability kept (as the pgbench
// baseline of docs/BENCHMARKS.md), else on a fresh SQLite database.
func ForBurst(tb testing.TB) *Harness {
	if storagetest.PostgresDSN() != "" {
		return On(tb, storagetest.PostgresDurable(tb))
	}
	return New(tb)
}

// BurstIdea has admin make an ideas campaign and author suggest the one idea a burst
// votes for; it returns the idea's id and the action of its card's vote button.
func (h *Harness) BurstIdea(admin, author Who) (id int64, action string) {
	code := Code(h.T, h.Expect(h.Say(admin, `/campaign new ideas "Burst"`), "campaign.created"))
	added := h.Expect(h.Say(author, "/idea "+code+" The one idea"), "idea.added")
	id = added.Args["idea_id"].(int64)
	return id, bots.ActionID("iv", id, added.Args["id"].(int64))
}

// BurstPoll has admin make a poll of two options that a burst votes in; it returns
// the poll's code and the action of its first option's vote button.
func (h *Harness) BurstPoll(admin Who) (code, action string) {
	rs := h.Say(admin, `/poll new "Burst?" Yes No`)
	if len(rs) != 1 {
		h.T.Fatalf("/poll new answered %v", Keys(rs))
	}
	code = Code(h.T, rs[0]) // the confirmation, or the card where none is posted
	return code, bots.ActionID("pv", code, 0)
}

// BurstFundraiser has admin make a fundraiser without tiers that a burst pledges to;
// it returns its code.
func (h *Harness) BurstFundraiser(admin Who) (code string) {
	return Code(h.T, h.Expect(h.Say(admin, `/fund new "Burst" goal="1000000 EUR" closes=30d`), "fund.new"))
}

package bots_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// newPoll creates a poll as Admin and returns its code.
func newPoll(t *testing.T, h *Harness, args string) string {
	t.Helper()
	return Code(t, h.Expect(h.Say(Admin, "/poll new "+args), "poll.created"))
}

// tally returns the poll's progress as the web and the images see it.
func tally(t *testing.T, h *Harness, code string) *core.PollProgress {
	t.Helper()
	c, err := h.Service.Campaign(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Service.Progress(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return p.Poll
}

// votes returns the option counts of a poll's progress.
func votes(p *core.PollProgress) []int {
	out := make([]int, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.Votes
	}
	return out
}

func wantVotes(t *testing.T, h *Harness, code string, ballots int, want ...int) {
	t.Helper()
	p := tally(t, h, code)
	if got := votes(p); p.Ballots != ballots || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tally of %s: %d ballots %v, want %d ballots %v", code, p.Ballots, got, ballots, want)
	}
}

func vote(code string, option int) string { return fmt.Sprintf("pv:%s:%d", code, option) }

// TestPollSingleChoice runs a single-choice poll in each language: the card goes to
// the outbox, members vote, change their mind, take their vote back, and the tally
// and the card follow.
func TestPollSingleChoice(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		admin, bob, carol := Admin.In(lang), Bob.In(lang), Carol.In(lang)
		created := h.Expect(h.Say(admin, `/poll new "Best pizza?" Margherita Diavola "Quattro formaggi"`), "poll.created")
		code := Code(t, created)
		if lang != "en" && strings.Contains(created.Text, "is started") {
			t.Errorf("reply not translated: %q", created.Text)
		}
		if n := outboxKeys(t, h)["poll.card"]; n != 1 {
			t.Fatalf("%d poll cards queued, want 1 for the creator's channel", n)
		}

		card := h.Expect(h.Say(bob, "/poll "+code), "poll.card")
		if len(card.Buttons) != 3 || Action(t, card, "pv:") != vote(code, 0) || !strings.Contains(card.Buttons[2][0].Label, "Quattro formaggi") {
			t.Fatalf("card buttons %+v", card.Buttons)
		}
		if r := voted(h, h.Press(bob, vote(code, 0)), "poll.voted"); !r.Toast || !strings.Contains(r.Text, "Margherita") {
			t.Fatalf("vote reply %+v", r)
		}
		voted(h, h.Press(carol, vote(code, 1)), "poll.voted")
		wantVotes(t, h, code, 2, 1, 1, 0)

		// a change of mind moves the vote; it never counts twice
		if r := voted(h, h.Press(bob, vote(code, 1)), "poll.voted"); !strings.Contains(r.Text, "Diavola") || strings.Contains(r.Text, "Margherita") {
			t.Fatalf("changed vote reply %q", r.Text)
		}
		wantVotes(t, h, code, 2, 0, 2, 0)
		// pressing one's own choice again takes the vote back
		voted(h, h.Press(bob, vote(code, 1)), "poll.withdrawn")
		wantVotes(t, h, code, 1, 0, 1, 0)
		voted(h, h.Press(bob, vote(code, 2)), "poll.voted")

		res := h.Expect(h.Say(carol, "/poll results "+code), "poll.card")
		if res.Image == nil || res.Image.Path != "/c/"+code+"/progress.png" {
			t.Fatalf("results without the chart: %+v", res.Image)
		}
		if !strings.Contains(res.Text, "Diavola — 1 (50") || !strings.Contains(res.Text, "█████░░░░░") {
			t.Fatalf("results text %q", res.Text)
		}
		show := h.Expect(h.Say(bob, "/campaign show "+code), "campaign.show")
		if !strings.Contains(show.Text, "2 vot") {
			t.Fatalf("campaign show lacks the ballots: %q", show.Text)
		}

		// the same press delivered twice counts once
		in := h.Input(carol)
		in.Action = vote(code, 0)
		voted(h, h.Do(in), "poll.voted")
		if again := h.Do(in); len(again) != 0 {
			t.Fatalf("repeated press answered %v", Keys(again))
		}
		wantVotes(t, h, code, 2, 1, 0, 1)
	})
}

func TestPollMultiChoice(t *testing.T) {
	h := New(t)
	code := newPoll(t, h, `"Which toppings?" Olives Basil Ham Mushrooms multi=2`)
	card := h.Expect(h.Say(Bob, "/poll "+code), "poll.card")
	if !strings.Contains(card.Text, "2") || len(card.Buttons) != 4 {
		t.Fatalf("multi card %q", card.Text)
	}
	voted(h, h.Press(Bob, vote(code, 0)), "poll.voted")
	if r := voted(h, h.Press(Bob, vote(code, 3)), "poll.voted"); !strings.Contains(r.Text, "Olives, Mushrooms") {
		t.Fatalf("two choices: %q", r.Text)
	}
	h.Expect(h.Press(Bob, vote(code, 1)), "error.poll_too_many_choices")
	wantVotes(t, h, code, 1, 1, 0, 0, 1)
	// taking one back makes room
	voted(h, h.Press(Bob, vote(code, 0)), "poll.voted")
	voted(h, h.Press(Bob, vote(code, 1)), "poll.voted")
	voted(h, h.Press(Carol, vote(code, 1)), "poll.voted")
	wantVotes(t, h, code, 2, 0, 2, 0, 1)
	voted(h, h.Press(Bob, vote(code, 1)), "poll.voted")
	voted(h, h.Press(Bob, vote(code, 3)), "poll.withdrawn")
	wantVotes(t, h, code, 1, 0, 1, 0, 0)
}

func TestPollLimit(t *testing.T) {
	h := New(t)
	code := newPoll(t, h, `"Who brings what?" Drinks Cake Chips limit=1`)
	voted(h, h.Press(Bob, vote(code, 0)), "poll.voted")
	full := h.Expect(h.Press(Carol, vote(code, 0)), "error.poll_option_full")
	if !strings.Contains(full.Text, "Drinks") || !full.Toast {
		t.Fatalf("full reply %+v", full)
	}
	voted(h, h.Press(Carol, vote(code, 1)), "poll.voted")
	// Bob cannot move to a full option, and keeps the one he had
	h.Expect(h.Press(Bob, vote(code, 1)), "error.poll_option_full")
	wantVotes(t, h, code, 2, 1, 1, 0)
	// a freed place can be taken
	voted(h, h.Press(Bob, vote(code, 2)), "poll.voted")
	voted(h, h.Press(Carol, vote(code, 0)), "poll.voted")
	wantVotes(t, h, code, 2, 1, 0, 1)
	if card := h.Expect(h.Say(Bob, "/poll "+code), "poll.card"); !strings.Contains(card.Text, "1/1") {
		t.Fatalf("card does not show the limit: %q", card.Text)
	}
}

func TestPollAnonymous(t *testing.T) {
	h := New(t)
	code := newPoll(t, h, `"Rate the event" Great Fine Meh anonymous`)
	voted(h, h.Press(Bob, vote(code, 0)), "poll.voted")
	voted(h, h.Press(Carol, vote(code, 0)), "poll.voted")
	// an anonymous vote can still be changed, exactly
	if r := voted(h, h.Press(Bob, vote(code, 2)), "poll.voted"); !strings.Contains(r.Text, "Meh") {
		t.Fatalf("anonymous change: %q", r.Text)
	}
	wantVotes(t, h, code, 2, 1, 0, 1)
	voted(h, h.Press(Bob, vote(code, 2)), "poll.withdrawn")
	wantVotes(t, h, code, 1, 1, 0, 0)
	card := h.Expect(h.Say(Admin, "/poll results "+code), "poll.card")
	if !strings.Contains(card.Text, "Anonymous") {
		t.Fatalf("card does not say it is anonymous: %q", card.Text)
	}
	// no admin path gives the ballots
	_, err := h.Service.Export(context.Background(), core.Actor{Admin: true, Owner: true}, code)
	if e := core.AsError(err); e == nil || e.Code != core.EFORBIDDEN || e.Key != "error.poll_export_anonymous" {
		t.Fatalf("export of an anonymous poll: %v", err)
	}
	h.Expect(h.Say(Admin, "/poll close "+code), "poll.closed")
	if _, err := h.Service.Export(context.Background(), core.Actor{Admin: true, Owner: true}, code); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("export after close: %v", err)
	}
}

func TestPollHidden(t *testing.T) {
	h := New(t)
	code := newPoll(t, h, `"Next venue?" Rome Milan hidden`)
	voted(h, h.Press(Bob, vote(code, 0)), "poll.voted")
	voted(h, h.Press(Carol, vote(code, 0)), "poll.voted")
	for _, who := range []Who{Admin, Bob} {
		res := h.Expect(h.Say(who, "/poll results "+code), "poll.card")
		if strings.Contains(res.Text, "%") || !strings.Contains(res.Text, "hidden") {
			t.Fatalf("hidden poll shows counts to %s: %q", who.Name, res.Text)
		}
	}
	p := tally(t, h, code)
	if !p.Hidden || p.Ballots != 2 || fmt.Sprint(votes(p)) != "[0 0]" || p.Options[0].Label != "Rome" {
		t.Fatalf("hidden progress %+v", p)
	}
	if _, err := h.Service.Export(context.Background(), core.Actor{Admin: true, Owner: true}, code); core.AsError(err) == nil || core.AsError(err).Key != "error.poll_export_hidden" {
		t.Fatalf("export of an open hidden poll: %v", err)
	}
	h.Expect(h.Say(Bob, "/poll close "+code), "error.admin_only")
	h.Expect(h.Say(Admin, "/poll close "+code), "poll.closed")
	res := h.Expect(h.Say(Bob, "/poll results "+code), "poll.result")
	if !strings.Contains(res.Text, "Rome — 2 (100%)") || !strings.Contains(res.Text, "Winner: Rome") || len(res.Buttons) != 0 {
		t.Fatalf("closed hidden poll: %q", res.Text)
	}
	if p := tally(t, h, code); p.Hidden || fmt.Sprint(votes(p)) != "[2 0]" {
		t.Fatalf("closed progress %+v", p)
	}
	table, err := h.Service.Export(context.Background(), core.Actor{Admin: true, Owner: true}, code)
	if err != nil || len(table.Rows) != 2 || table.Rows[0][0] != "telegram:1002" || table.Rows[0][2] != "Rome" {
		t.Fatalf("export after close: %+v, %v", table, err)
	}
}

// TestPollClosesOnTime lets the deadline pass while nothing runs, then catches up:
// the result is queued once per channel with its chart, and votes stop.
func TestPollClosesOnTime(t *testing.T) {
	h := New(t)
	created := h.Expect(h.Say(Admin, `/poll new "Team name?" Owls Foxes closes=2h`), "poll.created")
	code := Code(t, created)
	if !strings.Contains(created.Text, "2026-03-02 11:00") {
		t.Fatalf("deadline not shown: %q", created.Text)
	}
	voted(h, h.Press(Bob, vote(code, 1)), "poll.voted")
	h.Clock.Advance(90 * time.Minute)
	if n, _ := h.Service.AdvanceDue(context.Background()); n != 0 {
		t.Fatal("closed before its deadline")
	}
	voted(h, h.Press(Carol, vote(code, 1)), "poll.voted")
	h.Clock.Advance(10 * time.Hour)
	if n, err := h.Service.AdvanceDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("advance: %d, %v", n, err)
	}
	if n, _ := h.Service.AdvanceDue(context.Background()); n != 0 {
		t.Fatal("closed twice")
	}
	h.Expect(h.Press(Bob, vote(code, 0)), "error.campaign_closed")
	h.Expect(h.Say(Admin, "/poll close "+code), "error.campaign_closed")
	items, err := h.Store.Outbox(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var result *core.OutboxItem
	for i := range items {
		if items[i].Announcement.Key == "poll.result" {
			if result != nil {
				t.Fatal("result queued twice")
			}
			result = &items[i]
		}
	}
	if result == nil || result.Announcement.Image != "progress" || result.Announcement.Once == "" {
		t.Fatalf("result announcement %+v", result)
	}
	rendered, err := h.Router.Card(context.Background(), result.Announcement, "it")
	if err != nil {
		t.Fatal(err)
	}
	if rendered.Image == nil || !strings.Contains(rendered.Text, "Foxes — 2 (100%)") || !strings.Contains(rendered.Text, "Vincitore: Foxes") || len(rendered.Buttons) != 0 {
		t.Fatalf("result card: %q %+v", rendered.Text, rendered.Image)
	}
}

// TestPollAcrossPlatforms runs one poll in a Telegram group and a Discord channel:
// both cards show the one merged tally.
func TestPollAcrossPlatforms(t *testing.T) {
	h := New(t)
	code := newPoll(t, h, `"Merch colour?" Black White Red`)
	discordAdmin := Admin.On(core.Discord, "41771983423143937", "80351110224678912")
	dave := Who{Platform: core.Discord, ID: "200", Name: "Dave", Locale: "fr", Space: discordAdmin.Space, Channel: discordAdmin.Channel}
	erin := Who{Platform: core.Discord, ID: "201", Name: "Erin", Locale: "en", Space: discordAdmin.Space, Channel: discordAdmin.Channel}

	h.LinkTo(t, Admin, code, discordAdmin)
	h.Expect(h.Say(Bob, "/poll post "+code), "error.admin_only")
	// the Discord server's admin got the poll's posts, not the right to run it
	h.Expect(h.Say(discordAdmin, "/poll post "+code), "error.not_your_campaign")
	h.Expect(h.Say(Admin, "/poll post "+code), "poll.posted")
	// posting again adds no second card anywhere
	h.Expect(h.Say(Admin, "/poll post "+code), "poll.posted")
	cards := cardItems(t, h)
	if len(cards) != 2 || cards[0].Platform == cards[1].Platform {
		t.Fatalf("cards %+v, want one on each platform", cards)
	}

	voted(h, h.Press(Bob, vote(code, 0)), "poll.voted")
	voted(h, h.Press(dave, vote(code, 0)), "poll.voted")
	voted(h, h.Press(erin, vote(code, 2)), "poll.voted")
	voted(h, h.Press(Carol, vote(code, 2)), "poll.voted")
	voted(h, h.Press(dave, vote(code, 1)), "poll.voted")
	wantVotes(t, h, code, 4, 1, 1, 2)
	for _, it := range cards {
		rep, err := h.Router.Card(context.Background(), it.Announcement, "en")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rep.Text, "Red — 2 (50%)") || !strings.Contains(rep.Text, "4 voters") || len(rep.Buttons) != 3 {
			t.Fatalf("%s card: %q", it.Platform, rep.Text)
		}
	}
	fr := h.Expect(h.Say(dave, "/poll results "+code), "poll.card")
	if !strings.Contains(fr.Text, "4 votants") {
		t.Fatalf("merged tally on Discord in French: %q", fr.Text)
	}
}

func cardItems(t *testing.T, h *Harness) []core.OutboxItem {
	t.Helper()
	items, err := h.Store.Outbox(context.Background(), "", 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []core.OutboxItem
	for _, it := range items {
		if it.Announcement.Key == "poll.card" {
			out = append(out, it)
		}
	}
	return out
}

// TestPollWebPlayground: the web has no channel to post to, so the card comes back
// as the answer, and votes show the new tally in place.
func TestPollWebPlayground(t *testing.T) {
	h := New(t)
	web := Admin.On(core.Web, "web", "web")
	guest := Bob.On(core.Web, "web", "web")
	card := h.Expect(h.Say(web, `/poll new "Tea or coffee?" Tea Coffee`), "poll.card")
	code := Code(t, card)
	if len(cardItems(t, h)) != 0 {
		t.Fatal("a card was queued with nowhere to go")
	}
	rs := h.Press(guest, Action(t, card, "pv:"))
	if len(rs) != 2 || rs[1].Key != "poll.voted" || rs[0].Key != "poll.card" || !rs[0].Edit || !strings.Contains(rs[0].Text, "Tea — 1 (100%)") {
		t.Fatalf("web vote replies %v: %+v", Keys(rs), rs)
	}
	CheckRendered(t, rs)
	res := h.Expect(h.Say(web, "/poll close "+code), "poll.result")
	if res.Image == nil || !strings.Contains(res.Text, "Tea") {
		t.Fatalf("web close: %+v", res)
	}
}

func TestPollBadInput(t *testing.T) {
	h := New(t)
	long := strings.Repeat("é", 301)
	for _, c := range []struct{ args, key string }{
		{`"Q?"`, "error.usage"},
		{`"Q?" One`, "error.poll_options_count"},
		{`"Q?" 1 2 3 4 5 6 7 8 9 10 11`, "error.poll_options_count"},
		{`"` + long + `" A B`, "error.too_long"},
		{`"Q?" A "` + strings.Repeat("x", 56) + `"`, "error.too_long"},
		{`"Q?" Yes yes`, "error.poll_duplicate_option"},
		{"\"Q?\" A \"\u202e\u200b\"", "error.empty"},
		{"\"\x00\x01\" A B", "error.empty"},
		{`"Q?" A B multi=0`, "error.poll_bad_multi"},
		{`"Q?" A B multi=3`, "error.poll_bad_multi"},
		{`"Q?" A B multi=two`, "error.poll_bad_multi"},
		{`"Q?" A B limit=0`, "error.poll_bad_limit"},
		{`"Q?" A B limit=-4`, "error.poll_bad_limit"},
		{`"Q?" A B limit=99999999`, "error.poll_bad_limit"},
		{`"Q?" A B closes=2020-01-01`, "error.deadline_past"},
		{`"Q?" A B closes=soon`, "error.bad_deadline"},
		{`"Q?" A B colour=red`, "error.unknown_option"},
		{`"Q?" A B anonymous=yes`, "error.poll_bad_flag"},
		{`"Q?" A B hidden=maybe`, "error.poll_bad_flag"},
	} {
		if rs := h.Say(Admin, "/poll new "+c.args); len(rs) != 1 || rs[0].Key != c.key {
			t.Errorf("/poll new %s: %v, want %s", c.args, Keys(rs), c.key)
		} else {
			CheckRendered(t, rs)
		}
	}
	if n := len(cardItems(t, h)); n != 0 {
		t.Fatalf("refused polls queued %d cards", n)
	}
	h.Expect(h.Say(Bob, `/poll new "Q?" A B`), "error.admin_only")
	// anonymous=true is the flag spelled out
	anon := newPoll(t, h, `"Q?" A B anonymous=true`)
	if _, err := h.Service.Export(context.Background(), core.Actor{Admin: true, Owner: true}, anon); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("anonymous=true made a public poll: %v", err)
	}
	code := newPoll(t, h, `"Q?" A B`)
	ideas := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Board"`), "campaign.created"))
	h.Expect(h.Say(Bob, "/poll results zzzz9"), "error.campaign_not_found")
	h.Expect(h.Say(Bob, "/poll results "+ideas), "error.wrong_kind")
	h.Expect(h.Say(Bob, "/poll"), "error.usage")
	h.Expect(h.Press(Bob, vote(ideas, 0)), "error.wrong_kind")
	h.Expect(h.Press(Bob, vote(code, 2)), "error.poll_bad_option")
	h.Expect(h.Press(Bob, "pv:"+code+":x"), "error.poll_bad_option")
	h.Expect(h.Press(Bob, "pv:"), "error.campaign_not_found")
	h.Expect(h.Say(Carol, "/poll close "+code), "error.admin_only")
	h.Expect(h.Say(Admin, "/poll close "+ideas), "error.wrong_kind")
	wantVotes(t, h, code, 0, 0, 0)
	// a cancelled poll takes no votes and says so
	h.Expect(h.Say(Admin, "/campaign cancel "+code+" confirm"), "campaign.cancelled")
	h.Expect(h.Press(Bob, vote(code, 0)), "error.campaign_closed")
	if card := h.Expect(h.Say(Bob, "/poll "+code), "poll.card"); len(card.Buttons) != 0 || !strings.Contains(card.Text, "cancelled") {
		t.Fatalf("cancelled card: %q", card.Text)
	}
	h.Expect(h.Say(Admin, "/poll post "+code), "error.campaign_closed")
}

// editRecorder records edits; it can be told to answer 429 once.
type editRecorder struct {
	platform core.Platform
	mu       sync.Mutex
	edits    []fakeEdit
	limitOne bool
}

type fakeEdit struct {
	to    bots.Destination
	id    string
	reply bots.Reply
}

func (f *editRecorder) Platform() core.Platform { return f.platform }

func (f *editRecorder) Post(ctx context.Context, to bots.Destination, r bots.Reply) (string, error) {
	return "", errors.New("the refresher only edits")
}

func (f *editRecorder) Edit(ctx context.Context, to bots.Destination, id string, r bots.Reply) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limitOne {
		f.limitOne = false
		return &bots.RateLimitError{RetryAfter: time.Second}
	}
	f.edits = append(f.edits, fakeEdit{to, id, r})
	return nil
}

func (f *editRecorder) take() []fakeEdit {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.edits
	f.edits = nil
	return out
}

// markSent does what the outbox dispatcher does once it has posted a card.
func markSent(t *testing.T, h *Harness) {
	t.Helper()
	err := h.Store.Exec(context.Background(), `UPDATE outbox_items SET state = 'sent', message_id = 'msg-' || id WHERE "key" = 'poll.card'`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestPollCardsRefreshCoalesced: a hundred votes between two passes cost each posted
// card one edit, carrying the final tally; a quiet pass edits nothing; the close
// takes the buttons away.
func TestPollCardsRefreshCoalesced(t *testing.T) {
	h := New(t)
	ctx := context.Background()
	code := newPoll(t, h, `"Encore?" Yes No`)
	discordAdmin := Admin.On(core.Discord, "41771983423143937", "80351110224678912")
	h.LinkTo(t, Admin, code, discordAdmin)
	// the Discord server speaks French: its card is rendered in French
	if err := h.Store.Exec(ctx, "UPDATE spaces SET locale = 'fr' WHERE platform = 'discord'"); err != nil {
		t.Fatal(err)
	}
	h.Expect(h.Say(Admin, "/poll post "+code), "poll.posted")
	markSent(t, h)
	tg, dc := &editRecorder{platform: core.Telegram}, &editRecorder{platform: core.Discord}
	ref := bots.NewRefresher(h.Router, map[core.Platform]bots.Poster{core.Telegram: tg, core.Discord: dc})

	if n, err := ref.Tick(ctx); n != 0 || err != nil {
		t.Fatalf("a poll without votes refreshed %d cards (%v)", n, err)
	}
	for i := range 100 {
		who := Who{Platform: core.Telegram, ID: fmt.Sprint(5000 + i), Name: "fan", Locale: "en", Space: Admin.Space, Channel: Admin.Channel}
		if i%2 == 1 {
			who = Who{Platform: core.Discord, ID: fmt.Sprint(7000 + i), Name: "fan", Locale: "en", Space: discordAdmin.Space, Channel: discordAdmin.Channel}
		}
		voted(h, h.Press(who, vote(code, i%3/2)), "poll.voted")
	}
	wantVotes(t, h, code, 100, 67, 33)
	if n, err := ref.Tick(ctx); n != 2 || err != nil {
		t.Fatalf("after 100 votes: %d edits (%v), want one per posted card", n, err)
	}
	tgEdits, dcEdits := tg.take(), dc.take()
	if len(tgEdits) != 1 || len(dcEdits) != 1 {
		t.Fatalf("edits: telegram %d, discord %d", len(tgEdits), len(dcEdits))
	}
	if e := tgEdits[0]; e.to.ChannelID != Admin.Channel || e.to.SpaceID != Admin.Space || !strings.HasPrefix(e.id, "msg-") ||
		!strings.Contains(e.reply.Text, "100 voters") || !strings.Contains(e.reply.Text, "Yes — 67 (67%)") || len(e.reply.Buttons) != 2 {
		t.Fatalf("telegram edit %+v", e)
	}
	// the Discord card is in its space's language
	if e := dcEdits[0]; e.to.ChannelID != discordAdmin.Channel || !strings.Contains(e.reply.Text, "100 votants") {
		t.Fatalf("discord edit %+v", e)
	}
	if n, _ := ref.Tick(ctx); n != 0 {
		t.Fatalf("a quiet pass edited %d cards", n)
	}

	// a platform asking to slow down is retried on the next pass
	voted(h, h.Press(Bob, vote(code, 1)), "poll.voted")
	tg.limitOne = true
	if n, _ := ref.Tick(ctx); n != 1 || len(dc.take()) != 1 || len(tg.take()) != 0 {
		t.Fatalf("rate-limited pass: %d edits", n)
	}
	if n, _ := ref.Tick(ctx); n != 1 || len(tg.take()) != 1 {
		t.Fatalf("retry after the rate limit: %d edits", n)
	}

	// two refreshers at once (two replicas) still edit each card once
	voted(h, h.Press(Carol, vote(code, 1)), "poll.voted")
	other := bots.NewRefresher(h.Router, map[core.Platform]bots.Poster{core.Telegram: tg, core.Discord: dc})
	var wg sync.WaitGroup
	for _, f := range []*bots.Refresher{ref, other} {
		wg.Go(func() {
			if _, err := f.Tick(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if a, b := len(tg.take()), len(dc.take()); a != 1 || b != 1 {
		t.Fatalf("two refreshers made %d telegram and %d discord edits", a, b)
	}

	h.Expect(h.Say(Admin, "/poll close "+code), "poll.closed")
	if n, _ := ref.Tick(ctx); n != 2 {
		t.Fatalf("close refreshed %d cards", n)
	}
	if e := tg.take()[0]; len(e.reply.Buttons) != 0 || !strings.Contains(e.reply.Text, "Winner: Yes") {
		t.Fatalf("closed card %q still has %d button rows", e.reply.Text, len(e.reply.Buttons))
	}
}

// voted checks the replies to a vote: the pressed card, edited with the new tally,
// then the toast with key, which it returns.
func voted(h *Harness, rs []bots.Reply, key string) bots.Reply {
	h.T.Helper()
	if len(rs) != 2 || rs[0].Key != "poll.card" || !rs[0].Edit || rs[1].Key != key {
		h.T.Fatalf("replies %v, want the edited poll.card and %s", Keys(rs), key)
	}
	CheckRendered(h.T, rs)
	return rs[1]
}

// TestPollLiveFeedback: a press edits the pressed card with the new tally in every
// language; the member's own choice is marked where they alone see the card (the
// playground, a private chat) and nowhere in a group, whose card is a refresh; the
// percentages are one rule, rounded by the largest remainder to sum to 100; a hidden
// poll's very first card shows no counts and says they stay hidden.
func TestPollLiveFeedback(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) {
		h := New(t)
		web := Admin.On(core.Web, "web", "web").In(lang)
		card := h.Expect(h.Say(web, `/poll new "Where?" Rome Milan Turin`), "poll.card")
		code := Code(t, card)
		voters := []Who{Bob.On(core.Web, "web", "web").In(lang), Carol.On(core.Web, "web", "web").In(lang), Dave.On(core.Web, "web", "web").In(lang)}
		var rs []bots.Reply
		for i, who := range voters {
			rs = h.Press(who, vote(code, i))
		}
		voted(h, rs, "poll.voted")
		edited := rs[0]
		pct := "%"
		if lang == "fr" {
			pct = " %"
		}
		for _, want := range []string{"Rome — 1 (34" + pct + ")", "Milan — 1 (33" + pct + ")", "Turin — 1 (33" + pct + ")"} {
			if !strings.Contains(edited.Text, want) {
				t.Errorf("card after three votes lacks %q:\n%s", want, edited.Text)
			}
		}
		marked := 0
		for _, row := range edited.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Label, "✓") {
					marked++
					if b.Action != vote(code, 2) {
						t.Errorf("marked %q, not the member's own choice", b.Label)
					}
				}
			}
		}
		if marked != 1 {
			t.Errorf("%d buttons marked on the voter's card, want 1: %+v", marked, edited.Buttons)
		}

		// in a group the card is everyone's: the tally, no mark, a refresh
		gcode := newPoll(t, h, `"Colour?" Red Blue`)
		in := h.Input(Bob.In(lang))
		in.Action = vote(gcode, 1)
		rs = h.Do(in)
		voted(h, rs, "poll.voted")
		if g := rs[0]; !g.Refresh || strings.Contains(g.Buttons[1][0].Label, "✓") || !strings.Contains(g.Text, "Blue — 1 (100"+pct+")") {
			t.Errorf("group card after a vote: refresh %v, %q, buttons %+v", g.Refresh, g.Text, g.Buttons)
		}
		// a private chat's card is the member's own
		in = h.Input(Bob.In(lang))
		in.Private, in.Action = true, vote(gcode, 0)
		rs = h.Do(in)
		voted(h, rs, "poll.voted")
		if p := rs[0]; p.Refresh || !strings.HasPrefix(p.Buttons[0][0].Label, "✓") || strings.HasPrefix(p.Buttons[1][0].Label, "✓") {
			t.Errorf("private card after a vote: refresh %v, buttons %+v", p.Refresh, p.Buttons)
		}

		// a hidden poll: its first card has no counts and says so
		first := h.Expect(h.Say(web, `/poll new "Secret?" Yes No hidden`), "poll.card")
		hidden := h.Router.T(lang, bots.M("poll.rule_hidden"))
		if strings.Contains(first.Text, "0"+pct) || strings.Contains(first.Text, "░") || !strings.Contains(first.Text, hidden) {
			t.Errorf("hidden poll's first card:\n%s", first.Text)
		}
		rs = h.Press(voters[0], Action(t, first, "pv:"))
		voted(h, rs, "poll.voted")
		if strings.Contains(rs[0].Text, pct) || !strings.Contains(rs[0].Text, hidden) {
			t.Errorf("hidden poll's card after a vote:\n%s", rs[0].Text)
		}
	})
}

// TestStrangersBallot: poll buttons pressed by people the bot has never seen, on an
// open and on an anonymous poll, make each of them a member with the ballot,
// answered in their platform's language; a refused press by a member who chose
// another language is answered in theirs, and makes no member of a stranger.
func TestStrangersBallot(t *testing.T) {
	h := New(t)
	for n, opts := range []string{`"Best pizza?" Margherita Diavola`, `"Secret?" Yes No anonymous=true`} {
		code := newPoll(t, h, opts)
		for i, lang := range core.Locales {
			stranger := Who{Platform: core.Discord, ID: fmt.Sprint(7100 + 10*n + i), Name: "Stranger " + lang, Locale: lang, Space: "g1", Channel: "c1"}
			r := voted(h, h.Press(stranger, vote(code, 1)), "poll.voted")
			if r.Text != h.Router.Catalog().T(lang, "poll.voted", r.Args) {
				t.Errorf("%s: %q", lang, r.Text)
			}
			if m, err := h.Store.FindMember(context.Background(), core.MemberRef{Platform: core.Discord, ExternalID: stranger.ID}); err != nil || m == nil {
				t.Fatalf("%s: stranger's member row %+v, %v", lang, m, err)
			}
			// the same stranger again: their ballot is found and taken back
			voted(h, h.Press(stranger, vote(code, 1)), "poll.withdrawn")
			voted(h, h.Press(stranger, vote(code, 0)), "poll.voted")
		}
		wantVotes(t, h, code, len(core.Locales), len(core.Locales), 0)
	}
	h.Expect(h.Say(Dave, "/lang fr"), "lang.set")
	code := newPoll(t, h, `"Q?" A B`)
	if r := h.Expect(h.Press(Dave, vote(code, 5)), "error.poll_bad_option"); r.Text != h.Router.Catalog().T("fr", "error.poll_bad_option", r.Args) {
		t.Errorf("refused press by a member who chose French answered %q", r.Text)
	}
	ghost := Who{Platform: core.Discord, ID: "7199", Name: "Ghost", Locale: "it", Space: "g1", Channel: "c1"}
	h.Expect(h.Press(ghost, vote(code, 5)), "error.poll_bad_option")
	if m, err := h.Store.FindMember(context.Background(), core.MemberRef{Platform: core.Discord, ExternalID: ghost.ID}); err != nil || m != nil {
		t.Errorf("a refused press made a member: %+v, %v", m, err)
	}
}

package bots_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage/storagetest"
)

// picture is a photo as the Telegram adapter hands it over: a file id, no URL.
func picture(name string) bots.Attachment {
	return bots.Attachment{Platform: core.Telegram, FileID: "AgACAgQAAxkBAAI" + name, Name: name + ".png",
		ContentType: "image/png", Size: 182_000, Width: 1200, Height: 800}
}

// send runs a message with attachments.
func send(h *Harness, w Who, text string, files ...bots.Attachment) []bots.Reply {
	in := h.Input(w)
	in.Text, in.Attachments = text, files
	return h.Do(in)
}

func entryOf(t *testing.T, r bots.Reply) int64 {
	t.Helper()
	id, ok := r.Args["id"].(int64)
	if !ok || id <= 0 {
		t.Fatalf("reply %s carries no entry id: %v", r.Key, r.Args)
	}
	return id
}

func advance(t *testing.T, h *Harness, d time.Duration, want int) {
	t.Helper()
	h.Clock.Advance(d)
	n, err := h.Service.AdvanceDue(context.Background())
	if err != nil || n != want {
		t.Fatalf("advance: %d moved, %v; want %d", n, err, want)
	}
}

func outboxItems(t *testing.T, h *Harness, key string) []core.OutboxItem {
	t.Helper()
	items, err := h.Store.Outbox(context.Background(), "", 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []core.OutboxItem
	for _, it := range items {
		if it.Announcement.Key == key {
			out = append(out, it)
		}
	}
	return out
}

func state(t *testing.T, h *Harness, code string) core.State {
	t.Helper()
	c, err := h.Service.Campaign(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return c.State
}

// onEach runs fn over SQLite and, when configured, over Postgres.
func onEach(t *testing.T, fn func(t *testing.T, h *Harness)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, New(t)) })
	if storagetest.PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, On(t, storagetest.Postgres(t))) })
	}
}

// TestContestConversation runs a whole blind logo contest through the neutral layer
// with the fake clock, in each language: create, submit (picture, link, prompt), bad
// input, blind browsing, late entries, the vote window, self-votes, double and
// changed votes, disqualification, the automatic winner, a used entry, payouts and
// /earnings, the export.
func TestContestConversation(t *testing.T) {
	EachLocale(t, func(t *testing.T, lang string) { contestConversation(t, New(t), lang) })
	// the same on Postgres, when configured
	if storagetest.PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { contestConversation(t, On(t, storagetest.Postgres(t)), "en") })
	}
}

func contestConversation(t *testing.T, h *Harness, lang string) {
	admin, bob, carol, dave, erin := Admin.In(lang), Bob.In(lang), Carol.In(lang), Dave.In(lang), Erin.In(lang)
	newContest := `/contest new "Summer logo" brief="A logo for our summer range" prize="300 EUR" entries_close=7d voting_close=10d type=logo per_member=2 blind`

	h.Expect(h.Say(bob, newContest), "error.admin_only")
	created := h.Expect(h.Say(admin, newContest), "contest.new")
	code := Code(t, created)
	if lang == "en" && !strings.Contains(created.Text, "€300.00") || lang == "fr" && !strings.Contains(created.Text, "300,00\u00a0€") {
		t.Errorf("prize not shown in the reader's format: %q", created.Text)
	}
	discord := admin.On(core.Discord, "41771983423143937", "80351110224678912")
	h.LinkTo(t, admin, code, discord)

	// entries: a picture, a link, then the limit of two
	b1 := entryOf(t, h.Expect(send(h, bob, "/enter "+code+` "Sunny wave"`, picture("wave")), "contest.entered"))
	b2 := entryOf(t, h.Expect(h.Say(bob, "/enter "+code+" Second try https://example.com/logo.png"), "contest.entered"))
	h.Expect(send(h, bob, "/enter "+code+` "Third"`, picture("third")), "error.entry_limit")
	c1 := entryOf(t, h.Expect(send(h, carol, "/enter "+code+` "Palm"`, picture("palm")), "contest.entered"))

	// bad input is refused with a reason and stores nothing
	h.Expect(h.Say(dave, "/enter "+code+` "Words only" a logo in words`), "error.entry_needs_image")
	h.Expect(h.Say(dave, "/enter "+code+` "XSS" javascript:alert(1)`), "error.entry_link_scheme")
	h.Expect(h.Say(dave, "/enter "+code+` "Data" data:text/html,<b>hi</b>`), "error.entry_link_scheme")
	h.Expect(h.Say(dave, "/enter "+code+` "FTP" ftp://example.com/logo.png`), "error.entry_link_scheme")
	h.Expect(h.Say(dave, "/enter "+code+` "Creds" https://bank.example@evil.example/x`), "error.entry_bad_link")
	h.Expect(h.Say(dave, "/enter "+code+` "No host" https:///logo.png`), "error.entry_bad_link")
	pdf := bots.Attachment{Platform: core.Telegram, FileID: "BQACAgQ", Name: "logo.pdf", ContentType: "application/pdf", Size: 9000}
	h.Expect(send(h, dave, "/enter "+code+` "PDF"`, pdf), "error.entry_file_type")
	exe := bots.Attachment{Platform: core.Telegram, FileID: "BQACAgR", Name: "logo.png.exe", Size: 9000}
	h.Expect(send(h, dave, "/enter "+code+` "EXE"`, exe), "error.entry_file_type")
	huge := picture("huge")
	huge.Size = 11 << 20
	h.Expect(send(h, dave, "/enter "+code+` "Huge"`, huge), "error.entry_file_too_big")
	h.Expect(send(h, dave, "/enter "+code+` "Two"`, picture("a"), picture("b")), "error.entry_one_file")
	h.Expect(send(h, dave, "/enter "+code+" \"\x00\x01\u202e \"", picture("ctl")), "error.empty")
	h.Expect(send(h, dave, "/enter "+code+` "`+strings.Repeat("é", 121)+`"`, picture("long")), "error.too_long")
	h.Expect(send(h, dave, `/enter zzzz9 "Lost"`, picture("lost")), "error.campaign_not_found")
	h.Expect(h.Say(dave, "/enter "+code+` "Style" colour=red`), "error.unknown_option")

	// with nothing to enter, the bot asks; the answer is a picture with its caption
	ask := h.Expect(h.Say(dave, "/enter "+code), "contest.enter_prompt")
	if ask.Prompt == nil || ask.Prompt.Action != "ca:"+code {
		t.Fatalf("prompt = %+v", ask.Prompt)
	}
	d1 := entryOf(t, h.Expect(send(h, dave, "Sea breeze", picture("breeze")), "contest.entered"))

	// the same update delivered twice makes one entry
	in := h.Input(erin)
	in.Text, in.Attachments = "/enter "+code+` "Sunset"`, []bots.Attachment{picture("sunset")}
	e1 := entryOf(t, h.Expect(h.Do(in), "contest.entered"))
	if again := h.Do(in); len(again) != 0 {
		t.Fatalf("repeated update answered %v", Keys(again))
	}

	// blind: members see their own entries only; admins see all
	mine := h.Expect(h.Say(carol, "/entries "+code), "contest.entry")
	if mine.Args["total"] != 1 || mine.Args["id"] != c1 || len(mine.Buttons) != 0 {
		t.Fatalf("Carol's blind view: %v %+v", mine.Args, mine.Buttons)
	}
	if own := h.Expect(h.Say(Who{Platform: core.Telegram, ID: "1006", Name: "Finn", Locale: lang, Space: "-1001", Channel: "-1001"}, "/entries "+code), "contest.entries_blind"); own.Text == "" {
		t.Fatal("no blind notice")
	}
	all := h.Expect(h.Say(admin, "/entries "+code), "contest.entry")
	if all.Args["total"] != 5 {
		t.Fatalf("admin sees %v entries, want 5", all.Args["total"])
	}
	h.Expect(h.Press(carol, fmt.Sprintf("cv:%d", b1)), "error.contest_not_voting")

	// late: the deadline passed, the scheduler has not run yet
	h.Clock.Advance(7*24*time.Hour + time.Minute)
	h.Expect(send(h, erin, "/enter "+code+` "Late"`, picture("late")), "error.entries_closed")
	advance(t, h, 0, 1)
	if n, _ := h.Service.AdvanceDue(context.Background()); n != 0 {
		t.Fatal("voting opened twice")
	}
	opened := outboxItems(t, h, "announce.contest_voting")
	if len(opened) != 2 {
		t.Fatalf("voting announced %d times, want once per linked channel (2)", len(opened))
	}
	card, err := h.Router.Card(context.Background(), opened[0].Announcement, lang)
	if err != nil || Action(t, card, "cb:") != "cb:"+code || !strings.Contains(card.Text, "5") {
		t.Fatalf("voting card: %q %+v, %v", card.Text, card.Buttons, err)
	}
	CheckRendered(t, []bots.Reply{card})
	browse := h.Expect(h.Press(erin, "cb:"+code), "contest.entry")
	if browse.Edit || !browse.Ephemeral {
		t.Fatalf("browsing from a card should open a new private message: %+v", browse)
	}

	// voting: every entry is visible, authors stay hidden until the end
	view := h.Expect(h.Say(erin, "/entries "+code), "contest.entry")
	if view.Args["total"] != 5 || strings.Contains(view.Text, "Bob") || view.Image == nil || view.Image.Path == "" {
		t.Fatalf("Erin's view during voting: %v %q %+v", view.Args, view.Text, view.Image)
	}
	if Action(t, view, "cv:") != fmt.Sprintf("cv:%d", b1) {
		t.Fatalf("vote button: %+v", view.Buttons)
	}
	h.Expect(h.Press(bob, fmt.Sprintf("cv:%d", b1)), "error.entry_own_vote")
	h.Expect(h.Press(carol, fmt.Sprintf("cv:%d", b1)), "contest.voted")
	h.Expect(h.Press(carol, fmt.Sprintf("cv:%d", b1)), "error.entry_already_voted")
	moved := h.Expect(h.Press(carol, fmt.Sprintf("cv:%d", d1)), "contest.vote_moved")
	if moved.Args["from"] != b1 {
		t.Fatalf("moved: %v", moved.Args)
	}
	h.Expect(h.Press(erin, fmt.Sprintf("cv:%d", b1)), "contest.voted")
	h.Expect(h.Press(dave, fmt.Sprintf("cv:%d", b1)), "contest.voted")
	h.Expect(h.Press(admin, fmt.Sprintf("cv:%d", c1)), "contest.voted")
	h.Expect(h.Press(bob, fmt.Sprintf("cv:%d", e1)), "contest.voted")
	h.Expect(h.Press(erin, "cv:99999"), "error.entry_not_found")
	h.Expect(h.Press(erin, "cv:abc"), "error.entry_not_found")

	// browsing: next edits in place; the member's own vote is marked
	next := h.Expect(h.Press(erin, Action(t, view, "ce:")), "contest.entry")
	if next.Args["pos"] != 2 || !next.Edit {
		t.Fatalf("next: %v edit=%v", next.Args, next.Edit)
	}
	if !strings.Contains(h.Expect(h.Say(erin, "/entries "+code), "contest.entry").Buttons[0][0].Label, "✅") {
		t.Fatal("Erin's vote is not marked on the entry she voted for")
	}

	// disqualify Dave's entry: Carol's vote on it is dropped, she may vote again
	h.Expect(h.Say(bob, fmt.Sprintf(`/contest disqualify %s %d "Copied"`, code, d1)), "error.admin_only")
	h.Expect(h.Say(admin, fmt.Sprintf("/contest disqualify %s %d", code, d1)), "error.usage")
	h.Expect(h.Say(admin, "/contest disqualify "+code+" x1 Copied"), "error.bad_entry_id")
	h.Expect(h.Say(admin, fmt.Sprintf(`/contest disqualify %s %d "Uses a stock image"`, code, d1)), "contest.disqualified")
	h.Expect(h.Say(admin, fmt.Sprintf(`/contest disqualify %s %d "Again"`, code, d1)), "error.entry_already_disqualified")
	notices := outboxItems(t, h, "notice.entry_disqualified")
	if len(notices) != 1 || notices[0].Announcement.Args["reason"] != "Uses a stock image" || notices[0].ChannelID != "" {
		t.Fatalf("disqualification notice: %+v", notices)
	}
	if card, err := h.Router.Card(context.Background(), notices[0].Announcement, lang); err != nil ||
		!strings.Contains(card.Text, fmt.Sprintf("%d", d1)) || !strings.Contains(card.Text, "Uses a stock image") {
		t.Fatalf("disqualification notice renders %q, %v", card.Text, err)
	}
	h.Expect(h.Press(erin, fmt.Sprintf("cv:%d", d1)), "error.entry_not_found")
	h.Expect(h.Press(carol, fmt.Sprintf("cv:%d", b1)), "contest.voted")
	h.Expect(h.Say(admin, fmt.Sprintf("/contest pick %s %d", code, b1)), "error.contest_pick_after_voting")

	// voting closes: Bob's wave has the most votes (Carol, Erin, Dave) and wins
	advance(t, h, 3*24*time.Hour, 1)
	if state(t, h, code) != core.StateClosed {
		t.Fatal("contest not closed")
	}
	h.Expect(h.Press(erin, fmt.Sprintf("cv:%d", c1)), "error.contest_not_voting")
	for key, want := range map[string]int{"announce.contest_closed": 2, "announce.contest_winner": 2, "notice.contest_won": 1} {
		if got := len(outboxItems(t, h, key)); got != want {
			t.Errorf("%s queued %d times, want %d", key, got, want)
		}
	}
	won := outboxItems(t, h, "announce.contest_winner")[0]
	card, err = h.Router.Card(context.Background(), won.Announcement, "fr")
	if err != nil || !strings.Contains(card.Text, "300,00\u00a0€") || !strings.Contains(card.Text, "Bob") {
		t.Fatalf("winner card: %q, %v", card.Text, err)
	}
	h.Expect(h.Say(admin, fmt.Sprintf("/contest pick %s %d", code, c1)), "error.contest_winner_exists")

	// the brand uses Carol's palm too, for 150 in the prize's currency
	h.Expect(h.Say(bob, fmt.Sprintf("/contest use %s %d", code, c1)), "error.admin_only")
	used := h.Expect(h.Say(admin, fmt.Sprintf("/contest use %s %d 150", code, c1)), "contest.used")
	if used.Args["amount"] != (core.Money{Amount: 15000, Currency: "EUR"}) {
		t.Fatalf("used: %v", used.Args)
	}
	h.Expect(h.Say(admin, fmt.Sprintf("/contest use %s %d", code, c1)), "error.entry_already_paid")
	h.Expect(h.Say(admin, fmt.Sprintf("/contest use %s %d", code, b1)), "error.entry_already_paid")
	h.Expect(h.Say(admin, fmt.Sprintf("/contest use %s %d", code, d1)), "error.entry_disqualified")
	h.Expect(h.Say(admin, fmt.Sprintf("/contest use %s %d -5 EUR", code, b2)), "error.amount_bad")
	h.Expect(h.Say(admin, fmt.Sprintf(`/contest disqualify %s %d "Late change"`, code, b1)), "error.entry_awarded")
	h.Expect(h.Say(admin, "/contest pick "+code+" 99999"), "error.entry_not_found")

	payouts := h.Expect(h.Say(admin, "/contest payouts "+code), "contest.payouts_title")
	if len(payouts.Lines) != 2 || payouts.Args["count"] != 2 {
		t.Fatalf("payouts: %q", payouts.Text)
	}
	h.Expect(h.Say(bob, "/contest payouts "+code), "error.admin_only")
	if earned := h.Expect(h.Say(bob, "/earnings"), "earnings.title"); len(earned.Lines) != 1 || earned.Lines[0].Args["amount"] != (core.Money{Amount: 30000, Currency: "EUR"}) {
		t.Fatalf("Bob's earnings: %q", earned.Text)
	}
	if earned := h.Expect(h.Say(carol, "/earnings"), "earnings.title"); earned.Lines[0].Args["amount"] != (core.Money{Amount: 15000, Currency: "EUR"}) {
		t.Fatalf("Carol's earnings: %q", earned.Text)
	}
	h.Expect(h.Say(erin, "/earnings"), "earnings.none")

	// after the close, authors and tallies are public
	final := h.Expect(h.Say(erin, "/entries "+code), "contest.entry")
	if !strings.Contains(final.Text, "Bob") || final.Args["total"] != 4 || len(final.Lines) < 4 {
		t.Fatalf("after close: %q", final.Text)
	}
	show := h.Expect(h.Say(erin, "/campaign show "+code), "campaign.show")
	if !strings.Contains(show.Text, "Sunny wave") {
		t.Fatalf("show has no winner: %q", show.Text)
	}

	tbl, err := h.Service.Export(context.Background(), core.Actor{Admin: true, Owner: true}, code)
	if err != nil || len(tbl.Rows) != 5 {
		t.Fatalf("export: %v, %+v", err, tbl)
	}
	status := map[string]string{}
	for _, row := range tbl.Rows {
		status[row[0]] = row[13] + " " + row[15] + " " + row[11]
	}
	for id, want := range map[int64]string{b1: "winner 300.00 EUR 3", c1: "used 150.00 EUR 1", d1: "disqualified  0", b2: "entered  0", e1: "entered  1"} {
		if got := status[fmt.Sprint(id)]; got != want {
			t.Errorf("export of #%d: %q, want %q", id, got, want)
		}
	}
}

// TestContestFinalRound: finalists=2 keeps the top two of the first round when it
// ends; the community votes again among them and the final's votes decide.
func TestContestFinalRound(t *testing.T) {
	onEach(t, func(t *testing.T, h *Harness) {
		code := Code(t, h.Expect(h.Say(Admin, `/contest new "Tagline" brief="Say summer" prize="50 USD" entries_close=2d voting_close=6d type=slogan finalists=2`), "contest.new"))
		s1 := entryOf(t, h.Expect(h.Say(Bob, "/enter "+code+" Sun on a stick"), "contest.entered"))
		s2 := entryOf(t, h.Expect(h.Say(Carol, "/enter "+code+` "Option C" Cold is cool`), "contest.entered"))
		s3 := entryOf(t, h.Expect(h.Say(Dave, "/enter "+code+" Lick the heat"), "contest.entered"))
		h.Expect(send(h, Erin, "/enter "+code+` "Pic"`, picture("pic")), "error.entry_text_only")
		h.Expect(h.Say(Erin, "/enter "+code+" https://example.com"), "error.entry_text_only")
		h.Expect(h.Say(Admin, "/contest finalists "+code+fmt.Sprintf(" %d %d", s1, s2)), "error.contest_not_voting")

		advance(t, h, 2*24*time.Hour, 1)
		// first round: s2 3 votes, s3 2, s1 1
		for who, id := range map[Who]int64{Admin: s2, Dave: s2, Erin: s2, Bob: s3, Carol: s3} {
			h.Expect(h.Press(who, fmt.Sprintf("cv:%d", id)), "contest.voted")
		}
		h.Expect(h.Press(Dave, fmt.Sprintf("cv:%d", s1)), "contest.vote_moved") // Dave moves: s2 2, s1 1
		h.Expect(h.Press(Who{Platform: core.Web, ID: "web-1", Name: "Gus", Space: "web", Channel: "web"}, fmt.Sprintf("cv:%d", s2)), "contest.voted")
		// s2 3, s3 2, s1 1: the final keeps s2 and s3, half-way through voting (day 4)
		advance(t, h, 2*24*time.Hour, 1)
		if got := len(outboxItems(t, h, "announce.contest_final")); got != 1 {
			t.Fatalf("final announced %d times", got)
		}
		h.Expect(h.Press(Erin, fmt.Sprintf("cv:%d", s1)), "error.entry_not_finalist")
		list := h.Expect(h.Say(Erin, "/entries "+code), "contest.entry")
		if list.Args["total"] != 2 || list.Args["id"] != s2 {
			t.Fatalf("final round browses %v", list.Args)
		}
		// a first-round vote does not count in the final; the final's votes decide
		h.Expect(h.Press(Erin, fmt.Sprintf("cv:%d", s3)), "contest.voted")
		h.Expect(h.Press(Admin, fmt.Sprintf("cv:%d", s3)), "contest.voted")
		h.Expect(h.Press(Bob, fmt.Sprintf("cv:%d", s2)), "contest.voted")
		h.Expect(h.Say(Admin, fmt.Sprintf("/contest finalists %s %d", code, s1)), "error.contest_final_started")
		advance(t, h, 2*24*time.Hour, 1)
		show := h.Expect(h.Say(Bob, "/campaign show "+code), "campaign.show")
		if !strings.Contains(show.Text, "Lick the heat") {
			t.Fatalf("the final's winner should be s3: %q", show.Text)
		}
		if earned := h.Expect(h.Say(Dave, "/earnings"), "earnings.title"); earned.Lines[0].Args["amount"] != (core.Money{Amount: 5000, Currency: "USD"}) {
			t.Fatalf("Dave's earnings: %q", earned.Text)
		}
	})
}

// TestContestBrandJudging: the brand shortlists by hand, then picks the winner
// itself, even against the vote.
func TestContestBrandJudging(t *testing.T) {
	onEach(t, func(t *testing.T, h *Harness) {
		code := Code(t, h.Expect(h.Say(Admin, `/contest new "Poster" brief="A poster" prize="1000 XTR" entries_close=1d voting_close=3d judging=brand`), "contest.new"))
		p1 := entryOf(t, h.Expect(send(h, Bob, "/enter "+code+` "One"`, picture("one")), "contest.entered"))
		p2 := entryOf(t, h.Expect(send(h, Carol, "/enter "+code+` "Two"`, picture("two")), "contest.entered"))
		p3 := entryOf(t, h.Expect(h.Say(Dave, "/enter "+code+` "Three" https://www.behance.net/gallery/1`), "contest.entered"))
		// a disqualified entry frees its author's slot while entries are open
		h.Expect(h.Say(Admin, fmt.Sprintf(`/contest disqualify %s %d "Wrong size"`, code, p1)), "contest.disqualified")
		p1 = entryOf(t, h.Expect(send(h, Bob, "/enter "+code+` "One, resized"`, picture("one2")), "contest.entered"))
		h.Expect(send(h, Bob, "/enter "+code+` "One more"`, picture("one3")), "error.entry_limit")
		// not blind: everyone sees every entry while entries are open
		if v := h.Expect(h.Say(Erin, "/entries "+code), "contest.entry"); v.Args["total"] != 3 || !strings.Contains(v.Text, "Carol") {
			t.Fatalf("open contest view: %v %q", v.Args, v.Text)
		}
		h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, p1)), "error.contest_pick_too_early")
		advance(t, h, 24*time.Hour, 1)
		h.Expect(h.Say(Bob, fmt.Sprintf("/contest finalists %s %d %d", code, p2, p3)), "error.admin_only")
		h.Expect(h.Say(Admin, fmt.Sprintf("/contest finalists %s %d 99999", code, p2)), "error.entry_not_found")
		h.Expect(h.Say(Admin, fmt.Sprintf("/contest finalists %s %d %d", code, p2, p2)), "error.contest_finalists")
		h.Expect(h.Say(Admin, fmt.Sprintf("/contest finalists %s %d x", code, p2)), "error.bad_entry_id")
		set := h.Expect(h.Say(Admin, fmt.Sprintf("/contest finalists %s #%d %d %d", code, p2, p3, p2)), "contest.finalists_set")
		if set.Args["count"] != 2 {
			t.Fatalf("finalists: %v", set.Args)
		}
		link := h.Expect(h.Say(Erin, "/entries "+code), "contest.entry")
		if link.Args["id"] != p2 {
			t.Fatalf("final browses %v", link.Args)
		}
		h.Expect(h.Press(Erin, fmt.Sprintf("cv:%d", p3)), "contest.voted")
		h.Expect(h.Press(Erin, fmt.Sprintf("cv:%d", p1)), "error.entry_not_finalist")
		// the brand may pick during voting when it judges alone
		picked := h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, p2)), "contest.picked")
		if picked.Args["prize"] != (core.Money{Amount: 1000, Currency: "XTR"}) {
			t.Fatalf("picked: %v", picked.Args)
		}
		h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, p3)), "error.contest_winner_exists")
		advance(t, h, 2*24*time.Hour, 1)
		if got := len(outboxItems(t, h, "announce.contest_winner")); got != 1 {
			t.Fatalf("winner announced %d times", got)
		}
	})
}

// TestContestTies: with community judging a tie waits for the brand, which may only
// pick among the tied; with both, the brand picks among the top three.
func TestContestTies(t *testing.T) {
	for _, judging := range []string{"community", "both"} {
		t.Run(judging, func(t *testing.T) {
			h := New(t)
			code := Code(t, h.Expect(h.Say(Admin, `/contest new "Mascot" brief="Draw it" prize="20 EUR" entries_close=1d voting_close=2d judging=`+judging), "contest.new"))
			var ids []int64
			for i, who := range []Who{Bob, Carol, Dave, Erin} {
				ids = append(ids, entryOf(t, h.Expect(send(h, who, fmt.Sprintf(`/enter %s "M%d"`, code, i), picture(fmt.Sprint(i))), "contest.entered")))
			}
			advance(t, h, 24*time.Hour, 1)
			// Bob and Carol 2 votes each, Dave 1, Erin 0
			for _, v := range []struct {
				who Who
				id  int64
			}{{Admin, ids[0]}, {Dave, ids[0]}, {Erin, ids[1]}, {Bob, ids[1]}, {Carol, ids[2]}} {
				h.Expect(h.Press(v.who, fmt.Sprintf("cv:%d", v.id)), "contest.voted")
			}
			advance(t, h, 24*time.Hour, 1)
			if got := len(outboxItems(t, h, "announce.contest_winner")); got != 0 {
				t.Fatalf("a tie named a winner")
			}
			h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, ids[3])), "error.contest_pick_not_top")
			if judging == "community" {
				h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, ids[2])), "error.contest_pick_not_top")
				h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, ids[1])), "contest.picked")
			} else {
				h.Expect(h.Say(Admin, fmt.Sprintf("/contest pick %s %d", code, ids[2])), "contest.picked")
			}
			if got := len(outboxItems(t, h, "announce.contest_winner")); got != 1 {
				t.Fatalf("winner announced %d times", got)
			}
		})
	}
}

// TestContestAfterDowntime: the scheduler was down through both deadlines; one run
// opens voting and closes it, announcing each once.
func TestContestAfterDowntime(t *testing.T) {
	onEach(t, func(t *testing.T, h *Harness) {
		code := Code(t, h.Expect(h.Say(Admin, `/contest new "Quiet" brief="Anything" prize="5 EUR" entries_close=1h voting_close=2h type=slogan`), "contest.new"))
		h.Expect(h.Say(Bob, "/enter "+code+" Hush"), "contest.entered")
		advance(t, h, 30*24*time.Hour, 1)
		if state(t, h, code) != core.StateClosed {
			t.Fatalf("state %s after a late run", state(t, h, code))
		}
		advance(t, h, time.Hour, 0)
		for _, key := range []string{"announce.contest_voting", "announce.contest_closed"} {
			if got := len(outboxItems(t, h, key)); got != 1 {
				t.Errorf("%s queued %d times", key, got)
			}
		}
		// nobody voted: no winner; the brand breaks the tie of one
		h.Expect(h.Say(Admin, "/campaign show "+code), "campaign.show")

		empty := Code(t, h.Expect(h.Say(Admin, `/contest new "Nobody" brief="Anything" prize="5 EUR" entries_close=1h voting_close=2h`), "contest.new"))
		advance(t, h, time.Hour, 1)
		if state(t, h, empty) != core.StateClosed || len(outboxItems(t, h, "announce.contest_empty")) != 1 {
			t.Fatalf("an empty contest should close at the end of entries")
		}
	})
}

// TestContestFinalistsInOneArgument: the finalists may come as one argument, as
// Discord sends its one text option ("12 15" or "#12, #15"), as well as one word
// each; a bad number among them is refused and starts nothing.
func TestContestFinalistsInOneArgument(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/contest new "Poster" brief="A poster" prize="10 EUR" entries_close=1d voting_close=3d judging=brand`), "contest.new"))
	p1 := entryOf(t, h.Expect(send(h, Bob, "/enter "+code+` "One"`, picture("one")), "contest.entered"))
	p2 := entryOf(t, h.Expect(send(h, Carol, "/enter "+code+` "Two"`, picture("two")), "contest.entered"))
	advance(t, h, 24*time.Hour, 1)
	h.Expect(h.Say(Admin, fmt.Sprintf(`/contest finalists %s "%d, x"`, code, p1)), "error.bad_entry_id")
	set := h.Expect(h.Say(Admin, fmt.Sprintf(`/contest finalists %s "#%d, #%d"`, code, p1, p2)), "contest.finalists_set")
	if set.Args["count"] != 2 || set.Args["ids"] != fmt.Sprintf("#%d #%d", p1, p2) {
		t.Fatalf("finalists: %v", set.Args)
	}
}

// TestContestNewBadInput: every setting is checked, with a reason.
func TestContestNewBadInput(t *testing.T) {
	h := New(t)
	base := `brief="B" prize="300 EUR" entries_close=7d voting_close=10d`
	for cmd, key := range map[string]string{
		`/contest new "T" prize="300 EUR" entries_close=7d voting_close=10d`:                  "error.usage",
		`/contest new Two words ` + base:                                                      "error.usage",
		`/contest new "T" brief="B" prize="300" entries_close=7d voting_close=10d`:            "error.amount_currency_missing",
		`/contest new "T" brief="B" prize="-3 EUR" entries_close=7d voting_close=10d`:         "error.amount_bad",
		`/contest new "T" brief="B" prize="0 EUR" entries_close=7d voting_close=10d`:          "error.amount_not_positive",
		`/contest new "T" brief="B" prize="300 EUR" entries_close=7d voting_close=5d`:         "error.contest_voting_before_entries",
		`/contest new "T" brief="B" prize="300 EUR" entries_close=2020-01-01 voting_close=5d`: "error.deadline_past",
		`/contest new "T" brief="B" prize="300 EUR" entries_close=10m voting_close=5d`:        "error.contest_phase_short",
		`/contest new "T" brief="B" prize="300 EUR" entries_close=7d voting_close=400d`:       "error.contest_too_long",
		`/contest new "T" ` + base + ` type=poster`:                                           "error.contest_type",
		`/contest new "T" ` + base + ` judging=jury`:                                          "error.contest_judging",
		`/contest new "T" ` + base + ` per_member=abc`:                                        "error.contest_bad_number",
		`/contest new "T" ` + base + ` per_member=0`:                                          "error.contest_per_member",
		`/contest new "T" ` + base + ` finalists=1`:                                           "error.contest_finalists",
		`/contest new "T" ` + base + ` final_round=8d`:                                        "error.contest_final_needs_finalists",
		`/contest new "T" ` + base + ` finalists=3 final_round=12d`:                           "error.contest_final_round",
		`/contest new "T" brief="" prize="300 EUR" entries_close=7d voting_close=10d`:         "error.empty",
		`/contest new "" ` + base:                                                             "error.empty",
		`/contest new "T" ` + base + ` colour=red`:                                            "error.unknown_option",
	} {
		h.Expect(h.Say(Admin, cmd), key)
	}
	if list, _ := h.Service.Campaigns(context.Background(), core.CampaignFilter{}); len(list) != 0 {
		t.Fatalf("bad input created %d campaigns", len(list))
	}
	h.Expect(h.Say(Admin, `/contest new "T" `+base+` finalists=3 final_round=8d`), "contest.new")
	h.Expect(h.Say(Admin, `/campaign new contest "T"`), "error.campaign_new_kind")
}

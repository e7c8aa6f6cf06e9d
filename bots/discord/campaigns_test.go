package discord_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/discord/dcfake"
)

// The files members attach on Discord: a picture, and a document no contest takes.
var (
	wave = dcfake.Attachment{ID: "1290000000000000001", Filename: "wave.png", ContentType: "image/png",
		URL:  "https://cdn.discordapp.com/attachments/810000000000000001/1290000000000000001/wave.png",
		Size: 182000, Width: 1200, Height: 800}
	brief = dcfake.Attachment{ID: "1290000000000000002", Filename: "brief.pdf", ContentType: "application/pdf",
		URL: "https://cdn.discordapp.com/attachments/810000000000000001/1290000000000000002/brief.pdf", Size: 9000}
)

// holds checks that the first message says text.
func holds(text string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		if !strings.Contains(first.text, text) {
			t.Errorf("%q does not hold %q", first.text, text)
		}
	}
}

// voteShown checks the answer to a vote: the pressed card updated in place with
// texts, mine the buttons marked as the member's choice (none on a card everyone
// sees), and the toast with key as a private follow-up.
func voteShown(key string, mine []string, texts ...string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		msgs := got.messages()
		if first.how != "type7" || len(msgs) != 2 || !msgs[1].private {
			t.Fatalf("want the card updated, then a private toast: %+v", msgs)
		}
		firstKey(t, msgs[1].text, "en", key)
		card := first.text + "\n" + msgs[1].text
		for _, text := range texts {
			if !strings.Contains(card, text) {
				t.Errorf("%q does not hold %q", card, text)
			}
		}
		var marked []string
		for _, b := range first.buttons {
			if strings.HasPrefix(b.label, "✓") {
				marked = append(marked, b.label)
			}
		}
		if !slices.Equal(marked, mine) {
			t.Errorf("buttons marked %q, want %q", marked, mine)
		}
	}
}

// buttons checks how many buttons with an action id starting with prefix the first
// message has.
func buttons(prefix string, n int) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		k := 0
		for _, b := range first.buttons {
			if strings.HasPrefix(b.id, prefix) {
				k++
			}
		}
		if k != n {
			t.Errorf("%d buttons %s*, want %d: %+v", k, prefix, n, first.buttons)
		}
	}
}

// modalFor checks that the answer is a modal answering the action.
func modalFor(action string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		if id := got.answer.Data["custom_id"]; id != s.expand(action) {
			t.Errorf("modal %v, want %s", id, s.expand(action))
		}
	}
}

// A poll: created by the admin, its card posted in the channel, votes on the card
// (changed, too many, taken back, an unknown option), the card shown again, the
// results, posting, closing, and the posted result.
var polls = []step{
	{name: "poll new member", do: command(bob, here, "poll", "new", str("question", "Best day?"), str("option1", "Mon"), str("option2", "Tue")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "poll new twin options", do: command(ada, here, "poll", "new", str("question", "Best day?"), str("option1", "Mon"), str("option2", "mon")),
		typ: 4, key: "error.poll_duplicate_option", private: true},
	{name: "poll new", do: command(ada, here, "poll", "new", str("question", "Best pizza?"), str("option1", "Margherita"),
		str("option2", "Diavola"), str("option3", "Quattro formaggi"), num("multi", "2"), flag("anonymous"), str("closes", "48h")),
		typ: 4, key: "poll.created", private: true, keep: map[string]string{"code": "poll"}},
	{name: "vote on the posted card updates it", before: announce("poll.card", "pollcard"), do: press(cara, here, "pv:{poll}:0", "pollcard"),
		typ: 7, key: "poll.card", check: voteShown("poll.voted", nil, "Margherita — 1 (100%)", "Diavola — 0 (0%)")},
	{name: "a second choice", do: press(cara, here, "pv:{poll}:2", "pollcard"), typ: 7, key: "poll.card",
		check: voteShown("poll.voted", nil, "Margherita — 1 (50%)", "Quattro formaggi — 1 (50%)", "Margherita, Quattro formaggi")},
	{name: "a third is too many", do: press(cara, here, "pv:{poll}:1", "pollcard"), typ: 4, key: "error.poll_too_many_choices", private: true},
	{name: "bob votes; the shares sum to 100", do: press(bob, here, "pv:{poll}:1", "pollcard"), typ: 7, key: "poll.card",
		check: voteShown("poll.voted", nil, "Margherita — 1 (34%)", "Diavola — 1 (33%)", "Quattro formaggi — 1 (33%)")},
	{name: "and takes it back", do: press(bob, here, "pv:{poll}:1", "pollcard"), typ: 7, key: "poll.card", check: voteShown("poll.withdrawn", nil, "Diavola — 0 (0%)")},
	{name: "an option the poll lacks", do: press(bob, here, "pv:{poll}:7", "pollcard"), typ: 4, key: "error.poll_bad_option", private: true},
	{name: "poll", do: command(bob, here, "poll", "submit", str("code", "$poll")), typ: 4, key: "poll.card",
		check: all(saveMsg("pollshow"), buttons("pv:", 3), holds("1 voter"))},
	{name: "vote on the shown card", do: press(bob, here, "pv:{poll}:1", "pollshow"), typ: 7, key: "poll.card", check: voteShown("poll.voted", nil, "Diavola — 1 (33%)")},
	{name: "poll in a private chat", do: command(bob, dm, "poll", "submit", str("code", "$poll")), typ: 4, key: "poll.card", check: saveMsg("polldm")},
	{name: "a vote there marks the member's own choice", do: press(bob, dm, "pv:{poll}:0", "polldm"), typ: 7, key: "poll.card",
		check: voteShown("poll.voted", []string{"✓ 1. Margherita", "✓ 2. Diavola"}, "Margherita — 2 (50%)")},
	{name: "poll results, with their chart", do: command(bob, here, "poll", "results", str("code", "$poll")), typ: 5, key: "poll.card",
		check: all(holds("2 voters"), uploads("progress.png", "\x89PNG"))},
	{name: "poll post member", do: command(bob, here, "poll", "post", str("code", "$poll")), typ: 4, key: "error.admin_only", private: true},
	{name: "poll post", do: command(ada, here, "poll", "post", str("code", "$poll")), typ: 4, key: "poll.posted", private: true},
	{name: "poll close member", do: command(cara, here, "poll", "close", str("code", "$poll")), typ: 4, key: "error.admin_only", private: true},
	{name: "poll close", do: command(ada, here, "poll", "close", str("code", "$poll")), typ: 4, key: "poll.closed", private: true},
	{name: "the result is posted", before: announce("poll.result", "pollresult"), do: command(cara, here, "poll", "submit", str("code", "$poll")),
		typ: 4, key: "poll.result", check: buttons("pv:", 0)},
	{name: "a vote after the close", do: press(cara, here, "pv:{poll}:1", "pollcard"), typ: 4, key: "error.campaign_closed", private: true},
}

// A contest judged by the brand: entries as a picture, a link and a modal's answer,
// refused entries, browsing, a disqualification, the voting card, votes, finalists,
// the winner, a used entry and the payouts.
var contests = []step{
	{name: "contest new member", do: command(bob, here, "contest", "new", str("title", "Nope"), str("brief", "No"), str("prize", "1 EUR"),
		str("entries_close", "1d"), str("voting_close", "2d")), typ: 4, key: "error.admin_only", private: true},
	{name: "contest new bad prize", do: command(ada, here, "contest", "new", str("title", "Logo"), str("brief", "A logo"), str("prize", "-5 EUR"),
		str("entries_close", "7d"), str("voting_close", "10d")), typ: 4, key: "error.amount_bad", private: true},
	{name: "contest new", do: command(ada, here, "contest", "new", str("title", "Summer logo"), str("brief", "A logo for our summer range"),
		str("prize", "300 EUR"), str("entries_close", "7d"), str("voting_close", "10d"), str("type", "logo"), num("per_member", "2"),
		str("judging", "brand")), typ: 4, key: "contest.new", keep: map[string]string{"code": "contest"}, check: holds("€300.00")},
	{name: "enter with a picture", do: command(bob, here, "enter", "", str("code", "$contest"), str("title", "Sunny wave"), file("file", wave)),
		typ: 4, key: "contest.entered", keep: map[string]string{"id": "e1"}},
	{name: "enter with a link", do: command(cara, here, "enter", "", str("code", "$contest"), str("title", "Palm"), str("content", "https://example.com/palm.png")),
		typ: 4, key: "contest.entered", keep: map[string]string{"id": "e2"}},
	{name: "enter a bad link", do: command(cara, here, "enter", "", str("code", "$contest"), str("title", "XSS"), str("content", "javascript:alert(1)")),
		typ: 4, key: "error.entry_link_scheme", private: true},
	{name: "enter a document", do: command(bob, here, "enter", "", str("code", "$contest"), str("title", "Brief"), file("file", brief)),
		typ: 4, key: "error.entry_file_type", private: true},
	{name: "enter with nothing: a modal", do: command(ada, here, "enter", "", str("code", "$contest")), typ: 9, check: modalFor("ca:{contest}")},
	{name: "the modal's answer", do: submit(ada, here, "ca:{contest}", "Sea breeze https://example.com/sea.png", ""),
		typ: 4, key: "contest.entered", keep: map[string]string{"id": "e3"}},
	{name: "entries", do: command(bob, here, "entries", "", str("code", "$contest")), typ: 4, key: "contest.entry",
		check: all(saveMsg("entries"), buttons("ce:", 1), buttons("cv:", 0), embedsImage(wave.URL))},
	{name: "next entry edits", do: press(bob, here, "ce:{contest}:1", "entries"), typ: 7, key: "contest.entry", check: holds("Palm")},
	{name: "contest disqualify member", do: command(bob, here, "contest", "disqualify", str("code", "$contest"), num("entry", "$e3"), str("reason", "Copied")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "contest disqualify", do: command(ada, here, "contest", "disqualify", str("code", "$contest"), num("entry", "$e3"), str("reason", "Uses a stock image")),
		typ: 4, key: "contest.disqualified"},
	{name: "pick too early", do: command(ada, here, "contest", "pick", str("code", "$contest"), num("entry", "$e1")), typ: 4, key: "error.contest_pick_too_early", private: true},
	{name: "vote too early", do: press(cara, here, "cv:{e1}", ""), typ: 4, key: "error.contest_not_voting", private: true},
	{name: "voting opens: browse from its card", before: all2(advance(7*24*time.Hour+time.Minute), announce("announce.contest_voting", "votingcard")),
		do: press(cara, here, "cb:{contest}", "votingcard"), typ: 4, key: "contest.entry", private: true,
		check: all(saveMsg("browse"), buttons("cv:", 1))},
	{name: "vote", do: press(cara, here, "cv:{e1}", "browse"), typ: 4, key: "contest.voted", private: true},
	{name: "own vote", do: press(bob, here, "cv:{e1}", "browse"), typ: 4, key: "error.entry_own_vote", private: true},
	{name: "contest finalists member", do: command(bob, here, "contest", "finalists", str("code", "$contest"), str("entries", "{e1} {e2}")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "contest finalists", do: command(ada, here, "contest", "finalists", str("code", "$contest"), str("entries", "#{e1} #{e2}")),
		typ: 4, key: "contest.finalists_set", check: holds(" 2 finalists")},
	{name: "final vote", do: press(bob, here, "cv:{e2}", "browse"), typ: 4, key: "contest.voted", private: true},
	{name: "contest pick", do: command(ada, here, "contest", "pick", str("code", "$contest"), num("entry", "$e1")), typ: 4, key: "contest.picked"},
	{name: "contest use", do: command(ada, here, "contest", "use", str("code", "$contest"), num("entry", "$e2"), str("amount", "150")), typ: 4, key: "contest.used",
		check: holds("€150.00")},
	{name: "contest payouts member", do: command(bob, here, "contest", "payouts", str("code", "$contest")), typ: 4, key: "error.admin_only", private: true},
	{name: "contest payouts", do: command(ada, here, "contest", "payouts", str("code", "$contest")), typ: 4, key: "contest.payouts_title", private: true},
	{name: "closed at the deadline: a late vote", before: all2(advance(3*24*time.Hour), announce("announce.contest_closed", "closedcard")),
		do: press(cara, here, "cv:{e2}", "browse"), typ: 4, key: "error.contest_not_voting", private: true},
}

// A fundraiser: created, tiers and a stretch goal added, pledges by command and by
// the tier buttons' modal, a sold-out tier, a milestone card's button, a
// cancellation, an expense, the ledger and the backers with their CSV.
var fundraisers = []step{
	{name: "fund new member", do: command(bob, here, "fund", "new", str("title", "Album"), str("goal", "100 EUR"), str("closes", "30d")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "fund new bad goal", do: command(ada, here, "fund", "new", str("title", "Album"), str("goal", "-5 EUR"), str("closes", "30d")),
		typ: 4, key: "error.amount_bad", private: true},
	{name: "fund new", do: command(ada, here, "fund", "new", str("title", "Second album"), str("description", "Help us record it"),
		str("goal", "100 EUR"), str("closes", "30d")), typ: 4, key: "fund.new", keep: map[string]string{"code": "fund"}},
	{name: "tier add member", do: command(bob, here, "tier", "add", str("code", "$fund"), str("title", "Mine"), str("min", "5")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "tier add", do: command(ada, here, "tier", "add", str("code", "$fund"), str("title", "Signed CD"), str("min", "25 EUR"), num("limit", "2"),
		str("description", "A CD signed by the band")), typ: 4, key: "tier.added_limited"},
	{name: "tier add unlimited", do: command(ada, here, "tier", "add", str("code", "$fund"), str("title", "Thanks"), str("min", "5")),
		typ: 4, key: "tier.added"},
	{name: "fund stretch", do: command(ada, here, "fund", "stretch", str("code", "$fund"), str("target", "150 EUR"), str("description", "A vinyl edition")),
		typ: 4, key: "fund.stretch_added"},
	{name: "pledge", do: command(bob, here, "pledge", "submit", str("code", "$fund"), str("amount", "12.50 EUR")), typ: 4, key: "pledge.new", private: true,
		check: holds("€12.50")},
	{name: "pledge into a tier", do: command(bob, here, "pledge", "submit", str("code", "$fund"), str("amount", "30"), str("tier", "1")),
		typ: 4, key: "pledge.raised", private: true, check: holds("Signed CD")},
	{name: "pledge bad amount", do: command(cara, here, "pledge", "submit", str("code", "$fund"), str("amount", "-5")), typ: 4, key: "error.amount_bad", private: true},
	{name: "fund status", do: command(cara, here, "fund", "status", str("code", "$fund")), typ: 4, key: "fund.status",
		check: all(saveMsg("fundstatus"), buttons("ft:", 3))},
	{name: "a tier button asks in a modal", do: press(cara, here, "ft:{fund}:1", "fundstatus"), typ: 9, check: modalFor("ft:{fund}:1")},
	{name: "the amount in the modal", do: submit(cara, here, "ft:{fund}:1", "25", "fundstatus"), typ: 4, key: "pledge.new", private: true},
	{name: "a sold-out tier", do: press(ada, here, "ft:{fund}:1", "fundstatus"), typ: 4, key: "error.tier_sold_out", private: true},
	{name: "a milestone card's button", before: announce("announce.fund_milestone", "milestone"), do: press(ada, here, "fs:{fund}", "milestone"),
		typ: 4, key: "fund.status", private: true, check: buttons("ft:", 2)},
	{name: "fund", do: command(bob, here, "fund", "submit", str("code", "$fund")), typ: 4, key: "fund.status", check: holds("Your pledge: €30.00")},
	{name: "pledge cancel", do: command(bob, here, "pledge", "cancel", str("code", "$fund")), typ: 4, key: "pledge.cancelled", private: true},
	{name: "expense add member", do: command(bob, here, "expense", "add", str("code", "$fund"), str("amount", "10"), str("what", "Mine")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "expense add", do: command(ada, here, "expense", "add", str("code", "$fund"), str("amount", "12 EUR"), str("what", "Studio, day one")),
		typ: 4, key: "expense.added"},
	{name: "fund ledger", do: command(bob, here, "fund", "ledger", str("code", "$fund")), typ: 4, key: "fund.ledger_title", check: holds("Studio, day one")},
	{name: "tier edit", do: command(ada, here, "tier", "edit", str("code", "$fund"), str("tier", "2"), str("title", "Thank you"), num("limit", "10")),
		typ: 4, key: "tier.edited"},
	{name: "stretch edit", do: command(ada, here, "stretch", "edit", str("code", "$fund"), str("target", "150 EUR"), str("to", "160 EUR")),
		typ: 4, key: "fund.stretch_edited"},
	{name: "expense correct member", do: command(bob, here, "expense", "correct", str("code", "$fund"), num("number", "1"), str("amount", "14")),
		typ: 4, key: "error.admin_only", private: true},
	{name: "expense correct", do: command(ada, here, "expense", "correct", str("code", "$fund"), num("number", "1"), str("amount", "14 EUR"),
		str("what", "Studio, days one and two")), typ: 4, key: "expense.corrected"},
	{name: "expense remove", do: command(ada, here, "expense", "remove", str("code", "$fund"), num("number", "2")), typ: 4, key: "expense.removed"},
	{name: "fund ledger struck", do: command(bob, here, "fund", "ledger", str("code", "$fund")), typ: 4, key: "fund.ledger_title", check: holds("(corrected by #2)")},
	{name: "campaign edit", do: command(ada, here, "campaign", "edit", str("code", "$fund"), str("description", "Help us record the second album")),
		typ: 4, key: "campaign.edited"},
	{name: "backers member", do: command(bob, here, "backers", "", str("code", "$fund")), typ: 4, key: "error.admin_only", private: true},
	{name: "backers", do: command(ada, here, "backers", "", str("code", "$fund")), typ: 4, key: "backers.title", private: true},
	{name: "backers csv", do: command(ada, here, "backers", "", str("code", "$fund"), flag("csv")), typ: 5, key: "backers.csv", private: true,
		check: func(t *testing.T, s *state, got shown, first msg) {
			if len(first.files) != 1 || !strings.HasSuffix(first.files[0].Name, ".csv") || !strings.HasPrefix(string(first.files[0].Data), "member,name,amount") {
				t.Errorf("files %+v", first.files)
			}
		}},
	{name: "failed at the deadline: too late to pledge", before: all2(advance(31*24*time.Hour), announce("announce.fund_failed", "failedcard")),
		do: command(bob, here, "pledge", "submit", str("code", "$fund"), str("amount", "20")), typ: 4, key: "error.campaign_closed", private: true},
}

// uploads checks that the first message uploads a file named name starting with
// prefix.
func uploads(name, prefix string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		if len(first.files) != 1 || first.files[0].Name != name || !strings.HasPrefix(string(first.files[0].Data), prefix) {
			t.Errorf("files %+v", first.files)
		}
	}
}

// startLink is the deep-link payload of a personal share link.
var startLink = regexp.MustCompile(`start=([A-Za-z0-9_-]+)`)

// Spreading: a personal share link, the link followed by another member (who is
// shown the campaign with its picture), the leaderboard, and the parked posts.
var spreading = []step{
	{name: "a campaign to spread", do: command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", "Pass it on")),
		typ: 4, key: "campaign.created", keep: map[string]string{"code": "spread"}},
	{name: "share", do: command(bob, here, "share", "", str("code", "$spread")), typ: 4, key: "share.title", private: true,
		check: func(t *testing.T, s *state, got shown, first msg) {
			m := startLink.FindStringSubmatch(first.text)
			if m == nil {
				t.Fatalf("no start link in %q", first.text)
			}
			s.v["ref"] = m[1]
		}},
	{name: "the link followed", do: command(cara, dcfake.Where{Channel: "820000000000000003"}, "start", "", str("payload", "{ref}")),
		typ: 5, key: "campaign.show", check: all(holds("/share"), uploads("progress.png", "\x89PNG"))},
	{name: "the newcomer takes part", do: command(cara, here, "idea", "submit", str("code", "$spread"), str("text", "Tell a friend")),
		typ: 4, key: "idea.added"},
	{name: "top", do: command(bob, here, "top", "", str("code", "$spread")), typ: 4, key: "top.title", check: holds("1. Bob — 1")},
	{name: "outbox member", do: command(bob, here, "outbox", ""), typ: 4, key: "error.admin_only", private: true},
	{name: "outbox", do: command(ada, here, "outbox", ""), typ: 4, key: "outbox.none", private: true},
}

// embedsImage checks that the first message shows the picture at url.
func embedsImage(url string) func(t *testing.T, s *state, got shown, first msg) {
	return func(t *testing.T, s *state, got shown, first msg) {
		if !strings.Contains(fmt.Sprint(got.answer.Data["embeds"]), url) {
			t.Errorf("the picture %s is not shown: %v", url, got.answer.Data["embeds"])
		}
	}
}

// all2 runs several befores in order.
func all2(fs ...func(t *testing.T, s *state)) func(t *testing.T, s *state) {
	return func(t *testing.T, s *state) {
		for _, f := range fs {
			f(t, s)
		}
	}
}

// TestCSVAttachmentFetched: a CSV attached to a slash command is downloaded from
// Discord's CDN before the Router runs the command, and a picture is not; both
// reach the Router (a contest takes neither a CSV nor, here, a second entry).
func TestCSVAttachmentFetched(t *testing.T) {
	e := newEnv(t)
	csv := dcfake.Attachment{ID: "1290000000000000003", Filename: "items.csv", ContentType: "text/csv", Size: 12,
		URL: e.rest.AddFile(channel, "1290000000000000003", "items.csv", []byte("a,b\nc,d\n1,2\n"))}
	got := e.do(e.dc.Command(ada, here, "contest", "new", []dcfake.Option{{Name: "title", Type: 3, Value: "Logo"}, {Name: "brief", Type: 3, Value: "A logo"},
		{Name: "prize", Type: 3, Value: "10 EUR"}, {Name: "entries_close", Type: 3, Value: "1d"}, {Name: "voting_close", Type: 3, Value: "2d"}}))
	code := firstKey(t, got.messages()[0].text, "en", "contest.new")["code"]
	cdn := func() int {
		n := 0
		for _, c := range e.rest.Calls() {
			if c.Via == "cdn" && c.Status == 200 {
				n++
			}
		}
		return n
	}
	got = e.do(e.dc.Command(bob, here, "enter", "", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "title", Type: 3, Value: "Items"},
		{Name: "file", Type: 11, Value: csv.ID}}, csv))
	firstKey(t, got.messages()[0].text, "en", "error.entry_file_type")
	if n := cdn(); n != 1 {
		t.Fatalf("the CSV was downloaded %d times", n)
	}
	got = e.do(e.dc.Command(bob, here, "enter", "", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "title", Type: 3, Value: "Wave"},
		{Name: "file", Type: 11, Value: wave.ID}}, wave))
	firstKey(t, got.messages()[0].text, "en", "contest.entered")
	if n := cdn(); n != 1 {
		t.Fatalf("a picture was downloaded")
	}
}

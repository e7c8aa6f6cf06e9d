package telegram_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// advance moves the clock by d and runs what is due, as the scheduler does.
func advance(d time.Duration) func(h *harness) {
	return func(h *harness) {
		h.clock.Advance(d)
		if _, err := h.rec.Service().AdvanceDue(context.Background()); err != nil {
			h.t.Fatal(err)
		}
	}
}

// announce posts the announcements waiting in the outbox for Telegram chats
// through the bot, as the outbox dispatcher does; one with key must be among them.
func announce(key string) func(h *harness) {
	return func(h *harness) {
		t := h.t
		t.Helper()
		ctx := context.Background()
		items, err := h.store.Outbox(ctx, core.OutboxPending, 500)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i := len(items) - 1; i >= 0; i-- { // oldest first
			it := items[i]
			if h.posted[it.ID] || it.Platform != core.Telegram || it.ChannelID == "" {
				continue
			}
			h.posted[it.ID] = true
			card, err := h.rec.get().Card(ctx, it.Announcement, it.Locale)
			if err != nil {
				t.Fatalf("card %s: %v", it.Announcement.Key, err)
			}
			if _, err := h.bot.Post(ctx, bots.Destination{ChannelID: it.ChannelID}, card); err != nil {
				t.Fatalf("post %s to %s: %v", it.Announcement.Key, it.ChannelID, err)
			}
			found = found || it.Announcement.Key == key
		}
		if !found {
			t.Fatalf("no announcement %s waits in the outbox", key)
		}
	}
}

func both(fs ...func(h *harness)) func(h *harness) {
	return func(h *harness) {
		for _, f := range fs {
			f(h)
		}
	}
}

// photo is a picture as Telegram sends it: several sizes of one JPEG.
func photo(id string) []tgfake.PhotoSize {
	return []tgfake.PhotoSize{
		{FileID: id + "-s", FileUniqueID: id + "s", Width: 320, Height: 213, FileSize: 9000},
		{FileID: id + "-l", FileUniqueID: id + "l", Width: 1280, Height: 853, FileSize: 182000},
	}
}

// jpeg: the Router got the photo's largest size as a JPEG.
func jpeg(id string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, _ []tgfake.Request, _ []bots.Reply) {
		ins, _ := h.rec.since(0, 0)
		in := ins[len(ins)-1]
		if len(in.Attachments) != 1 {
			t.Fatalf("attachments %+v", in.Attachments)
		}
		if a := in.Attachments[0]; a.FileID != id+"-l" || a.ContentType != "image/jpeg" || a.Width != 1280 || a.Platform != core.Telegram {
			t.Errorf("photo %+v", a)
		}
	}
}

// tally: the poll saved as name has that many ballots and votes per option.
func tally(name string, ballots int, votes ...int) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, _ []tgfake.Request, _ []bots.Reply) {
		svc := h.rec.Service()
		c, err := svc.Campaign(context.Background(), h.vars[name])
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Progress(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		got := []int{}
		for _, o := range p.Poll.Options {
			got = append(got, o.Votes)
		}
		if p.Poll.Ballots != ballots || !slices.Equal(got, votes) {
			t.Errorf("tally %d ballots %v, want %d %v", p.Poll.Ballots, got, ballots, votes)
		}
	}
}

// forcesReply: the question asks for a reply to the member's own message.
func forcesReply(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
	p := reqs[0].Params
	var mk tgfake.ReplyMarkup
	_ = json.Unmarshal([]byte(p["reply_markup"]), &mk)
	if !mk.ForceReply || !mk.Selective || p["reply_to_message_id"] == "" {
		t.Errorf("the question does not ask the member for a reply: %v", p)
	}
}

// keyboard: the last message sent or edited carries count buttons whose callback
// data starts with prefix.
func keyboard(prefix string, count int) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		last := reqs[len(reqs)-1]
		for i := len(reqs) - 1; i >= 0 && last.Method == "answerCallbackQuery"; i-- {
			last = reqs[i]
		}
		n := 0
		for _, data := range callbacks(last) {
			if strings.HasPrefix(data, h.sub(prefix)) {
				n++
			}
		}
		if n != count {
			t.Errorf("%d buttons %s in %s %q, want %d", n, prefix, last.Method, last.Params["reply_markup"], count)
		}
	}
}

// callbacks lists the callback data of a request's inline keyboard.
func callbacks(r tgfake.Request) []string {
	raw := r.Params["reply_markup"]
	if raw == "" {
		return nil
	}
	var mk tgfake.ReplyMarkup
	if err := json.Unmarshal([]byte(raw), &mk); err != nil {
		return nil
	}
	var out []string
	for _, row := range mk.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" {
				out = append(out, b.CallbackData)
			}
		}
	}
	return out
}

// document: the last request sent a document named like suffix holding prefix.
func document(suffix, prefix string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		r := reqs[len(reqs)-1]
		f, ok := r.Files["document"]
		if r.Method != "sendDocument" || !ok || !strings.HasSuffix(f.Name, suffix) || !strings.HasPrefix(string(f.Data), prefix) || r.Params["caption"] == "" {
			t.Errorf("document %s: %s", r.Method, describe(reqs))
		}
	}
}

// photoSent: the last request sent a picture starting with prefix, its caption
// holding text as the member sees it.
func photoSent(prefix, text string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		r := reqs[len(reqs)-1]
		f, ok := r.Files["photo"]
		if r.Method != "sendPhoto" || !ok || !strings.HasPrefix(string(f.Data), prefix) {
			t.Fatalf("photo: %s", describe(reqs))
		}
		if m, ok := h.fake.Message(chatOf(r), r.MessageID); !ok || !strings.Contains(m.Caption, text) {
			t.Errorf("the member sees %+v", m)
		}
	}
}

var sendDocument = func(chat int64) call { return call{method: "sendDocument", chat: chat} }

func edited(chat int64) call { return call{method: "editMessageText", chat: chat} }

// cardShows: the message the step edited reads, as the member sees it, each of texts.
func cardShows(texts ...string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		i := slices.IndexFunc(reqs, func(r tgfake.Request) bool { return r.Method == "editMessageText" })
		if i < 0 {
			t.Fatalf("no edit: %s", describe(reqs))
		}
		m, ok := h.fake.Message(chatOf(reqs[i]), reqs[i].MessageID)
		for _, text := range texts {
			if !ok || !strings.Contains(m.Text, text) {
				t.Errorf("the edited card reads %q, want it to hold %q", m.Text, text)
			}
		}
	}
}

// labels lists the button labels of the message the step edited.
func labels(t *testing.T, reqs []tgfake.Request) []string {
	i := slices.IndexFunc(reqs, func(r tgfake.Request) bool { return r.Method == "editMessageText" })
	if i < 0 {
		t.Fatalf("no edit: %s", describe(reqs))
	}
	var mk tgfake.ReplyMarkup
	_ = json.Unmarshal([]byte(reqs[i].Params["reply_markup"]), &mk)
	var out []string
	for _, row := range mk.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// unmarked: no button of the edited card is marked as someone's choice.
func unmarked(t *testing.T, _ *harness, reqs []tgfake.Request, _ []bots.Reply) {
	for _, l := range labels(t, reqs) {
		if strings.HasPrefix(l, "✓") {
			t.Errorf("button %q marked", l)
		}
	}
}

// marked: the edited card's buttons mark the one labelled want alone.
func marked(want string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, _ *harness, reqs []tgfake.Request, _ []bots.Reply) {
		n := 0
		for _, l := range labels(t, reqs) {
			if strings.HasPrefix(l, "✓") {
				n++
				if l != want {
					t.Errorf("button %q marked, want %q", l, want)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d buttons marked, want 1", n)
		}
	}
}

// polls is a whole poll in the group: created, its card posted, votes on it, bad
// input, the card shown again, results, posting, closing and the posted result.
func polls() []step {
	G := group.ID
	return []step{
		{name: "poll: a member may not create", who: bob, say: `/poll new "Best day?" Mon Tue`, keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "poll: twin options", who: ada, say: `/poll new "Best day?" Mon mon`, keys: keys("error.poll_duplicate_option"), calls: calls(send(ada.ID))},
		{name: "poll: created; the admin is told privately", who: ada, say: `/poll new "Best <pizza>?" Margherita Diavola "Quattro formaggi" multi=2 closes=48h`,
			keys: keys("poll.created"), calls: calls(send(ada.ID)), save: map[string]string{"poll": "code"}},
		{name: "poll: a vote on the posted card edits it", before: announce("poll.card"), who: carol, press: "pv:{poll}:0", keys: keys("poll.card", "poll.voted"),
			calls: calls(edited(G), answered), check: all(toast, cardShows("Margherita — 1 (100%)", "Diavola — 0 (0%)"), unmarked)},
		{name: "poll: a second choice", who: carol, press: "pv:{poll}:2", keys: keys("poll.card", "poll.voted"), calls: calls(edited(G), answered),
			check: all(toast, cardShows("Margherita — 1 (50%)", "Quattro formaggi — 1 (50%)"))},
		{name: "poll: a third is too many", who: carol, press: "pv:{poll}:1", keys: keys("error.poll_too_many_choices"), calls: calls(answered), check: toast},
		{name: "poll: a vote; the shares sum to 100", who: bob, press: "pv:{poll}:1", keys: keys("poll.card", "poll.voted"), calls: calls(edited(G), answered),
			check: cardShows("Margherita — 1 (34%)", "Diavola — 1 (33%)", "Quattro formaggi — 1 (33%)")},
		{name: "poll: the same press again, to a new bot: counted once", again: "restart", calls: calls(call{"answerCallbackQuery", 0, 400}),
			check: tally("poll", 2, 1, 1, 1)},
		{name: "poll: taken back", who: bob, press: "pv:{poll}:1", keys: keys("poll.card", "poll.withdrawn"), calls: calls(edited(G), answered), check: toast},
		{name: "poll: an option it lacks", who: bob, press: "pv:", data: "pv:{poll}:7", keys: keys("error.poll_bad_option"), calls: calls(answered)},
		{name: "poll: the card", who: bob, say: "/poll {poll}", keys: keys("poll.card"), calls: calls(send(G)),
			check: all(keyboard("pv:{poll}:", 3), escapes("Best <pizza>?"))},
		{name: "poll: a vote on it", who: bob, press: "pv:{poll}:1", keys: keys("poll.card", "poll.voted"), calls: calls(edited(G), answered)},
		{name: "poll: the card in a private chat", in: tgfake.Private(bob), who: bob, say: "/poll {poll}", keys: keys("poll.card"), calls: calls(send(bob.ID))},
		{name: "poll: a vote there marks the member's own choice", in: tgfake.Private(bob), who: bob, press: "pv:{poll}:1", keys: keys("poll.card", "poll.withdrawn"),
			calls: calls(edited(bob.ID), answered), check: all(toast, cardShows("Diavola — 0 (0%)"), unmarked)},
		{name: "poll: and a new choice is marked", in: tgfake.Private(bob), who: bob, press: "pv:{poll}:0", keys: keys("poll.card", "poll.voted"),
			calls: calls(edited(bob.ID), answered), check: all(toast, cardShows("Margherita — 2 (67%)"), marked("✓ 1. Margherita"))},
		{name: "poll: results, as their chart with the text as caption", who: carol, say: "/poll results {poll}", keys: keys("poll.card"),
			calls: calls(call{method: "sendPhoto", chat: G}), check: all(photoSent("\x89PNG", "Best <pizza>?"), keyboard("pv:{poll}:", 3))},
		{name: "poll: post", who: ada, say: "/poll post {poll}", keys: keys("poll.posted"), calls: calls(send(ada.ID))},
		{name: "poll: a member may not close", who: bob, say: "/poll close {poll}", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "poll: closed", who: ada, say: "/poll close {poll}", keys: keys("poll.closed"), calls: calls(send(ada.ID))},
		{name: "poll: the result is posted; a late vote", before: announce("poll.result"), who: carol, press: "pv:{poll}:0",
			keys: keys("error.campaign_closed"), calls: calls(answered)},
	}
}

// contests is a whole contest judged by the brand: entries as a photo, a link, a
// photo answering the bot's question, refused entries, browsing, a
// disqualification, the voting card, votes in a private chat and in the group,
// finalists, the winner, a used entry, payouts and earnings.
func contests() []step {
	G := group.ID
	return []step{
		{name: "contest: a member may not create", who: bob, say: `/contest new "Nope" brief="No" prize="1 EUR" entries_close=1d voting_close=2d`,
			keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "contest: a bad prize", who: ada, say: `/contest new "Logo" brief="A logo" prize="-5 EUR" entries_close=7d voting_close=10d`,
			keys: keys("error.amount_bad"), calls: calls(send(ada.ID))},
		{name: "contest: created", who: ada, say: `/contest new "Summer logo" brief="A logo for our summer range" prize="300 EUR" entries_close=7d voting_close=10d type=logo per_member=2 judging=brand`,
			keys: keys("contest.new"), calls: calls(send(G)), save: map[string]string{"contest": "code"}, check: says("€300.00")},
		{name: "contest: an entry sent as a photo", who: bob, say: `/enter@crowdbot {contest} "Sunny wave"`, photo: photo("wave"),
			keys: keys("contest.entered"), calls: calls(send(G)), save: map[string]string{"e1": "id"}, check: all(jpeg("wave"), repliesToTheMember)},
		{name: "contest: an entry with a link", who: carol, say: "/enter {contest} Palm https://example.com/palm.png",
			keys: keys("contest.entered"), calls: calls(send(G)), save: map[string]string{"e2": "id"}},
		{name: "contest: a bad link", who: carol, say: `/enter {contest} "XSS" javascript:alert(1)`, keys: keys("error.entry_link_scheme"), calls: calls(send(carol.ID))},
		{name: "contest: a document is no picture", who: bob, say: `/enter {contest} "Brief"`,
			doc:  &tgfake.Document{FileID: "pdf-1", FileUniqueID: "p1", FileName: "brief.pdf", MimeType: "application/pdf", FileSize: 9000},
			keys: keys("error.entry_file_type"), calls: calls(send(bob.ID))},
		{name: "contest: nothing to enter: the bot asks", who: ada, say: "/enter {contest}", keys: keys("contest.enter_prompt"), calls: calls(send(G)), check: forcesReply},
		{name: "contest: the answer is a photo", who: ada, answer: true, say: "Sea breeze", photo: photo("breeze"),
			keys: keys("contest.entered"), calls: calls(send(G)), save: map[string]string{"e3": "id"}, check: jpeg("breeze")},
		{name: "contest: the entries", who: bob, say: "/entries {contest}", keys: keys("contest.entry"), calls: calls(send(G)),
			check: all(keyboard("ce:", 1), keyboard("cv:", 0), says("🖼 photo.jpg"))},
		{name: "contest: the next entry, in place", who: bob, press: "ce:", keys: keys("contest.entry"), calls: calls(call{method: "editMessageText", chat: G}, answered)},
		{name: "contest: a member may not disqualify", who: bob, say: `/contest disqualify {contest} {e3} "Copied"`, keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "contest: disqualified", who: ada, say: `/contest disqualify {contest} {e3} "Uses a stock image"`, keys: keys("contest.disqualified"), calls: calls(send(G))},
		{name: "contest: too early to pick", who: ada, say: "/contest pick {contest} {e1}", keys: keys("error.contest_pick_too_early"), calls: calls(send(ada.ID))},
		{name: "contest: voting opens; its card's button opens the entries privately", before: both(advance(7*24*time.Hour+time.Minute), announce("announce.contest_voting")),
			who: carol, press: "cb:{contest}", keys: keys("contest.entry"), calls: calls(send(carol.ID), answered)},
		{name: "contest: a vote in the private chat", in: tgfake.Private(carol), who: carol, press: "cv:{e1}", keys: keys("contest.voted"), calls: calls(answered), check: toast},
		{name: "contest: one's own entry has no vote button", who: bob, say: "/entries {contest}", keys: keys("contest.entry"), calls: calls(send(G)), check: keyboard("cv:", 0)},
		{name: "contest: not for one's own entry", who: bob, press: "ce:", data: "cv:{e1}", keys: keys("error.entry_own_vote"), calls: calls(answered), check: toast},
		{name: "contest: a member may not shortlist", who: carol, say: "/contest finalists {contest} {e1} {e2}", keys: keys("error.admin_only"), calls: calls(send(carol.ID))},
		{name: "contest: finalists", who: ada, say: "/contest finalists {contest} #{e1}, #{e2}", keys: keys("contest.finalists_set"), calls: calls(send(G))},
		{name: "contest: browse to the second finalist", who: bob, press: "ce:{contest}:1", keys: keys("contest.entry"),
			calls: calls(call{method: "editMessageText", chat: G}, answered), check: keyboard("cv:{e2}", 1)},
		{name: "contest: a vote in the final", who: bob, press: "cv:{e2}", keys: keys("contest.voted"), calls: calls(answered)},
		{name: "contest: the winner", who: ada, say: "/contest pick {contest} {e1}", keys: keys("contest.picked"), calls: calls(send(G))},
		{name: "contest: a used entry", who: ada, say: "/contest use {contest} {e2} 150", keys: keys("contest.used"), calls: calls(send(G)), check: says("€150.00")},
		{name: "contest: a member may not see payouts", who: bob, say: "/contest payouts {contest}", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "contest: payouts, privately", who: ada, say: "/contest payouts {contest}", keys: keys("contest.payouts_title"), calls: calls(send(ada.ID))},
		{name: "contest: the winner's earnings", who: bob, say: "/earnings", keys: keys("earnings.title"), calls: calls(send(bob.ID)), check: says("€300.00")},
		{name: "contest: closed at the deadline; a late vote", before: both(advance(3*24*time.Hour), announce("announce.contest_closed")),
			who: carol, press: "cv:{e2}", keys: keys("error.contest_not_voting"), calls: calls(answered), check: toast},
		{name: "contest: after the close, authors are shown", who: carol, say: "/entries {contest}", keys: keys("contest.entry"), calls: calls(send(G)),
			check: says("Bob")},
		{name: "recognition: nothing set", who: ada, say: "/recognition show", keys: keys("recognition.show_none"), calls: calls(send(G))},
		{name: "recognition: roles are Discord's", who: ada, say: "/recognition role 830000000000000001", keys: keys("error.recognition_role_discord"), calls: calls(send(ada.ID))},
		{name: "recognition: a title", who: ada, say: "/recognition title Champion", keys: keys("recognition.set_title"), calls: calls(send(G))},
		{name: "recognition: the contest's winner", who: ada, say: "/recognize {contest}", keys: keys("recognize.title"), calls: calls(send(G)),
			check: says("1. Bob — 1 winning entry")},
		{name: "recognition: the winner's profile", who: bob, say: "/profile", keys: keys("profile.title"), calls: calls(send(bob.ID)), check: says("Contest winner")},
		{name: "recognition: off", who: ada, say: "/recognition off", keys: keys("recognition.set_none"), calls: calls(send(G))},
	}
}

// fundraisers is a whole fundraiser: created, tiers and a stretch goal, pledges by
// command and by the tier buttons' question, a sold-out tier, a milestone card, a
// cancellation, an expense, the ledger, backers and their CSV, a channel's
// subscriber asked privately, and the failed settlement.
func fundraisers() []step {
	G, C := group.ID, channel.ID
	return []step{
		{name: "fund: a member may not create", who: bob, say: `/fund new "Album" goal="100 EUR" closes=30d`, keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "fund: a bad goal", who: ada, say: `/fund new "Album" goal="-5 EUR" closes=30d`, keys: keys("error.amount_bad"), calls: calls(send(ada.ID))},
		{name: "fund: created", who: ada, say: `/fund new "Second album" goal="100 EUR" closes=30d Help us record it`, keys: keys("fund.new"), calls: calls(send(G)),
			save: map[string]string{"fund": "code"}},
		{name: "fund: a member may not add tiers", who: bob, say: `/tier add {fund} "Mine" min=5`, keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "fund: a tier", who: ada, say: `/tier add {fund} "Signed CD" min="25 EUR" limit=2 "A CD signed by the band"`, keys: keys("tier.added_limited"), calls: calls(send(G))},
		{name: "fund: a tier without limit", who: ada, say: `/tier add {fund} "Thanks" min=5`, keys: keys("tier.added"), calls: calls(send(G))},
		{name: "fund: a stretch goal", who: ada, say: `/fund stretch {fund} 150 EUR "A vinyl edition"`, keys: keys("fund.stretch_added"), calls: calls(send(G))},
		{name: "fund: a pledge, acknowledged privately", who: bob, say: "/pledge {fund} 12.50 EUR", keys: keys("pledge.new"), calls: calls(send(bob.ID)), check: says("€12.50")},
		{name: "fund: raised into a tier", who: bob, say: "/pledge {fund} 30 1", keys: keys("pledge.raised"), calls: calls(send(bob.ID)), check: says("Signed CD")},
		{name: "fund: a bad amount", who: carol, say: "/pledge {fund} -5", keys: keys("error.amount_bad"), calls: calls(send(carol.ID))},
		{name: "fund: the status", who: carol, say: "/fund status {fund}", keys: keys("fund.status"), calls: calls(send(G)), check: keyboard("ft:{fund}:", 3)},
		{name: "fund: a tier button asks for the amount", who: carol, press: "ft:{fund}:1", keys: keys("fund.prompt_tier"), calls: calls(send(G), answered), check: asks(carol)},
		{name: "fund: the answer pledges", who: carol, answer: true, say: "25", keys: keys("pledge.new"), calls: calls(send(carol.ID))},
		{name: "fund: a sold-out tier", who: ada, press: "ft:{fund}:1", keys: keys("error.tier_sold_out"), calls: calls(answered), check: toast},
		{name: "fund: the milestone card's button", before: announce("announce.fund_milestone"), who: ada, press: "fs:{fund}",
			keys: keys("fund.status"), calls: calls(send(ada.ID), answered)},
		{name: "fund: /fund", who: bob, say: "/fund {fund}", keys: keys("fund.status"), calls: calls(send(G)), check: says("Your pledge: €30.00")},
		{name: "fund: a pledge cancelled", who: bob, say: "/pledge cancel {fund}", keys: keys("pledge.cancelled"), calls: calls(send(bob.ID))},
		{name: "fund: a member may not spend", who: bob, say: `/expense add {fund} 10 "Mine"`, keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "fund: an expense", who: ada, say: `/expense add {fund} 12 EUR "Studio, day one"`, keys: keys("expense.added"), calls: calls(send(G))},
		{name: "fund: the ledger", who: bob, say: "/fund ledger {fund}", keys: keys("fund.ledger_title"), calls: calls(send(G)), check: says("Studio, day one")},
		{name: "fund: a tier corrected", who: ada, say: `/tier edit {fund} 2 title="Thank you" min=6`, keys: keys("tier.edited"), calls: calls(send(G)), check: says("Thank you")},
		{name: "fund: a stretch goal corrected", who: ada, say: `/stretch edit {fund} 150 EUR to=160 "A vinyl box"`, keys: keys("fund.stretch_edited"), calls: calls(send(G))},
		{name: "fund: a member may not correct the ledger", who: bob, say: "/expense remove {fund} 1", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "fund: an expense corrected", who: ada, say: `/expense correct {fund} 1 14 "Studio, days one and two"`, keys: keys("expense.corrected"), calls: calls(send(G))},
		{name: "fund: its correction removed", who: ada, say: "/expense remove {fund} 2", keys: keys("expense.removed"), calls: calls(send(G))},
		{name: "fund: the ledger keeps both, struck", who: bob, say: "/fund ledger {fund}", keys: keys("fund.ledger_title"), calls: calls(send(G)), check: says("(corrected by #2)")},
		{name: "fund: its description corrected", who: ada, say: `/campaign edit {fund} description="Help us record the second album"`, keys: keys("campaign.edited"), calls: calls(send(G))},
		{name: "fund: a member may not see backers", who: bob, say: "/backers {fund}", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "fund: backers, privately", who: ada, say: "/backers {fund}", keys: keys("backers.title"), calls: calls(send(ada.ID))},
		{name: "fund: their CSV, privately", who: ada, say: "/backers {fund} csv", keys: keys("backers.csv"), calls: calls(sendDocument(ada.ID)),
			check: document(".csv", "member,name,amount")},
		{name: "fund: a link key for the channel", who: ada, say: "/campaign invite {fund}", keys: keys("campaign.invite"), calls: calls(send(ada.ID)),
			save: map[string]string{"fundkey": "key"}},
		{name: "fund: the channel links it", in: channel, post: true, say: "/campaign link {fund} key={fundkey}", keys: keys("campaign.linked"), calls: calls(send(C))},
		{name: "fund: its status in the channel", in: channel, post: true, say: "/fund {fund}", keys: keys("fund.status"), calls: calls(send(C)), check: keyboard("ft:{fund}:", 3)},
		{name: "fund: a subscriber's tier button asks privately", in: channel, who: eve, press: "ft:{fund}:2", keys: keys("fund.prompt_tier"), calls: calls(send(eve.ID), answered)},
		{name: "fund: failed at the deadline; too late to pledge", before: both(advance(31*24*time.Hour), announce("announce.fund_failed")),
			who: bob, say: "/pledge {fund} 20", keys: keys("error.campaign_closed"), calls: calls(send(bob.ID))},
	}
}

// startLink is the deep-link payload of a personal share link.
var startLink = regexp.MustCompile(`start=([A-Za-z0-9_-]+)`)

// spreading is a personal share link followed by a channel subscriber in their
// private chat (shown the campaign with its picture), the newcomer taking part, the
// leaderboard and the parked posts.
func spreading() []step {
	G := group.ID
	return []step{
		{name: "set-up: a link to the private chat", who: ada, say: "/campaign new", keys: keys("wizard.go_private"), calls: calls(send(G)),
			check: setupLink("setup")},
		{name: "set-up: the kind first, privately", in: tgfake.Private(ada), who: ada, say: "/start {setup}", keys: keys("wizard.resumed", "wizard.kind"),
			calls: calls(send(ada.ID), send(ada.ID))},
		{name: "set-up: a kind chosen", in: tgfake.Private(ada), who: ada, press: "wz:", keys: keys("wizard.ask.title"), calls: calls(send(ada.ID), answered)},
		{name: "set-up: a typed answer", in: tgfake.Private(ada), who: ada, say: "Better buses", keys: keys("wizard.ask.description"), calls: calls(send(ada.ID))},
		{name: "set-up: cancelled", in: tgfake.Private(ada), who: ada, say: "/cancel", keys: keys("wizard.cancelled"), calls: calls(send(ada.ID))},
		{name: "spread: a campaign", who: ada, say: `/campaign new ideas "Pass it on"`, keys: keys("campaign.created"), calls: calls(send(G)),
			save: map[string]string{"spread": "code"}},
		{name: "spread: a personal link, privately", who: bob, say: "/share {spread}", keys: keys("share.title"), calls: calls(send(bob.ID)),
			check: func(t *testing.T, h *harness, reqs []tgfake.Request, replies []bots.Reply) {
				m := startLink.FindStringSubmatch(replies[0].Text)
				if m == nil {
					t.Fatalf("no start link in %q", replies[0].Text)
				}
				h.vars["ref"] = m[1]
			}},
		{name: "spread: the link followed", in: tgfake.Private(eve), who: eve, say: "/start {ref}", keys: keys("campaign.show"),
			calls: calls(call{method: "sendPhoto", chat: eve.ID}), check: photoSent("\x89PNG", "/share")},
		{name: "spread: the newcomer takes part", in: tgfake.Private(eve), who: eve, say: "/idea {spread} Tell a friend", keys: keys("idea.added"), calls: calls(send(eve.ID))},
		{name: "spread: the leaderboard", who: carol, say: "/top {spread}", keys: keys("top.title"), calls: calls(send(G)), check: says("1. Bob — 1")},
		{name: "spread: a member may not see parked posts", who: bob, say: "/outbox", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "spread: no parked posts", who: ada, say: "/outbox", keys: keys("outbox.none"), calls: calls(send(ada.ID))},
	}
}

// all runs several checks.
func all(fs ...func(*testing.T, *harness, []tgfake.Request, []bots.Reply)) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, replies []bots.Reply) {
		for _, f := range fs {
			f(t, h, reqs, replies)
		}
	}
}

// covered fails when a command the Router has was never run in the conversation,
// or a button the bot showed was never pressed: each kind must add its steps.
func (h *harness) covered(t *testing.T) {
	router := h.rec.get()
	ins, _ := h.rec.since(0, 0)
	ran, pressed := map[string]bool{}, map[string]bool{}
	for _, in := range ins {
		if in.Action != "" {
			pressed[bots.ParseAction(in.Action).Verb] = true
			continue
		}
		if cmd, ok := bots.ParseCommand(in.Text); ok {
			ran[specOf(router, cmd)] = true
		}
	}
	for _, s := range router.Specs() {
		if !ran[s.ID()] {
			t.Errorf("/%s is never run in the Telegram conversation: add a step", strings.ReplaceAll(s.ID(), ".", " "))
		}
	}
	shown := map[string]bool{}
	for _, r := range h.fake.Requests() {
		for _, data := range callbacks(r) {
			shown[bots.ParseAction(data).Verb] = true
		}
	}
	for v := range shown {
		if !pressed[v] {
			t.Errorf("button %s: is shown but never pressed in the Telegram conversation: add a step", v)
		}
	}
}

// specOf names the spec a command line goes to, as the Router finds it: the
// subcommand its first word names, else the command itself.
func specOf(r *bots.Router, cmd *bots.Command) string {
	specs := r.Specs()
	if cmd.NArg() > 0 && !cmd.Args[0].Quoted {
		sub := strings.ToLower(cmd.Arg(0))
		if i := slices.IndexFunc(specs, func(s *bots.Spec) bool { return s.Name == cmd.Name && s.Sub != "" && s.Sub == sub }); i >= 0 {
			return specs[i].ID()
		}
	}
	return cmd.Name
}

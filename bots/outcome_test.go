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
)

// closeNow has the admin close a campaign at once, and returns the answer.
func closeNow(h *Harness, admin Who, code string) []bots.Reply {
	return h.Say(admin, "/campaign close "+code+" confirm")
}

// contains fails the test unless text holds every want and none of the refused.
func contains(t *testing.T, what, text string, want []string, refused ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
	for _, r := range refused {
		if strings.Contains(text, r) {
			t.Errorf("%s still says %q:\n%s", what, r, text)
		}
	}
}

// TestFundraiserOutcome closes a fundraiser that reached its goal before its
// deadline: the close, /campaign show and /fund status say it is funded, when it
// closed and the deadline it had, in every language, and offer no change to a pledge.
func TestFundraiserOutcome(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Album" goal="100 EUR" closes=30d`)
	h.Expect(h.Say(Bob, "/pledge "+code+" 120"), "pledge.new")
	h.Clock.Advance(2 * 24 * time.Hour)
	closed := h.Expect(closeNow(h, Admin, code), "campaign.closed_funded")
	contains(t, "close", closed.Text, []string{"reached its goal"}, "is now")

	want := map[string]struct{ show, status, yours []string }{
		"en": {
			show:   []string{"Closed 2026-03-04 09:00 UTC, before its deadline of 2026-04-01 09:00 UTC.", "✅ Funded"},
			status: []string{"✅ Funded: the goal was reached"},
			yours:  []string{"Your pledge: €120.00."},
		},
		"fr": {
			show:   []string{"Close le 2026-03-04 09:00 UTC, avant son échéance du 2026-04-01 09:00 UTC.", "✅ Financée"},
			status: []string{"✅ Financée : l’objectif est atteint"},
			yours:  []string{"Votre promesse : 120,00\u00a0€."},
		},
		"it": {
			show:   []string{"Chiusa il 2026-03-04 09:00 UTC, prima della scadenza del 2026-04-01 09:00 UTC.", "✅ Finanziata"},
			status: []string{"✅ Finanziata: l’obiettivo è stato raggiunto"},
			yours:  []string{"Il tuo impegno: 120,00\u00a0€."},
		},
	}
	for _, lang := range core.Locales {
		w := want[lang]
		show := h.Expect(h.Say(Bob.In(lang), "/campaign show "+code), "campaign.show")
		contains(t, lang+" show", show.Text, w.show, "Closes", "Clôture", "Chiude")
		st := h.Expect(h.Say(Bob.In(lang), "/fund status "+code), "fund.status")
		contains(t, lang+" status", st.Text, append(w.status, w.yours...), "/pledge", "left")
		if len(st.Buttons) != 0 {
			t.Errorf("%s: a closed fundraiser has pledge buttons: %v", lang, st.Buttons)
		}
	}
}

// TestFailedAndClosedWording: a fundraiser that misses its goal says it is not
// funded, never "is now failed", and what a closed campaign refuses says it closed.
func TestFailedAndClosedWording(t *testing.T) {
	h := New(t)
	code := newFund(t, h, `"Album" goal="100 EUR" closes=30d`)
	h.Expect(h.Say(Bob, "/pledge "+code+" 10"), "pledge.new")
	closed := h.Expect(closeNow(h, Admin.In("fr"), code), "campaign.closed_failed")
	contains(t, "close", closed.Text, []string{"elle n’a pas atteint son objectif"}, "maintenant", "failed", "échoué")
	refusals := map[string]string{
		"en": "Campaign " + code + " has closed, so this can no longer be done.",
		"fr": "La campagne " + code + " est close : ce n’est plus possible.",
		"it": "La campagna " + code + " è chiusa: non si può più fare.",
	}
	for _, lang := range core.Locales {
		no := h.Expect(h.Say(Carol.In(lang), "/pledge "+code+" 20"), "error.campaign_closed")
		contains(t, lang+" refusal", no.Text, []string{refusals[lang]}, "taking part")
		st := h.Expect(h.Say(Bob.In(lang), "/fund status "+code), "fund.status")
		contains(t, lang+" status", st.Text, []string{map[string]string{"en": "❌ Not funded", "fr": "❌ Non financée", "it": "❌ Non finanziata"}[lang]}, "/pledge")
	}
	en := h.Expect(h.Say(Admin, "/campaign show "+code), "campaign.show")
	contains(t, "show", en.Text, []string{"is not funded.", "❌ Not funded"}, "is failed")
}

// TestClosedSummaries: /campaign show after the close tells each kind's outcome: the
// poll's result (nobody voted is no winner), the tasks' completion, the contest
// without a winner; and no longer says how to take part.
func TestClosedSummaries(t *testing.T) {
	h := New(t)
	poll := newPoll(t, h, `"Colour?" "red" "blue"`)
	voted := newPoll(t, h, `"Size?" "small" "large"`)
	h.Press(Bob, "pv:"+voted+":1")
	tasks := Code(t, h.Expect(h.Say(Admin, "/tasks new \"Captions\" answer=text per_item=1\nhttps://img.example/a.jpg\nhttps://img.example/b.jpg"), "campaign.created"))
	contest := Code(t, h.Expect(h.Say(Admin, `/contest new "Quiet" brief="Anything" prize="5 EUR" entries_close=1h voting_close=2h type=slogan`), "contest.new"))
	for _, code := range []string{poll, voted, tasks, contest} {
		closeNow(h, Admin, code)
	}
	want := map[string]map[string][]string{
		"en": {poll: {"Nobody voted."}, voted: {"Winner: large"}, tasks: {"Closed with 0 of 2 items settled (0%)."}, contest: {"It ended without a winner."}},
		"fr": {poll: {"Personne n’a voté."}, tasks: {"Close avec 0 éléments réglés sur 2 (0 %)."}, contest: {"Il s’est terminé sans gagnant."}},
		"it": {poll: {"Nessuno ha votato."}, tasks: {"Chiusa con 0 elementi conclusi su 2 (0%)."}, contest: {"Si è concluso senza vincitori."}},
	}
	for _, lang := range core.Locales {
		for code, lines := range want[lang] {
			show := h.Expect(h.Say(Bob.In(lang), "/campaign show "+code), "campaign.show")
			contains(t, lang+" show "+code, show.Text, lines, "/task next", "/enter", "100%")
		}
	}
}

// TestClosedEmptyLists: an ideas board or a contest that closed empty says so,
// without "be the first" or "yet", and offers no button to take part.
func TestClosedEmptyLists(t *testing.T) {
	h := New(t)
	ideas := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Parks"`), "campaign.created"))
	contest := Code(t, h.Expect(h.Say(Admin, `/contest new "Quiet" brief="Anything" prize="5 EUR" entries_close=1h voting_close=2h type=slogan`), "contest.new"))
	closeNow(h, Admin, ideas)
	closeNow(h, Admin, contest)
	want := map[string][2]string{
		"en": {"“Parks” (" + ideas + ") closed without any idea.", "“Quiet” (" + contest + ") closed without any entry."},
		"fr": {"« Parks » (" + ideas + ") s’est close sans aucune idée.", "« Quiet » (" + contest + ") s’est terminé sans aucune participation."},
		"it": {"«Parks» (" + ideas + ") si è chiusa senza nessuna idea.", "“Quiet” (" + contest + ") si è concluso senza nessuna proposta."},
	}
	for _, lang := range core.Locales {
		board := h.Expect(h.Say(Bob.In(lang), "/ideas "+ideas), "ideas.empty_closed")
		contains(t, lang+" ideas", board.Text, []string{want[lang][0]})
		if len(board.Buttons) != 0 {
			t.Errorf("%s: a closed board offers %v", lang, board.Buttons)
		}
		entries := h.Expect(h.Say(Bob.In(lang), "/entries "+contest), "contest.entries_none_closed")
		contains(t, lang+" entries", entries.Text, []string{want[lang][1]})
	}
}

// TestClosedLeaderboard: the leaderboard of a campaign that closed with nobody on it
// says so, and no longer asks anyone to take part or to share.
func TestClosedLeaderboard(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Parks"`), "campaign.created"))
	open := h.Expect(h.Say(Bob, "/top "+code), "top.title")
	contains(t, "open board", open.Text, []string{"be the first to take part", "/share " + code})
	closeNow(h, Admin, code)
	want := map[string][]string{
		"en": {"Nobody earned points.", "Nobody brought anyone in."},
		"fr": {"Personne n’a gagné de points.", "Personne n’a amené personne."},
		"it": {"Nessuno ha guadagnato punti.", "Nessuno ha portato nessuno."},
	}
	for _, lang := range core.Locales {
		board := h.Expect(h.Say(Bob.In(lang), "/top "+code), "top.title")
		contains(t, lang+" closed board", board.Text, want[lang], "/share", "take part", "participez", "partecipa")
	}
}

// TestIdeasCloseNamesTheTop: the post at an ideas board's close names its most
// voted idea, in every language; a board without votes names none.
func TestIdeasCloseNamesTheTop(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Parks"`), "campaign.created"))
	quiet := Code(t, h.Expect(h.Say(Admin, `/campaign new ideas "Quiet"`), "campaign.created"))
	h.Expect(h.Say(Bob, "/idea "+code+" More trees"), "idea.added")
	second := h.Expect(h.Say(Carol, "/idea "+code+" A pond"), "idea.added")
	h.Press(Bob, fmt.Sprintf("iv:%v", second.Args["id"]))
	h.Expect(h.Say(Bob, "/idea "+quiet+" Benches"), "idea.added")
	closeNow(h, Admin, code)
	closeNow(h, Admin, quiet)
	items, err := h.Store.Outbox(context.Background(), core.OutboxPending, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"en": "The most voted idea: “A pond”.", "fr": "L’idée la plus votée : « A pond ».", "it": "L’idea più votata: «A pond»."}
	seen := 0
	for _, it := range items {
		if it.Announcement.Key != "announce.closed" {
			continue
		}
		seen++
		for _, lang := range core.Locales {
			rep, err := h.Router.Card(context.Background(), it.Announcement, lang)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(rep.Text, "Quiet") {
				contains(t, lang+" quiet close", rep.Text, nil, "Benches", "voted", "votée", "votata")
			} else {
				contains(t, lang+" close", rep.Text, []string{want[lang]})
			}
		}
	}
	if seen != 2 {
		t.Fatalf("%d close posts", seen)
	}
}

// TestContestOutcome: /campaign show after a contest names the winner with the prize
// and the other entries the brand used and paid, in every language.
func TestContestOutcome(t *testing.T) {
	h := New(t)
	code := Code(t, h.Expect(h.Say(Admin, `/contest new "Tagline" brief="Say summer" prize="50 EUR" entries_close=1d voting_close=2d type=slogan`), "contest.new"))
	sun := h.Expect(h.Say(Bob, "/enter "+code+` "Sun" Sun all day`), "contest.entered").Args["id"]
	waves := h.Expect(h.Say(Carol, "/enter "+code+` "Waves" Waves for all`), "contest.entered").Args["id"]
	advanceFund(t, h, 24*time.Hour+time.Minute)
	h.Press(Dave, fmt.Sprintf("cv:%v", sun))
	advanceFund(t, h, 24*time.Hour)
	h.Expect(h.Say(Admin, fmt.Sprintf("/contest use %s %v 10", code, waves)), "contest.used")
	want := map[string][]string{
		"en": {fmt.Sprintf("Winner: #%v “Sun” by Bob, who wins €50.00.", sun), fmt.Sprintf("Also used by the brand and paid: #%v “Waves” by Carol, €10.00.", waves)},
		"fr": {fmt.Sprintf("Gagnant : n° %v « Sun » de Bob, qui remporte 50,00\u00a0€.", sun), fmt.Sprintf("Aussi utilisée par la marque et payée : n° %v « Waves » de Carol, 10,00\u00a0€.", waves)},
		"it": {fmt.Sprintf("Vincitrice: n. %v “Sun” di Bob, che vince 50,00\u00a0€.", sun), fmt.Sprintf("Usata anche dal marchio e pagata: n. %v “Waves” di Carol, 10,00\u00a0€.", waves)},
	}
	for _, lang := range core.Locales {
		show := h.Expect(h.Say(Erin.In(lang), "/campaign show "+code), "campaign.show")
		contains(t, lang+" contest", show.Text, want[lang], "/enter")
	}
}

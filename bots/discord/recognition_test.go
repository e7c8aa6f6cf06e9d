package discord_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
)

const champions = "830000000000000001"

// TestRecognitionRoles: a campaign's close gives its top contributor the server's
// role with PUT /guilds/{guild}/members/{user}/roles/{role}, once; the server's next
// campaign takes it back with DELETE when it recognizes someone else; when Discord
// answers 403 (no Manage Roles) the campaign's creator is told why in a private
// message, and /recognize shows it.
func TestRecognitionRoles(t *testing.T) {
	e := newEnv(t)
	e.rest.SetRoles(guild, map[string]string{champions: "Champions"})
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: e.h.Store, Router: e.h.Router, Posters: []bots.Poster{e.ad},
		Clock: e.h.Clock, Sleep: func(ctx context.Context, d time.Duration) error { e.h.Clock.Advance(d); return ctx.Err() },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	run := func() {
		t.Helper()
		for range 4 {
			e.h.Clock.Advance(time.Minute)
			if _, err := d.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	say := func(s shown) string {
		t.Helper()
		msgs := s.messages()
		if len(msgs) == 0 {
			t.Fatal("nothing shown")
		}
		return msgs[0].text
	}
	campaign := func(title string, author any) string {
		t.Helper()
		st := &state{v: map[string]string{}, e: e}
		created := say(e.do(command(ada, here, "campaign", "new", str("kind", "ideas"), str("title", title))(st)))
		code := firstKey(t, created, "en", "campaign.created")["code"]
		u := bob
		if author == "cara" {
			u = cara
		}
		added := say(e.do(command(u, here, "idea", "submit", str("code", code), str("text", title+" idea"))(st)))
		id := strings.TrimPrefix(firstKey(t, added, "en", "idea.added")["id"], "#")
		say(e.do(command(ada, here, "idea", "status", str("code", code), num("id", id), str("status", "done"))(st)))
		return code
	}
	st := &state{v: map[string]string{}, e: e}
	firstKey(t, say(e.do(command(ada, here, "recognition", "role", str("role", "<@&"+champions+">"))(st))), "en", "recognition.set_role")

	spring := campaign("Spring", "bob")
	firstKey(t, say(e.do(command(ada, here, "campaign", "close", str("code", spring), flag("confirm"))(st))), "en", "campaign.closed")
	run()
	puts := e.rest.Find("PUT", `^/guilds/`+guild+`/members/\d+/roles/\d+$`)
	if len(puts) != 1 || puts[0].Path != "/guilds/"+guild+"/members/"+bob.ID+"/roles/"+champions || puts[0].Status != 204 ||
		puts[0].Header.Get("Authorization") != "Bot "+token {
		t.Fatalf("role calls after the close: %v", puts)
	}
	if got := e.rest.MemberRoles(guild, bob.ID); !slices.Equal(got, []string{champions}) {
		t.Fatalf("Bob's roles: %v", got)
	}
	// a repeated command gives nothing twice
	shownText := say(e.do(command(ada, here, "recognize", "", str("code", spring))(st)))
	run()
	if n := len(e.rest.Find("PUT", `/roles/`)); n != 1 || !strings.Contains(shownText, "has the role") {
		t.Fatalf("%d PUTs after a repeated /recognize: %q", n, shownText)
	}

	// the next campaign of the server recognizes Carol: Bob's role is taken back
	summer := campaign("Summer", "cara")
	firstKey(t, say(e.do(command(ada, here, "campaign", "close", str("code", summer), flag("confirm"))(st))), "en", "campaign.closed")
	run()
	dels := e.rest.Find("DELETE", `/roles/`)
	if len(dels) != 1 || dels[0].Path != "/guilds/"+guild+"/members/"+bob.ID+"/roles/"+champions {
		t.Fatalf("role removals: %v", dels)
	}
	if len(e.rest.MemberRoles(guild, bob.ID)) != 0 || len(e.rest.MemberRoles(guild, cara.ID)) != 1 {
		t.Fatalf("roles after the rotation: Bob %v, Carol %v", e.rest.MemberRoles(guild, bob.ID), e.rest.MemberRoles(guild, cara.ID))
	}

	// without Manage Roles, Discord answers 403: the creator learns why
	e.rest.DenyRoles(guild, true)
	autumn := campaign("Autumn", "bob")
	firstKey(t, say(e.do(command(ada, here, "campaign", "close", str("code", autumn), flag("confirm"))(st))), "en", "campaign.closed")
	run()
	refused := 0
	calls := append(e.rest.Find("PUT", `/roles/`), e.rest.Find("DELETE", `/roles/`)...)
	for _, c := range calls {
		if c.Status == 403 {
			refused++
		}
	}
	if refused != 2 { // Bob's new role, Carol's taking back
		t.Fatalf("%d refused role calls, want 2: %v", refused, calls)
	}
	var notices []string
	for _, c := range e.rest.Find("POST", `^/channels/77`+ada.ID+`/messages$`) {
		notices = append(notices, toMsg("post", c.Map(), nil).text)
	}
	if len(notices) != 2 || !strings.Contains(strings.Join(notices, "\n"), "Manage Roles") {
		t.Fatalf("the creator's notices: %q", notices)
	}
	shownText = say(e.do(command(ada, here, "recognize", "", str("code", autumn))(st)))
	if !strings.Contains(shownText, "Manage Roles") {
		t.Fatalf("/recognize does not say why: %q", shownText)
	}
}

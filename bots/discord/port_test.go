package discord_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"crowdbot/bots"
	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

// suggester is the real Router behind the port, but for the codes it suggests:
// those are made up, and what the adapter asked for is noted.
type suggester struct {
	bots.Conversation
	offer []bots.Suggestion
	mu    sync.Mutex
	asked []string
}

func (s *suggester) SuggestCodes(_ context.Context, space core.SpaceRef, member core.MemberRef, prefix string) []bots.Suggestion {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, string(space.Platform)+":"+space.ExternalID+" "+member.ExternalID+" "+prefix)
	return s.offer
}

// TestAutocompleteTranslates: the adapter asks the port for the codes, naming the
// guild (or the private chat) and the member and passing what was typed as it is,
// and shows what it offers within Discord's limits: 25 choices, names of 100
// characters.
func TestAutocompleteTranslates(t *testing.T) {
	s := &suggester{}
	for i := range 30 {
		code := "c" + itoa(i)
		s.offer = append(s.offer, bots.Suggestion{Code: code, Label: code + " · " + strings.Repeat("é", 150), Live: true})
	}
	e := newEnv(t, func(o *discord.Options) {
		s.Conversation = o.Router
		o.Router = s
	})
	for _, c := range []struct {
		where dcfake.Where
		want  string
	}{
		{here, "discord:" + guild + " " + bob.ID + " Ma "},
		{dm, "discord:" + dmBob + " " + bob.ID + " Ma "},
	} {
		s.mu.Lock()
		s.asked = nil
		s.mu.Unlock()
		a := e.dc.Deliver(t, e.url, e.dc.Autocomplete(bob, c.where, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: "Ma ", Focused: true}}))
		if a.Status != 200 || a.Type != 8 {
			t.Fatalf("autocomplete answered %d %s", a.Status, a.Body)
		}
		s.mu.Lock()
		asked := s.asked
		s.mu.Unlock()
		if len(asked) != 1 || asked[0] != c.want {
			t.Errorf("asked %q, want %q", asked, c.want)
		}
		list, _ := a.Data["choices"].([]any)
		if len(list) != 25 {
			t.Fatalf("%d choices", len(list))
		}
		for i, ch := range list {
			m := ch.(map[string]any)
			name, _ := m["name"].(string)
			if m["value"] != "c"+itoa(i) || utf8.RuneCountInString(name) != 100 || !strings.HasPrefix(name, "c"+itoa(i)+" · ") {
				t.Errorf("choice %d: %v (%d characters)", i, m, utf8.RuneCountInString(name))
			}
		}
	}
	if bad := e.rest.Refused(); len(bad) > 0 {
		t.Fatal(bad)
	}
}

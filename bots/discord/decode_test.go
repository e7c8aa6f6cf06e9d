package discord

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots/discord/dcfake"
)

// TestDecodeInteraction holds decodeInteraction to discordgo's own decoding for every
// kind of interaction Discord posts, in the shapes dcfake gives them (Discord's
// documented payloads): the same interaction in every field, but for the message a
// component or a modal was on, of which it keeps the id and the channel.
func TestDecodeInteraction(t *testing.T) {
	d := dcfake.NewDiscord(t, nil, "900000000000000001", time.Now)
	who := dcfake.User{ID: "700000000000000002", Username: "bob", GlobalName: "Bob", Roles: []string{"1"}, Locale: "fr"}
	here := dcfake.Where{Guild: "800000000000000001", Channel: "810000000000000001", GuildLocale: "en-US"}
	dm := dcfake.Where{Channel: "820000000000000001"}
	card := dcfake.Message("1280000000000000009", here.Channel, "Vote!", []any{map[string]any{"type": 1, "components": []any{
		map[string]any{"type": 2, "style": 1, "label": "👍 3", "custom_id": "iv:1:2"}}}})
	cases := map[string]map[string]any{
		"ping":         d.Ping(),
		"command":      d.Command(who, here, "idea", "add", []dcfake.Option{{Name: "code", Type: 3, Value: "k7Fq2"}, {Name: "text", Type: 3, Value: "Blue ✓"}}),
		"command dm":   d.Command(who, dm, "help", "", nil),
		"attachment":   d.Command(who, here, "task", "items", nil, dcfake.Attachment{ID: "5", Filename: "a.csv", ContentType: "text/csv", URL: "https://cdn.example/a.csv", Size: 12}),
		"autocomplete": d.Autocomplete(who, here, "idea", "vote", []dcfake.Option{{Name: "code", Type: 3, Value: "k7", Focused: true}}),
		"press":        d.Press(who, here, "iv:1:2", card),
		"press dm":     d.Press(who, dm, "pv:k7Fq2:1", nil),
		"submit":       d.Submit(who, here, "wz:title", "answer", "Roof ✓", card),
		"submit bare":  d.Submit(who, here, "wz:title", "answer", "Roof", nil),
	}
	for name, m := range cases {
		body, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var want discordgo.Interaction
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%s: discordgo: %v", name, err)
		}
		got, err := decodeInteraction(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want.Message != nil {
			if got.Message == nil || got.Message.ID != want.Message.ID || got.Message.ChannelID != want.Message.ChannelID || got.Message.ID == "" {
				t.Errorf("%s: message %+v, want id %q in %q", name, got.Message, want.Message.ID, want.Message.ChannelID)
			}
			want.Message = got.Message
		} else if got.Message != nil {
			t.Errorf("%s: a message where there is none: %+v", name, got.Message)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, *got, want)
		}
	}
	for _, bad := range []string{"", "{", `{"type": 3, "data": "x"}`, `{"type": 2, "data": {"options": 5}}`, `{"type": "3"}`, `{"message": 7}`} {
		if _, err := decodeInteraction([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/bots/internal/units"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":                     "plain words",
		"*bold* _it_ ~s~ `c` |sp| \\":     `\*bold\* \_it\_ \~s\~ \` + "`c\\`" + ` \|sp\| \\`,
		"# title\n> quote\n- item\n-5 °C": "\\# title\n\\> quote\n\\- item\n-5 °C",
		"a # b > c - d":                   "a # b > c - d",
		"[x](https://evil.example)":       `\[x\](https://evil.example)`,
		"see https://crowd.example/c/a_b": "see https://crowd.example/c/a_b",
		"  # indented":                    `  \# indented`,
		"@everyone <@1>":                  "@everyone <@1>",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLinkedImage: a picture the Router links to is shown from the public URL, or
// from its own address when it has one; a web path with no public URL is left out.
func TestLinkedImage(t *testing.T) {
	a := &Adapter{publicURL: "https://crowd.example"}
	bare := &Adapter{}
	for _, c := range []struct {
		a    *Adapter
		path string
		want string
	}{
		{a, "/c/k7Fq2/progress.png", "https://crowd.example/c/k7Fq2/progress.png"},
		{a, "https://cdn.discordapp.com/attachments/1/2/wave.png", "https://cdn.discordapp.com/attachments/1/2/wave.png"},
		{bare, "https://cdn.discordapp.com/attachments/1/2/wave.png", "https://cdn.discordapp.com/attachments/1/2/wave.png"},
		{bare, "/c/k7Fq2/progress.png", ""},
	} {
		e := c.a.linkedImage(bots.Reply{Image: &bots.Image{Path: c.path}})
		got := ""
		if e != nil {
			got = e.Image.URL
		}
		if got != c.want {
			t.Errorf("%q with %q: %q, want %q", c.path, c.a.publicURL, got, c.want)
		}
	}
}

// TestEmbedLimits spreads texts of every shape over embeds and messages: each keeps
// Discord's limits, and together they keep the text.
func TestEmbedLimits(t *testing.T) {
	texts := []string{
		strings.Repeat("word ", 5000),                              // one long line
		strings.Repeat("a line of text\n", 2000),                   // many short lines
		strings.Repeat("é", 4096) + "\n" + strings.Repeat("x", 10), // a line just the size of an embed
		strings.Repeat("😀", 3000),                                  // two units each
		strings.Repeat(strings.Repeat("y", 999)+"\n", 61),
	}
	for i, text := range texts {
		msgs := embedMessages(text)
		var all strings.Builder
		for j, m := range msgs {
			total := 0
			if len(m.embeds) == 0 || len(m.embeds) > maxEmbeds {
				t.Errorf("text %d message %d: %d embeds", i, j, len(m.embeds))
			}
			for _, e := range m.embeds {
				if n := units.Len(e.Description); n > maxEmbedText || n == 0 {
					t.Errorf("text %d: embed of %d units", i, n)
				}
				total += units.Len(e.Description)
				all.WriteString(e.Description)
			}
			if total > maxEmbedsTotal {
				t.Errorf("text %d message %d: %d units", i, j, total)
			}
		}
		if all.String() != text {
			t.Errorf("text %d changed", i)
		}
	}
	one := embedMessages(units.Clip(strings.Repeat("z", 9000), maxEmbedsTotal))
	if len(one) != 1 || !strings.HasSuffix(one[0].embeds[len(one[0].embeds)-1].Description, "…") {
		t.Errorf("cut text spread over %d messages", len(one))
	}
}

func TestButtons(t *testing.T) {
	a, _, _ := newTestAdapter(t)
	var row []bots.Button
	for i := range 7 {
		row = append(row, bots.Button{Label: strings.Repeat("L", 100), Action: fmt.Sprint("iv:", i%3)})
	}
	var rows [][]bots.Button
	for range 6 {
		rows = append(rows, row)
	}
	rows = append(rows, []bots.Button{{Label: "", Action: "x:1", Style: bots.StyleDanger}, {Label: "go", URL: "https://crowd.example"},
		{Label: "too long", Action: strings.Repeat("a", 99)}})
	msgs := a.render(bots.Reply{Text: "pick", Buttons: rows})
	if len(msgs) != 3 { // 13 rows: 5, 5, 3
		t.Fatalf("%d messages", len(msgs))
	}
	for i, m := range msgs {
		body, _ := json.Marshal(map[string]any{"content": "x", "components": m.components})
		var raw map[string]any
		_ = json.Unmarshal(body, &raw)
		if len(m.components) > maxRows {
			t.Errorf("message %d: %d rows", i, len(m.components))
		}
		ids := map[string]bool{}
		for _, r := range m.components {
			for _, c := range r.(discordgo.ActionsRow).Components {
				b := c.(discordgo.Button)
				if units.Len(b.Label) > maxLabel || b.Label == "" || ids[b.CustomID] && b.CustomID != "" || len(b.CustomID) > maxCustomID {
					t.Errorf("button %+v", b)
				}
				ids[b.CustomID] = true
				if b.CustomID != "" && !strings.HasPrefix(actionOf(b.CustomID), "iv:") && actionOf(b.CustomID) != "x:1" {
					t.Errorf("custom id %q gives action %q", b.CustomID, actionOf(b.CustomID))
				}
			}
		}
	}
	last := msgs[2].components[2].(discordgo.ActionsRow).Components
	if len(last) != 2 || last[0].(discordgo.Button).Label != "·" || last[0].(discordgo.Button).Style != discordgo.DangerButton ||
		last[1].(discordgo.Button).Style != discordgo.LinkButton {
		t.Errorf("last row %+v", last)
	}
	if one := a.renderOne(bots.Reply{Text: "pick", Buttons: rows}); len(one.components) != maxRows {
		t.Errorf("an edit has %d rows", len(one.components))
	}
	for id, want := range map[string]string{"iv:3|2": "iv:3", "iv:3": "iv:3", "il:a:top:2|x": "il:a:top:2|x", "|4": "|4"} {
		if got := actionOf(id); got != want {
			t.Errorf("actionOf(%q) = %q", id, got)
		}
	}
}

// interaction decodes a fake interaction as the adapter gets it.
func interaction(t *testing.T, it map[string]any) *discordgo.Interaction {
	t.Helper()
	raw, _ := json.Marshal(it)
	var out discordgo.Interaction
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// TestUploadsInReplies answers with a picture and a file: the answer is deferred
// and the uploads go with the edit of the response, as multipart.
func TestUploadsInReplies(t *testing.T) {
	a, rest, _ := newTestAdapter(t)
	dc := dcfake.NewDiscord(t, rest, testApp, nil)
	who := dcfake.User{ID: "700000000000000002", Username: "bob"}
	where := dcfake.Where{Guild: "800000000000000001", Channel: "810000000000000001"}
	for _, c := range []struct {
		name     string
		it       map[string]any
		reply    bots.Reply
		deferred discordgo.InteractionResponseType
	}{
		{"command", dc.Command(who, where, "campaign", "show", nil), bots.Reply{Text: "Progress", Image: &bots.Image{Name: "progress.png", PNG: []byte("png")}},
			discordgo.InteractionResponseDeferredChannelMessageWithSource},
		{"export", dc.Command(who, where, "tasks", "export", nil), bots.Reply{Text: "Answers", File: &bots.File{Name: "a.csv", Type: "text/csv", Data: []byte("a,b\n")}, Ephemeral: true},
			discordgo.InteractionResponseDeferredChannelMessageWithSource},
		{"refresh", dc.Press(who, where, "pr:1", nil), bots.Reply{Text: "Now", Edit: true, Image: &bots.Image{Name: "chart.png", PNG: []byte("png2")}},
			discordgo.InteractionResponseDeferredMessageUpdate},
	} {
		t.Run(c.name, func(t *testing.T) {
			it := interaction(t, c.it)
			ans := a.reply(it, []bots.Reply{c.reply})
			if ans.initial.Type != c.deferred || ans.then == nil {
				t.Fatalf("answer %+v", ans.initial)
			}
			if err := a.api.InteractionRespond(it, ans.initial); err != nil {
				t.Fatal(err)
			}
			ans.then(context.Background())
			edits := rest.Find("PATCH", `/`+it.Token+`/messages/@original$`)
			if len(edits) != 1 || len(edits[0].Files) != 1 || edits[0].Map()["attachments"] == nil {
				t.Fatalf("edits %v", rest.Calls())
			}
			if c.reply.Ephemeral {
				cb := rest.Find("POST", `/`+it.ID+`/`)[0].Map()
				if cb["data"].(map[string]any)["flags"] != float64(64) {
					t.Errorf("private upload deferred publicly: %v", cb)
				}
			}
		})
	}
	if bad := rest.Refused(); len(bad) > 0 {
		t.Fatal(bad)
	}
}

// TestPromptFallbacks: a question that cannot be a modal (the answer to a modal, or
// an answer already deferred) is asked with a button that opens the modal.
func TestPromptFallbacks(t *testing.T) {
	a, rest, _ := newTestAdapter(t)
	dc := dcfake.NewDiscord(t, rest, testApp, nil)
	who := dcfake.User{ID: "700000000000000002", Username: "bob"}
	where := dcfake.Where{Guild: "800000000000000001", Channel: "810000000000000001"}
	ask := bots.Reply{Text: "Your idea for k7Fq2:", Ephemeral: true, Prompt: &bots.Prompt{Action: "ia:k7Fq2", Long: true, Max: 1000}}

	it := interaction(t, dc.Submit(who, where, "ia:k7Fq2", "answer", "", nil))
	ans := a.reply(it, []bots.Reply{ask})
	if ans.initial.Type != discordgo.InteractionResponseChannelMessageWithSource || ans.initial.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("answer to a modal %+v", ans.initial)
	}
	b := ans.initial.Data.Components[0].(discordgo.ActionsRow).Components[0].(discordgo.Button)
	if b.CustomID != "ia:k7Fq2" || b.Emoji == nil || ans.initial.Data.Content != "Your idea for k7Fq2:" {
		t.Errorf("button %+v", b)
	}

	it = interaction(t, dc.Command(who, where, "idea", "submit", nil))
	deferred := a.deferral(it, nil)
	if err := a.api.InteractionRespond(it, deferred); err != nil {
		t.Fatal(err)
	}
	a.followUp(context.Background(), it, deferred, []bots.Reply{ask})
	var methods []string
	for _, c := range rest.Calls() {
		if strings.Contains(c.Path, it.Token) && !strings.HasSuffix(c.Path, "/callback") {
			methods = append(methods, c.Method)
		}
	}
	if strings.Join(methods, " ") != "DELETE POST" {
		t.Errorf("calls %v", methods)
	}
	if bad := rest.Refused(); len(bad) > 0 {
		t.Fatal(bad)
	}
}

// TestEdit: an edit clears what the old message had and the new one has not (its
// embeds, its buttons), replaces old uploads only when it brings new ones, pings
// nobody, and is the same edit for a channel message and an interaction response.
func TestEdit(t *testing.T) {
	plain := message{content: "Only text"}
	upload := message{content: "With a chart", files: []file{{name: "chart.png", contentType: "image/png", data: []byte("png")}},
		components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "Vote", CustomID: "v:1"}}}}}
	const none = `"allowed_mentions":{"parse":[],"replied_user":false}`
	for _, c := range []struct {
		m     message
		want  string
		files int
	}{
		{plain, `{"content":"Only text","components":[],"embeds":[],` + none + `}`, 0},
		{upload, `{"content":"With a chart","components":[{"type":1,"components":[{"type":2,"label":"Vote","style":1,"disabled":false,"custom_id":"v:1"}]}],"embeds":[],"attachments":[],` + none + `}`, 1},
	} {
		var want any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		e, w := c.m.edit(), c.m.webhookEdit()
		for name, v := range map[string]any{"message": e, "webhook": w} {
			body, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			delete(got, "ID") // the message and channel ids go in the URL
			delete(got, "Channel")
			if !reflect.DeepEqual(any(got), want) {
				t.Errorf("%s edit of %q:\n got %s\nwant %s", name, c.m.content, body, c.want)
			}
		}
		if len(e.Files) != c.files || len(w.Files) != c.files {
			t.Errorf("edit of %q uploads %d and %d files, want %d", c.m.content, len(e.Files), len(w.Files), c.files)
		}
	}
}

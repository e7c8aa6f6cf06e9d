package discord_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

var announcement = bots.Reply{
	Text:    "“Next flavour” is 50% funded",
	Buttons: [][]bots.Button{{{Label: "▲ Vote", Action: "iv:7"}, {Label: "Page", URL: "https://crowd.example/c/k7Fq2"}}},
}

// TestPost posts announcements to channels and members through REST, as the bot.
func TestPost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if e.ad.Platform() != core.Discord {
		t.Fatal("platform")
	}
	id, err := e.ad.Post(ctx, bots.Destination{SpaceID: guild, ChannelID: channel}, announcement)
	if err != nil || id == "" {
		t.Fatalf("post: %q %v", id, err)
	}
	posts := e.rest.Find("POST", `^/channels/`+channel+`/messages$`)
	if len(posts) != 1 || posts[0].Header.Get("Authorization") != "Bot "+token {
		t.Fatalf("posts %v", posts)
	}
	m := toMsg("", posts[0].Map(), nil)
	if m.text != announcement.Text || len(m.buttons) != 2 || m.buttons[0].id != "iv:7" || m.buttons[1].url == "" || m.private {
		t.Errorf("posted %+v", m)
	}

	// an edit replaces text and buttons
	edited := announcement
	edited.Text = "“Next flavour” is funded!"
	edited.Buttons = nil
	if err := e.ad.Edit(ctx, bots.Destination{ChannelID: channel}, id, edited); err != nil {
		t.Fatal(err)
	}
	patch := e.rest.Find("PATCH", `^/channels/`+channel+`/messages/`+id+`$`)
	if len(patch) != 1 {
		t.Fatalf("edits %v", e.rest.Calls())
	}
	if body := patch[0].Map(); body["content"] != edited.Text || len(body["components"].([]any)) != 0 {
		t.Errorf("edit %s", patch[0].Body)
	}

	// a member privately: the DM channel is opened once
	for range 2 {
		if _, err := e.ad.Post(ctx, bots.Destination{UserID: bob.ID}, bots.Reply{Text: "Your idea was planned"}); err != nil {
			t.Fatal(err)
		}
	}
	if dm := e.rest.Find("POST", `^/users/@me/channels$`); len(dm) != 1 || dm[0].Map()["recipient_id"] != bob.ID {
		t.Errorf("DM channels %v", dm)
	}
	if n := len(e.rest.Find("POST", `^/channels/77`+bob.ID+`/messages$`)); n != 2 {
		t.Errorf("%d private posts", n)
	}

	// a picture and a file go as uploads
	png := []byte("\x89PNG\r\n\x1a\nfake")
	_, err = e.ad.Post(ctx, bots.Destination{ChannelID: channel}, bots.Reply{Text: "Progress", Image: &bots.Image{Name: "progress.png", PNG: png},
		File: &bots.File{Name: "k7Fq2-ideas.csv", Type: "text/csv", Data: []byte("id,text\n1,Mango\n")}})
	if err != nil {
		t.Fatal(err)
	}
	posts = e.rest.Find("POST", `^/channels/`+channel+`/messages$`)
	up := posts[len(posts)-1]
	if len(up.Files) != 2 || up.Files[0].Name != "progress.png" || up.Files[0].ContentType != "image/png" || string(up.Files[0].Data) != string(png) ||
		up.Files[1].Name != "k7Fq2-ideas.csv" || up.Files[1].ContentType != "text/csv" || up.Map()["content"] != "Progress" {
		t.Errorf("upload %+v %s", up.Files, up.Body)
	}

	// a long text spreads over embeds and messages within Discord's limits; the
	// buttons go under the last one
	long := strings.Repeat("A line of a long announcement, with some words in it.\n", 200)
	first, err := e.ad.Post(ctx, bots.Destination{ChannelID: "810000000000000005"}, bots.Reply{Text: long, Buttons: announcement.Buttons})
	if err != nil {
		t.Fatal(err)
	}
	posts = e.rest.Find("POST", `^/channels/810000000000000005/messages$`)
	var all strings.Builder
	for i, p := range posts {
		m := toMsg("", p.Map(), nil)
		all.WriteString(m.text)
		if (len(m.buttons) > 0) != (i == len(posts)-1) {
			t.Errorf("message %d has buttons %v", i, m.buttons)
		}
	}
	if len(posts) < 2 || all.String() != long || first == "" {
		t.Errorf("%d messages; text kept: %v", len(posts), all.String() == long)
	}
	if bad := e.rest.Refused(); len(bad) > 0 {
		t.Fatalf("refused %v", bad)
	}
}

// TestPostErrors: a channel that is gone is a permanent failure; a 429 is waited
// out when short, and handed back to the caller when long; buckets announced in
// headers are kept, per route.
func TestPostErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.ad.Post(ctx, bots.Destination{ChannelID: "404000000000000001"}, announcement)
	var perm *bots.PermanentError
	if !errors.As(err, &perm) {
		t.Fatalf("unknown channel: %v", err)
	}
	if _, err := e.ad.Post(ctx, bots.Destination{}, announcement); !errors.As(err, &perm) {
		t.Fatalf("no destination: %v", err)
	}

	// short: waited out, one 429 and one success (0.125 s is exact in binary, so
	// discordgo's rounding to milliseconds takes nothing off)
	e.rest.RateLimit("POST", `^/channels/810000000000000011/messages$`, 125*time.Millisecond, false, 1)
	if _, err := e.ad.Post(ctx, bots.Destination{ChannelID: "810000000000000011"}, announcement); err != nil {
		t.Fatal(err)
	}
	calls := e.rest.Find("POST", `^/channels/810000000000000011/messages$`)
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || calls[1].Status != http.StatusOK ||
		calls[1].At.Sub(calls[0].At) < 125*time.Millisecond {
		t.Fatalf("calls %v", calls)
	}

	// long: handed back with its retry_after, nothing retried
	e.rest.RateLimit("POST", `^/channels/810000000000000012/messages$`, 45*time.Second, false, 1)
	_, err = e.ad.Post(ctx, bots.Destination{ChannelID: "810000000000000012"}, announcement)
	var rl *bots.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter < 44*time.Second || rl.RetryAfter > 45*time.Second {
		t.Fatalf("long limit: %v", err)
	}
	if n := len(e.rest.Find("POST", `^/channels/810000000000000012/messages$`)); n != 1 {
		t.Fatalf("%d calls", n)
	}
	// while that route waits, another channel is not held up
	if _, err := e.ad.Post(ctx, bots.Destination{ChannelID: "810000000000000013"}, announcement); err != nil {
		t.Fatal(err)
	}

	// a bucket of 2 per 300ms: the headers say when it is empty, so no 429 comes
	e.rest.Bucket("POST", `^/channels/810000000000000014/messages$`, 2, 300*time.Millisecond)
	for range 5 {
		if _, err := e.ad.Post(ctx, bots.Destination{ChannelID: "810000000000000014"}, announcement); err != nil {
			t.Fatal(err)
		}
	}
	calls = e.rest.Find("POST", `^/channels/810000000000000014/messages$`)
	for _, c := range calls {
		if c.Status != http.StatusOK {
			t.Errorf("bucket not kept: %v", calls)
		}
	}
	// (the client waited for the bucket at least once; the fake's clock and the
	// client's differ by the time an answer takes, so no closer bound is kept)
	if len(calls) != 5 || calls[4].At.Sub(calls[0].At) < 290*time.Millisecond {
		t.Errorf("5 posts in %v", calls[len(calls)-1].At.Sub(calls[0].At))
	}
}

// TestLongReplies answers with a reply longer than a message's content may be: it
// goes to embeds within Discord's limits (the fake refuses any other), and the
// text is kept whole.
func TestLongReplies(t *testing.T) {
	e := newEnv(t)
	desc := strings.TrimSpace(strings.Repeat("A long description of the campaign, repeated. ", 85))
	got := e.do(e.dc.Command(ada, here, "campaign", "new", []dcfake.Option{{Name: "kind", Type: 3, Value: "ideas"},
		{Name: "title", Type: 3, Value: "Long"}, {Name: "description", Type: 3, Value: desc}}))
	code := firstKey(t, got.messages()[0].text, "en", "campaign.created")["code"]
	got = e.do(e.dc.Command(bob, here, "campaign", "show", []dcfake.Option{{Name: "code", Type: 3, Value: code}}))
	m := got.messages()
	embeds, _ := got.answer.Data["embeds"].([]any)
	if got.answer.Data["content"] != "" || len(embeds) == 0 || len(m) != 1 {
		t.Fatalf("a long reply should go to embeds: %s", got.answer.Body)
	}
	firstKey(t, m[0].text, "en", "campaign.show")
	if !strings.Contains(m[0].text, desc) {
		t.Errorf("description lost: %q", m[0].text)
	}
}

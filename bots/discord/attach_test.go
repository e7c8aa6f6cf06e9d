package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/bots/discord/dcfake"
)

// TestTextAttachmentsRead: a small CSV or text file a member attaches is read
// through the session's HTTP client into the input, as Telegram's getFile path does;
// pictures, large files and files that cannot be read keep only their URL.
func TestTextAttachmentsRead(t *testing.T) {
	a, rest, h := newTestAdapter(t, func(o *Options) { o.MaxDownload = 1000 })
	const ch = "810000000000000001"
	csv := []byte("text,answer\nhello,world\n")
	big := bytes.Repeat([]byte("x,y\n"), 1000)

	// through the interaction: a slash command's attachment option
	dc := dcfake.NewDiscord(t, rest, testApp, h.Clock.Now)
	it := dc.Command(dcfake.User{ID: "700000000000000002", Username: "bob"}, dcfake.Where{Guild: "800000000000000001", Channel: ch},
		"enter", "", []dcfake.Option{{Name: "code", Type: 3, Value: "k7Fq2"}, {Name: "file", Type: 11, Value: "1290000000000000009"}},
		dcfake.Attachment{ID: "1290000000000000009", Filename: "items.csv", ContentType: "text/csv; charset=utf-8",
			URL: rest.AddFile(ch, "1290000000000000009", "items.csv", csv), Size: len(csv)})
	raw, _ := json.Marshal(it)
	var in discordgo.Interaction
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	input, _, err := a.input(context.Background(), &in)
	if err != nil || len(input.Attachments) != 1 {
		t.Fatalf("input %+v, %v", input, err)
	}
	a.fetch(context.Background(), input.Attachments)
	if at := input.Attachments[0]; !bytes.Equal(at.Data, csv) || at.Name != "items.csv" || at.Size != int64(len(csv)) {
		t.Fatalf("csv %+v", at)
	}

	att := func(name, typ, url string, size int) bots.Attachment {
		return attachment(&discordgo.MessageAttachment{Filename: name, ContentType: typ, URL: url, Size: size})
	}
	list := []bots.Attachment{
		att("notes.txt", "text/plain", rest.AddFile(ch, "2", "notes.txt", []byte("one\ntwo\n")), 8),
		att("ITEMS.CSV", "application/octet-stream", rest.AddFile(ch, "3", "ITEMS.CSV", csv), len(csv)),
		att("big.csv", "text/csv", rest.AddFile(ch, "4", "big.csv", big), len(big)),
		att("lies.csv", "text/csv", rest.AddFile(ch, "5", "lies.csv", big), 10),
		att("logo.png", "image/png", rest.AddFile(ch, "6", "logo.png", []byte("\x89PNG")), 4),
		att("gone.csv", "text/csv", rest.URL+"/attachments/"+ch+"/7/gone.csv?hm=x", 10),
		att("local.csv", "text/csv", "file:///etc/passwd", 10),
	}
	a.fetch(context.Background(), list)
	want := map[string]string{"notes.txt": "one\ntwo\n", "ITEMS.CSV": string(csv)}
	for _, at := range list {
		if string(at.Data) != want[at.Name] {
			t.Errorf("%s read as %d bytes", at.Name, len(at.Data))
		}
	}
	var got []string
	for _, c := range rest.Calls() {
		if c.Via == "cdn" {
			got = append(got, c.Path[strings.LastIndexByte(c.Path, '/')+1:])
		}
	}
	// the large one by its size is never fetched, nor the picture
	if strings.Join(got, " ") != "items.csv notes.txt ITEMS.CSV lies.csv gone.csv" {
		t.Errorf("downloads %v", got)
	}
	if bad := rest.Refused(); len(bad) > 0 {
		t.Errorf("refused %v", bad)
	}
}

func TestIsText(t *testing.T) {
	for _, c := range []struct {
		name, typ string
		want      bool
	}{
		{"a.csv", "", true}, {"a.CSV", "application/vnd.ms-excel", true}, {"a", "text/csv", true},
		{"a.txt", "text/plain; charset=utf-8", true}, {"a", "application/csv", true},
		{"a.png", "image/png", false}, {"a.pdf", "application/pdf", false}, {"csv", "", false},
	} {
		if got := isText(c.name, c.typ); got != c.want {
			t.Errorf("isText(%q, %q) = %v", c.name, c.typ, got)
		}
	}
}

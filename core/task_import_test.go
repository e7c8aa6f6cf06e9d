package core

import (
	"slices"
	"strings"
	"testing"
)

func TestParseTaskLines(t *testing.T) {
	got := ParseTaskLines("Caption this https://x.example/1.jpg\r\n\nhttps://x.example/2.jpg what is it? | cat\n  plain text | \n| dog\nA|B | c")
	want := []TaskItemInput{
		{Row: 1, Text: "Caption this", MediaURL: "https://x.example/1.jpg"},
		{Row: 3, Text: "what is it?", MediaURL: "https://x.example/2.jpg", Gold: "cat"},
		{Row: 4, Text: "plain text"},
		{Row: 5, Gold: "dog"},
		{Row: 6, Text: "A|B", Gold: "c"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ParseTaskLines:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseTaskCSV(t *testing.T) {
	// a header in another order, quoted cells with commas and line breaks
	rows, bad := ParseTaskCSV("a.csv", []byte("gold,Text,URL\ncat,\"Is it, really,\na cat?\",https://x.example/1.jpg\n,,\n,second,\n"))
	want := []TaskItemInput{
		{File: "a.csv", Row: 2, Text: "Is it, really,\na cat?", MediaURL: "https://x.example/1.jpg", Gold: "cat"},
		{File: "a.csv", Row: 5, Text: "second"},
	}
	if !slices.Equal(rows, want) || len(bad) != 0 {
		t.Fatalf("with header:\n got %+v %+v\nwant %+v", rows, bad, want)
	}
	// no header: text, media_url, gold in order; tabs
	rows, _ = ParseTaskCSV("b.tsv", []byte("first\thttps://x.example/2.jpg\nsecond\t\t42\n"))
	if len(rows) != 2 || rows[0].MediaURL != "https://x.example/2.jpg" || rows[1].Gold != "42" || rows[0].Row != 1 {
		t.Fatalf("without header: %+v", rows)
	}
	// a stray quote is read leniently, not lost
	rows, bad = ParseTaskCSV("c.csv", []byte("text\nsay \"hi\" there\nok\n"))
	if len(rows) != 2 || len(bad) != 0 || rows[0].Text != `say "hi" there` {
		t.Fatalf("lenient quotes: %+v %+v", rows, bad)
	}
}

func TestCheckItems(t *testing.T) {
	job := &TaskJob{Answer: TaskChoice, Choices: []string{"cat", "dog"}, PerItem: 3}
	items, valid, refused := job.checkItems([]TaskItemInput{
		{Row: 1, Text: "ok"},
		{Row: 2, MediaURL: "javascript:alert(1)"},
		{Row: 3, MediaURL: "https://x.example/" + strings.Repeat("a", 500)},
		{Row: 4, Text: strings.Repeat("é", MaxTaskItemText+1)},
		{Row: 5, Text: "\u200b\x01"},
		{Row: 6, Text: "gold", Gold: "DOG"},
		{Row: 7, Text: "bad gold", Gold: "horse"},
	}, nil, taskT0)
	if len(items) != 2 || len(valid) != 2 || *items[1].Gold != "dog" || !items[0].CreatedAt.Equal(taskT0) {
		t.Fatalf("items %+v", items)
	}
	var keys []string
	for _, r := range refused {
		keys = append(keys, r.Err.Key)
	}
	if want := "error.task_bad_media_url error.too_long error.too_long error.task_item_empty error.task_not_a_choice"; strings.Join(keys, " ") != want {
		t.Fatalf("refused %v", keys)
	}
}

func FuzzParseTaskLines(f *testing.F) {
	f.Add("Caption https://x.example/1.jpg | cat\n\nhttps://y | dog")
	f.Add("|||\n\r\n https:// ")
	f.Fuzz(func(t *testing.T, s string) {
		// rows only increase, and nothing but blank lines is dropped: an empty row
		// ("|") is returned so that the import reports it
		prev, lines := 0, 0
		for _, l := range strings.Split(s, "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		items := ParseTaskLines(s)
		for _, in := range items {
			if in.Row <= prev {
				t.Fatalf("row %+v after %d", in, prev)
			}
			prev = in.Row
		}
		if len(items) != lines {
			t.Fatalf("%d items from %d lines", len(items), lines)
		}
	})
}

func FuzzParseTaskCSV(f *testing.F) {
	f.Add([]byte("text,media_url,gold\na,https://x,b\n"))
	f.Add([]byte("\"unclosed\n;;;\n\t\t"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad := ParseTaskCSV("f.csv", data)
		for _, r := range rows {
			if r.Row < 1 {
				t.Fatalf("row %+v", r)
			}
		}
		for _, b := range bad {
			if b.Err == nil {
				t.Fatalf("refused row without a reason")
			}
		}
	})
}

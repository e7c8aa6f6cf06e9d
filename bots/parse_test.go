package bots

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"crowdbot/core"
)

func TestParseCommand(t *testing.T) {
	cases := []struct {
		in   string
		name string
		bot  string
		args []string
		opts map[string]string
		rest string // Rest(1)
	}{
		{in: "/help", name: "help"},
		{in: "  /HELP@CrowdBot ", name: "help", bot: "CrowdBot"},
		{in: "/idea k7Fq2 make it   blue!", name: "idea", args: []string{"k7Fq2", "make", "it", "blue!"}, rest: "make it   blue!"},
		{in: `/poll new "Best song?" "A side" 'B' multi=2 anonymous closes=48h`, name: "poll",
			args: []string{"new", "Best song?", "A side", "'B'", "anonymous"}, opts: map[string]string{"multi": "2", "closes": "48h"}, rest: `"Best song?" "A side" 'B' multi=2 anonymous closes=48h`},
		{in: `/contest new "Logo" brief="A fox, in orange" prize="300 EUR"`, name: "contest",
			args: []string{"new", "Logo"}, opts: map[string]string{"brief": "A fox, in orange", "prize": "300 EUR"}, rest: "Logo"},
		{in: "/poll new “Curly quotes” «guillemets» „low“", name: "poll", args: []string{"new", "Curly quotes", "guillemets", "low"}, rest: "“Curly quotes” «guillemets» „low“"},
		{in: `/idea k7Fq2 "say \"hi\""`, name: "idea", args: []string{"k7Fq2", `say "hi"`}, rest: `say "hi"`},
		{in: `/idea k7Fq2 "unclosed quote`, name: "idea", args: []string{"k7Fq2", "unclosed quote"}, rest: "unclosed quote"},
		{in: "/pledge k7Fq2 12.50 EUR Gold", name: "pledge", args: []string{"k7Fq2", "12.50", "EUR", "Gold"}, rest: "12.50 EUR Gold"},
		{in: "/ideas k7Fq2 TAG=Summer", name: "ideas", args: []string{"k7Fq2"}, opts: map[string]string{"tag": "Summer"}},
		{in: "/idea k7Fq2 2+2=4 is math", name: "idea", args: []string{"k7Fq2", "2+2=4", "is", "math"}, rest: "2+2=4 is math"},
		{in: "/idea k7Fq2 emoji 🎉 and 日本語", name: "idea", args: []string{"k7Fq2", "emoji", "🎉", "and", "日本語"}, rest: "emoji 🎉 and 日本語"},
	}
	for _, c := range cases {
		cmd, ok := ParseCommand(c.in)
		if !ok {
			t.Errorf("%q: not a command", c.in)
			continue
		}
		var args []string
		for _, a := range cmd.Args {
			args = append(args, a.Value)
		}
		if c.opts == nil {
			c.opts = map[string]string{}
		}
		if cmd.Name != c.name || cmd.Bot != c.bot || !reflect.DeepEqual(args, c.args) || !reflect.DeepEqual(cmd.Opts, c.opts) {
			t.Errorf("%q: got %s@%s %q %v", c.in, cmd.Name, cmd.Bot, args, cmd.Opts)
		}
		if c.rest != "" && cmd.Rest(1) != c.rest {
			t.Errorf("%q: Rest(1) = %q, want %q", c.in, cmd.Rest(1), c.rest)
		}
	}
	for _, not := range []string{"", "hello", "/", "/ x", "/bad-name", "/" + strings.Repeat("a", 33), "/idea \xff"} {
		if _, ok := ParseCommand(not); ok {
			t.Errorf("%q parsed as a command", not)
		}
	}
}

func TestFlags(t *testing.T) {
	cmd, _ := ParseCommand(`/poll new "Q" "anonymous" anonymous hidden=false`)
	if !cmd.Flag("anonymous") || cmd.Flag("anonymous") {
		t.Fatal("bare flag should be taken once")
	}
	if cmd.Flag("hidden") {
		t.Fatal("hidden=false is not set")
	}
	if len(cmd.Args) != 3 || cmd.Args[2].Value != "anonymous" {
		t.Fatalf("the quoted option must stay an argument: %+v", cmd.Args)
	}
}

func TestParseDuration(t *testing.T) {
	ok := map[string]time.Duration{"90m": 90 * time.Minute, "48h": 48 * time.Hour, "3d": 72 * time.Hour, "2w": 14 * 24 * time.Hour, "1d12h": 36 * time.Hour, " 10S ": 10 * time.Second}
	for in, want := range ok {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0h", "-3h", "3", "h", "3y", "99999999d", "3.5h", "1d 2h"} {
		if _, err := ParseDuration(bad); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("ParseDuration(%q) = %v", bad, err)
		}
	}
}

func TestParseDeadline(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rome, _ := time.LoadLocation("Europe/Rome")
	cases := map[string]time.Time{
		"48h":                       now.Add(48 * time.Hour),
		"2026-03-10":                time.Date(2026, 3, 10, 23, 59, 0, 0, rome),
		"2026-03-10T18:00":          time.Date(2026, 3, 10, 18, 0, 0, 0, rome),
		"2026-03-10 18:00":          time.Date(2026, 3, 10, 18, 0, 0, 0, rome),
		"2026-03-10T18:00:00+09:00": time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC),
	}
	for in, want := range cases {
		if got, err := ParseDeadline(in, now, rome); err != nil || !got.Equal(want) {
			t.Errorf("ParseDeadline(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, key := range map[string]string{"2026-02-01": "error.deadline_past", "tomorrow": "error.bad_deadline", "999999d": "error.duration_too_long"} {
		if _, err := ParseDeadline(in, now, rome); core.AsError(err) == nil || core.AsError(err).Key != key {
			t.Errorf("ParseDeadline(%q) = %v, want %s", in, err, key)
		}
	}
}

func TestActionIDs(t *testing.T) {
	id := ActionID("il", "k7Fq2", "top", 3, int64(42))
	if id != "il:k7Fq2:top:3:42" {
		t.Fatal(id)
	}
	a := ParseAction(id)
	if a.Verb != "il" || a.Field(0) != "k7Fq2" || a.Int(3) != 42 || a.Int(0) != -1 || a.Field(9) != "" {
		t.Fatalf("%+v", a)
	}
}

// FuzzParseCommand checks that the parser never panics and that what it returns is
// well formed: a valid name, options with valid keys, and Rest inside the line.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/help", `/poll new "a" "b" multi=2`, `/x k="v w" "q\"q"`, "/idea k7Fq2 “x", "/a@b c=", "/a =b", `/a "\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, ok := ParseCommand(s)
		if !ok {
			return
		}
		if !validName(cmd.Name) {
			t.Fatalf("name %q", cmd.Name)
		}
		for k := range cmd.Opts {
			if !validName(k) {
				t.Fatalf("option key %q", k)
			}
		}
		for i := range cmd.Args {
			if !strings.Contains(s, strings.TrimSpace(cmd.Rest(i))) && !cmd.Args[i].Quoted {
				t.Fatalf("Rest(%d) = %q is not in %q", i, cmd.Rest(i), s)
			}
		}
		cmd.Flag("anonymous")
	})
}

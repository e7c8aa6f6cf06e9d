package core

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestCheckLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/logo.png":                        "",
		"HTTP://Example.com":                                  "",
		"www.behance.net/gallery/1":                           "",
		"http://[::1]:8080/x":                                 "",
		"javascript:alert(1)":                                 "error.entry_link_scheme",
		"JaVaScRiPt:alert(1)":                                 "error.entry_link_scheme",
		"data:text/html;base64,PHNjcmlwdD4=":                  "error.entry_link_scheme",
		"ftp://example.com/x":                                 "error.entry_link_scheme",
		"file:///etc/passwd":                                  "error.entry_link_scheme",
		"https://bank.example@evil.example/":                  "error.entry_bad_link",
		"https:///logo.png":                                   "error.entry_bad_link",
		"https://exa mple.com":                                "error.entry_bad_link",
		"https://example.com/\x00":                            "error.entry_bad_link",
		"https://example.com/\u202egnp.exe":                   "error.entry_bad_link",
		"https://example.com/<script>":                        "error.entry_bad_link",
		"https://..example.com":                               "error.entry_bad_link",
		"":                                                    "error.empty",
		"https://example.com/" + strings.Repeat("a", MaxLink): "error.too_long",
	} {
		_, err := CheckLink(in)
		got := ""
		if e := AsError(err); e != nil {
			got = e.Key
		} else if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckLink(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCheckLink: whatever a member sends, an accepted link is an http(s) URL with a
// host and nothing that could hide or run code.
func FuzzCheckLink(f *testing.F) {
	for _, s := range []string{"https://example.com", "www.x.y", "javascript:1", "https://a@b", "http://x/\u202e", "data:,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := CheckLink(s)
		if err != nil {
			if AsError(err) == nil {
				t.Fatalf("CheckLink(%q) failed without a message key: %v", s, err)
			}
			return
		}
		u, perr := url.Parse(out)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			t.Fatalf("CheckLink(%q) accepted %q", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }) {
			t.Fatalf("CheckLink(%q) kept hidden characters: %q", s, out)
		}
	})
}

func TestEntryFileValidate(t *testing.T) {
	ok := EntryFile{Platform: Discord, URL: "https://cdn.discordapp.com/attachments/1/2/logo.webp", Name: "logo.webp", Size: 1 << 20}
	for name, c := range map[string]struct {
		f    EntryFile
		want string
	}{
		"type from the name": {ok, ""},
		"type given":         {EntryFile{Platform: Telegram, FileID: "AgAC", ContentType: "image/JPEG; charset=x", Size: 5}, ""},
		"pdf":                {EntryFile{Platform: Telegram, FileID: "BQAC", ContentType: "application/pdf"}, "error.entry_file_type"},
		"svg (scripts)":      {EntryFile{Platform: Telegram, FileID: "BQAC", Name: "logo.svg"}, "error.entry_file_type"},
		"no type":            {EntryFile{Platform: Telegram, FileID: "BQAC", Name: "logo"}, "error.entry_file_type"},
		"oversize":           {EntryFile{Platform: Telegram, FileID: "AgAC", Name: "a.png", Size: MaxEntryFile + 1}, "error.entry_file_too_big"},
		"no reference":       {EntryFile{Platform: Telegram, Name: "a.png"}, "error.entry_file_bad"},
		"bad platform":       {EntryFile{Platform: "myspace", FileID: "x", Name: "a.png"}, "error.entry_file_bad"},
		"negative size":      {EntryFile{Platform: Telegram, FileID: "x", Name: "a.png", Size: -1}, "error.entry_file_bad"},
		"script url":         {EntryFile{Platform: Web, URL: "javascript:alert(1)", Name: "a.png"}, "error.entry_file_bad"},
		"control in file id": {EntryFile{Platform: Telegram, FileID: "a\nb", Name: "a.png"}, "error.entry_file_bad"},
	} {
		f := c.f
		err := f.Validate()
		got := ""
		if e := AsError(err); e != nil {
			got = e.Key
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q (%v)", name, got, c.want, err)
		}
		if err == nil && !imageTypes[f.ContentType] {
			t.Errorf("%s: type settled as %q", name, f.ContentType)
		}
	}
}

func TestNewContestPhases(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	base := NewContest{Prize: Money{Amount: 100, Currency: "EUR"}, PerMember: 1,
		EntriesClose: now.Add(7 * 24 * time.Hour), VotingClose: now.Add(10 * 24 * time.Hour)}
	k, err := base.contest(now)
	if err != nil || k.FinalAt != nil || k.Type != ContestDesign || k.Judging != JudgingCommunity || k.Round != 1 {
		t.Fatalf("defaults: %+v, %v", k, err)
	}
	final := base
	final.Finalists = 3
	if k, err := final.contest(now); err != nil || !k.FinalAt.Equal(now.Add(8*24*time.Hour+12*time.Hour)) {
		t.Fatalf("final half-way through voting: %+v, %v", k, err)
	}
}

// TestMayVoteFor: core's rule of an entry vote, which decides both the vote button
// and the vote itself: an active entry, a voting round still open, never one's own
// entry, and only a finalist in the final round.
func TestMayVoteFor(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	voting := &Campaign{Code: "k7Fq2", State: StateVoting, DeadlineAt: &later}
	first, final := &Contest{Round: 1}, &Contest{Round: 2}
	entry := func(status EntryStatus, finalist bool) *Entry {
		return &Entry{Number: 3, AuthorID: 7, Status: status, Finalist: finalist}
	}
	for _, tc := range []struct {
		name  string
		c     *Campaign
		k     *Contest
		e     *Entry
		voter int64
		at    time.Time
		want  string
	}{
		{"first round", voting, first, entry(EntryActive, false), 8, now, ""},
		{"finalist in the final", voting, final, entry(EntryActive, true), 8, now, ""},
		{"not a finalist in the final", voting, final, entry(EntryActive, false), 8, now, "error.entry_not_finalist"},
		{"own entry", voting, first, entry(EntryActive, false), 7, now, "error.entry_own_vote"},
		{"own entry, not a finalist", voting, final, entry(EntryActive, false), 7, now, "error.entry_own_vote"},
		{"disqualified", voting, first, entry(EntryDisqualified, false), 8, now, "error.entry_not_found"},
		{"at the deadline", voting, first, entry(EntryActive, false), 8, later, "error.contest_not_voting"},
		{"no deadline", &Campaign{State: StateVoting}, first, entry(EntryActive, false), 8, now, "error.contest_not_voting"},
		{"taking entries", &Campaign{State: StateOpen, DeadlineAt: &later}, first, entry(EntryActive, false), 8, now, "error.contest_not_voting"},
		{"closed", &Campaign{State: StateClosed, DeadlineAt: &later}, first, entry(EntryActive, false), 8, now, "error.contest_not_voting"},
	} {
		got := ""
		if err := mayVoteFor(tc.c, tc.k, tc.e, tc.voter, tc.at); err != nil {
			got = AsError(err).Key
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

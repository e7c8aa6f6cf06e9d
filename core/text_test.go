package core

import "testing"

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one two three", 8, "one two…"},
		{"one two three", 9, "one two…"}, // the space before the cut goes
		{"🥭🥭🥭🥭", 3, "🥭🥭…"},               // characters, not bytes
		{"", 3, ""},
	} {
		if got := Clip(c.in, c.n); got != c.want || Len(got) > c.n {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestQuotes: which quotes open, what closes each, and that a straight quote is
// also closed by the typographic closing one.
func TestQuotes(t *testing.T) {
	for open, closing := range map[rune]rune{'"': '"', '“': '”', '”': '”', '«': '»', '„': '“'} {
		if got := QuoteCloser(open); got != closing {
			t.Errorf("QuoteCloser(%q) = %q, want %q", open, got, closing)
		}
		if !EndsQuote(QuoteCloser(open), closing) {
			t.Errorf("%q does not end a quote opened with %q", closing, open)
		}
	}
	for _, r := range []rune{'»', '\'', '`', 'a', ' ', 0} {
		if got := QuoteCloser(r); got != 0 {
			t.Errorf("QuoteCloser(%q) = %q, want none", r, got)
		}
	}
	for _, c := range []struct {
		closing, r rune
		ends       bool
	}{
		{'"', '”', true}, // a phone turned the closing straight quote
		{'"', '“', false},
		{'”', '"', false},
		{'»', '"', false},
		{'“', '”', false}, // „…“ closes with “ only
	} {
		if got := EndsQuote(c.closing, c.r); got != c.ends {
			t.Errorf("EndsQuote(%q, %q) = %v, want %v", c.closing, c.r, got, c.ends)
		}
	}
}

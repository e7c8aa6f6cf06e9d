package core

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText makes member-sent text safe to store and show: invalid UTF-8 is
// replaced, control and format characters other than newlines are dropped, tabs
// become spaces, runs of blank lines are folded and the ends are trimmed.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	newlines := 0
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case r == '\n':
			newlines++
			if newlines > 2 {
				continue
			}
			b.WriteRune(r)
			continue
		case r == '\t':
			r = ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029',
			// bidi overrides and isolates can disguise text; zero-width joiners are kept for emoji
			r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\u200B', r == '\uFEFF':
			continue
		}
		newlines = 0
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// CleanLine is CleanText for one-line values such as titles: newlines become spaces.
func CleanLine(s string) string {
	s = CleanText(s)
	return strings.Join(strings.Fields(s), " ")
}

// Len counts characters (runes), the unit of every length limit.
func Len(s string) int { return utf8.RuneCountInString(s) }

// checkText cleans s and checks its length against [min, max] characters, returning
// the cleaned text or an EINVALID error naming the field.
func checkText(field, s string, oneLine bool, minLen, maxLen int) (string, error) {
	if oneLine {
		s = CleanLine(s)
	} else {
		s = CleanText(s)
	}
	n := Len(s)
	if n == 0 && minLen > 0 {
		return "", Errorf(EINVALID, "error.empty", "field", field)
	}
	if n < minLen {
		return "", Errorf(EINVALID, "error.too_short", "field", field, "min", minLen)
	}
	if n > maxLen {
		return "", Errorf(EINVALID, "error.too_long", "field", field, "max", maxLen, "len", n)
	}
	return s, nil
}

// shorten makes member text safe to quote back in a message: one clean line of at
// most n characters, ending with an ellipsis when cut.
func shorten(s string, n int) string {
	return Clip(CleanLine(s), n)
}

// Clip cuts s to at most n characters, the last of them an ellipsis when it cuts
// (spaces before the ellipsis are dropped).
func Clip(s string, n int) string {
	if Len(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}

// QuoteCloser returns the quote that closes one opened with r, or 0 when r opens
// none. Members quote with straight quotes and with the typographic ones phone
// keyboards put in: “…”, ”…”, «…» and „…“. Commands and task answer types read
// quotes alike through it and EndsQuote.
func QuoteCloser(r rune) rune {
	switch r {
	case '"', '”':
		return r
	case '“':
		return '”'
	case '«':
		return '»'
	case '„':
		return '“'
	}
	return 0
}

// EndsQuote reports whether r ends a quote that closing (from QuoteCloser) closes:
// a straight quote is also closed by ”, which a phone keyboard may turn it into.
func EndsQuote(closing, r rune) bool {
	return r == closing || closing == '"' && r == '”'
}

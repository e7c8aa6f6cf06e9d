package units

import (
	"testing"
	"unicode/utf8"
)

// TestLenFitCutClip: a character outside the BMP counts two units and is never cut
// in half; Clip ends a cut text with an ellipsis and stays within the limit.
func TestLenFitCutClip(t *testing.T) {
	if n := Len("a🍦é"); n != 4 {
		t.Errorf("Len = %d, want 4", n)
	}
	if n := Fit("a🍦é", 2); n != 1 {
		t.Errorf("Fit(2) = %d bytes, want 1 (the emoji does not fit in one unit)", n)
	}
	if n := Fit("a🍦é", 3); n != 5 {
		t.Errorf("Fit(3) = %d bytes, want 5", n)
	}
	cases := []struct {
		s         string
		max       int
		cut, clip string
	}{
		{"hello world", 5, "hello", "hell…"},
		{"🍦🍦🍦", 4, "🍦🍦", "🍦…"},
		{"🍦🍦🍦", 3, "🍦", "🍦…"},
		{"short", 200, "short", "short"},
		{"exact", 5, "exact", "exact"},
		{"", 3, "", ""},
	}
	for _, c := range cases {
		if got := Cut(c.s, c.max); got != c.cut {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.s, c.max, got, c.cut)
		}
		got := Clip(c.s, c.max)
		if got != c.clip {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.max, got, c.clip)
		}
		if Len(got) > c.max || !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q: over the limit or broken", c.s, c.max, got)
		}
	}
}

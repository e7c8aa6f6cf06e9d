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

// Package units measures and cuts text in UTF-16 code units, the unit in which
// Telegram counts message lengths and entity offsets and Discord counts its length
// limits. A character outside the Basic Multilingual Plane (most emoji) is two units.
// It is shared by the adapters, which may not import each other.
package units

import "unicode/utf16"

// Len is the length of s in UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Fit returns how many bytes of s fit in max UTF-16 code units, never cutting a
// character in half.
func Fit(s string, max int) int {
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if n+w > max {
			return i
		}
		n += w
	}
	return len(s)
}

// Cut returns the longest prefix of s of at most max UTF-16 code units.
func Cut(s string, max int) string { return s[:Fit(s, max)] }

// Clip cuts s to at most max UTF-16 code units, the last of them an ellipsis when
// it cuts.
func Clip(s string, max int) string {
	if Len(s) <= max {
		return s
	}
	return Cut(s, max-1) + "…"
}

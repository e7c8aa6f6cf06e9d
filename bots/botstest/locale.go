package botstest

import (
	"testing"

	"crowdbot/core"
)

// EachLocale runs f as a subtest named after each language crowdbot speaks
// (core.Locales), so that a conversation is checked in every one of them.
func EachLocale(t *testing.T, f func(t *testing.T, lang string)) {
	t.Helper()
	for _, lang := range core.Locales {
		t.Run(lang, func(t *testing.T) { f(t, lang) })
	}
}

package botstest

import (
	"slices"
	"testing"

	"crowdbot/core"
)

// TestEachLocale: f runs once in every language, in a subtest named after it.
func TestEachLocale(t *testing.T) {
	var ran, names []string
	EachLocale(t, func(t *testing.T, lang string) {
		ran = append(ran, lang)
		names = append(names, t.Name())
	})
	if !slices.Equal(ran, core.Locales) {
		t.Errorf("ran in %v, want %v", ran, core.Locales)
	}
	for i, lang := range core.Locales {
		if i >= len(names) || names[i] != "TestEachLocale/"+lang {
			t.Errorf("subtests %v, want one named %s for each language", names, lang)
			break
		}
	}
}

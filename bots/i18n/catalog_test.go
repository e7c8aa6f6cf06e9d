package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"crowdbot/core"
)

// readCatalog returns every message per language: key -> form -> text, where a plain
// message has the single form "".
func readCatalog(t *testing.T) map[string]map[string]map[string]string {
	t.Helper()
	files, err := fs.Glob(catalogFS, "catalog/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs: %v", err)
	}
	out := map[string]map[string]map[string]string{}
	for _, f := range files {
		base := strings.TrimSuffix(path.Base(f), ".yaml")
		dot := strings.LastIndex(base, ".")
		if dot < 0 {
			t.Fatalf("%s: want AREA.LANG.yaml", f)
		}
		lang := base[dot+1:]
		if !slices.Contains(core.Locales, lang) {
			t.Fatalf("%s: language %q is not one of %v", f, lang, core.Locales)
		}
		data, _ := fs.ReadFile(catalogFS, f)
		var raw map[string]any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if out[lang] == nil {
			out[lang] = map[string]map[string]string{}
		}
		for k, v := range raw {
			if _, dup := out[lang][k]; dup {
				t.Errorf("%s: key %q defined twice for %s", f, k, lang)
			}
			switch v := v.(type) {
			case string:
				out[lang][k] = map[string]string{"": v}
			case map[string]any:
				forms := map[string]string{}
				for form, s := range v {
					str, ok := s.(string)
					if !ok {
						t.Errorf("%s: %s.%s is not text", f, k, form)
					}
					forms[form] = str
				}
				out[lang][k] = forms
			default:
				t.Errorf("%s: %s is neither text nor plural forms", f, k)
			}
		}
	}
	return out
}

// TestEveryKeyInEveryLanguage fails when a key is missing in a language, or when its
// translations use different placeholders.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	cat := readCatalog(t)
	all := map[string]bool{}
	for _, msgs := range cat {
		for k := range msgs {
			all[k] = true
		}
	}
	for k := range all {
		var want []string
		for i, lang := range core.Locales {
			forms, ok := cat[lang][k]
			if !ok {
				t.Errorf("key %q is missing in %s", k, lang)
				continue
			}
			if _, plural := forms["other"]; !plural && len(forms) > 1 || (len(forms) > 1 && forms[""] != "") {
				t.Errorf("key %q in %s: plural forms need an \"other\"", k, lang)
			}
			got := placeholdersOf(forms)
			if i == 0 {
				want = got
			} else if !slices.Equal(got, want) {
				t.Errorf("key %q: %s uses %v, en uses %v", k, lang, got, want)
			}
		}
	}
}

func placeholdersOf(forms map[string]string) []string {
	set := map[string]bool{}
	for _, s := range forms {
		for _, p := range Placeholders(s) {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func TestRender(t *testing.T) {
	c := MustLoad()
	if got := c.T("fr", "no.such.key", nil); got != "no.such.key" {
		t.Errorf("unknown key rendered %q", got)
	}
	for _, lang := range core.Locales {
		one := c.T(lang, "test.ideas", map[string]any{"count": 1})
		many := c.T(lang, "test.ideas", map[string]any{"count": 7})
		if one == many || !strings.Contains(many, "7") {
			t.Errorf("%s plural: %q / %q", lang, one, many)
		}
	}
	if got := c.T("de", "test.ideas", map[string]any{"count": 2}); got != "2 ideas" {
		t.Errorf("unknown locale should fall back to English: %q", got)
	}
}

// TestCodeKeysExist checks the message keys the code names: every key literal in the
// sources of core, storage, the conversation layer and the front ends must be in
// the catalogs.
func TestCodeKeysExist(t *testing.T) {
	c := MustLoad()
	for _, k := range coreKeys(t) {
		if !c.Has(k) {
			t.Errorf("the code uses key %q, which no catalog has", k)
		}
	}
}

func ExampleCatalog_T() {
	c := MustLoad()
	fmt.Println(c.T("it", "test.ideas", map[string]any{"count": 3}))
	// Output: 3 idee
}

// TestPluralsRenderForEveryCount renders every key with counts that pick each plural
// form (French and Italian have a "many" form for millions) and fails when a form is
// missing, which would show the bare key to a member.
func TestPluralsRenderForEveryCount(t *testing.T) {
	c := MustLoad()
	for _, k := range c.Keys() {
		for _, lang := range core.Locales {
			for _, n := range []int{0, 1, 2, 5, 1000000} {
				if got := c.T(lang, k, map[string]any{"count": n}); got == k {
					t.Errorf("%s %s count=%d renders as the bare key", lang, k, n)
				}
			}
		}
	}
}

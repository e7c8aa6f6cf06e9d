package i18n

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// stringer prints as a Stringer does, through fmt.
type stringer struct{ n int }

func (s stringer) String() string { return fmt.Sprintf("<%d>", s.n) }

// TestFastTemplates holds the fast renderer to text/template's words: every message
// of every language, with its arguments given as each kind of value the bots pass
// (and some they do not), missing, or empty, renders the same both ways, and every
// message of the catalogs takes the fast way rather than falling back.
func TestFastTemplates(t *testing.T) {
	n := 7
	values := []any{"Ada", "", "é✓ <b>&", 0, 3, int64(-12), 2.5, float64(1e6), true, false,
		stringer{4}, []string{"a"}, []string{}, map[string]int{}, time.Duration(90) * time.Second,
		errors.New("boom"), struct{ A int }{1}, &n, (*int)(nil), nil, uint8(9)}
	slowParser := &template.TextParser{}
	fast := &fastParser{}
	checked := 0
	for lang, msgs := range readCatalog(t) {
		keys := make([]string, 0, len(msgs))
		for k := range msgs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for form, src := range msgs[k] {
				pt, err := fast.Parse(src, "", "")
				if err != nil {
					t.Fatalf("%s %s %s: %v", lang, k, form, err)
				}
				if _, ok := pt.(*fastTemplate); !ok {
					t.Errorf("%s %s %s takes text/template: %q", lang, k, form, src)
				}
				slow, err := slowParser.Parse(src, "", "")
				if err != nil {
					t.Fatal(err)
				}
				names := Placeholders(src)
				for vi, v := range values {
					// every argument the value, then each argument alone the value with
					// the others a plain word, then each one missing
					sets := []map[string]any{{}}
					for _, name := range names {
						sets[0][name] = v
					}
					for i, name := range names {
						one, gone := map[string]any{}, map[string]any{}
						for j, other := range names {
							if j != i {
								one[other], gone[other] = "x", "x"
							}
						}
						one[name] = v
						sets = append(sets, one, gone)
					}
					for _, args := range sets {
						want, werr := slow.Execute(args)
						got, gerr := pt.Execute(args)
						if got != want || (werr == nil) != (gerr == nil) {
							t.Errorf("%s %s %s value %d %v: got %q (%v), text/template %q (%v)", lang, k, form, vi, args, got, gerr, want, werr)
						}
						checked++
					}
				}
				if got, _ := pt.Execute(nil); got != mustExecute(t, slow, nil) {
					t.Errorf("%s %s %s with no arguments: %q", lang, k, form, got)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no message checked")
	}
}

func mustExecute(t *testing.T, pt template.ParsedTemplate, data any) string {
	t.Helper()
	s, _ := pt.Execute(data)
	return s
}

// TestFastTemplateSubset parses what the fast renderer takes and leaves what it does
// not to text/template, with the same words.
func TestFastTemplateSubset(t *testing.T) {
	args := map[string]any{"a": "A", "b": 0, "c": []int{1}}
	for _, tc := range []struct {
		src  string
		fast bool
	}{
		{"plain", true},
		{"{{.a}} and {{ .b }}", true},
		{"{{if .a}}yes {{.a}}{{else}}no{{end}}!", true},
		{"{{if .b}}{{.b}}{{else}}{{if .c}}c{{end}}{{end}}", true},
		{"{{if .a}}unclosed", false},
		{"{{end}}", false},
		{"{{.a | printf \"%q\"}}", false},
		{"{{- .a }}", false},
		{"{{range .c}}{{.}}{{end}}", false},
		{"{{.a.b}}", false},
		{"{{.}}", false},
		{"{{.1a}}", false},
	} {
		pt, err := (&fastParser{}).Parse(tc.src, "", "")
		slow, serr := (&template.TextParser{}).Parse(tc.src, "", "")
		if (err == nil) != (serr == nil) {
			t.Errorf("%q: parse error %v, text/template's %v", tc.src, err, serr)
			continue
		}
		if err != nil {
			continue
		}
		if _, ok := pt.(*fastTemplate); ok != tc.fast {
			t.Errorf("%q: fast %v, want %v", tc.src, ok, tc.fast)
		}
		got, gerr := pt.Execute(args)
		want, werr := slow.Execute(args)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Errorf("%q: %q (%v), text/template %q (%v)", tc.src, got, gerr, want, werr)
		}
	}
}

func BenchmarkT(b *testing.B) {
	c := MustLoad()
	args := map[string]any{"n": 2, "label": "Blue", "votes": 41, "count": 41, "share": 33, "bar": "███"}
	for b.Loop() {
		c.T("fr", "poll.option", args)
	}
}

package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// keyLiteral matches string literals shaped like message keys: "area.name".
var keyLiteral = regexp.MustCompile(`"([a-z_]+(?:\.[a-z0-9_]+)+)"`)

// coreKeys lists the string literals in the Go sources of core and the front ends that
// look like message keys of a catalog area ("error.x", "idea.y"): each must exist.
// Keys built at run time from a prefix (ending in a dot) are checked by the tests of
// the code that builds them.
func coreKeys(t *testing.T) []string {
	t.Helper()
	areas := map[string]bool{}
	for _, k := range MustLoad().Keys() {
		areas[strings.SplitN(k, ".", 2)[0]] = true
	}
	set := map[string]bool{}
	dirs := []string{"../../core", ".."}
	if more, _ := filepath.Glob("../*/"); len(more) > 0 {
		dirs = append(dirs, more...)
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyLiteral.FindAllStringSubmatch(string(data), -1) {
				if areas[strings.SplitN(m[1], ".", 2)[0]] {
					set[m[1]] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) < 10 {
		t.Fatalf("found only %d keys in the sources; the scan is broken", len(out))
	}
	return out
}

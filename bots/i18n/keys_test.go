package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// keyLiteral matches string literals shaped like message keys: "area.name".
var keyLiteral = regexp.MustCompile(`"([a-z_]+(?:\.[a-z0-9_]+)+)"`)

// notKeys are literals shaped like keys of a catalog area that are not keys.
var notKeys = map[string]bool{
	"discord.com": true, // the Discord API's host
}

// moduleRoot is the module's top directory, seen from this package.
const moduleRoot = "../.."

// sourceDirs lists every directory of the module that holds non-test Go sources,
// so a package that starts using message keys is scanned without being named here.
// testdata and hidden directories are skipped, as the go tool skips them, and so is
// cmd: its literals name configuration settings ("discord.guild_id"), and it renders
// no message itself.
func sourceDirs(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != moduleRoot && (name == "testdata" || name == "cmd" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			set[filepath.ToSlash(filepath.Dir(path))] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// coreKeys lists the string literals in the Go sources of every package of the
// module (core, storage, the conversation layer, the front ends, cmd) that look like
// message keys of a catalog area ("error.x", "idea.y"): each must exist. Keys built
// at run time from a prefix (ending in a dot) are checked by the tests of the code
// that builds them.
func coreKeys(t *testing.T) []string {
	t.Helper()
	keys, _ := scanKeys(t)
	return keys
}

// scanKeys returns the key literals found and, for each directory scanned, how
// many it holds.
func scanKeys(t *testing.T) ([]string, map[string]int) {
	t.Helper()
	areas := map[string]bool{}
	for _, k := range MustLoad().Keys() {
		areas[strings.SplitN(k, ".", 2)[0]] = true
	}
	set := map[string]bool{}
	perDir := map[string]int{}
	for _, dir := range sourceDirs(t) {
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
				if areas[strings.SplitN(m[1], ".", 2)[0]] && !notKeys[m[1]] {
					set[m[1]] = true
					perDir[dir]++
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
	return out, perDir
}

// TestKeyScanCoversEveryLayer fails when the scan misses a package known to name
// message keys: core's errors, storage's errors, the conversation layer and the
// front ends.
func TestKeyScanCoversEveryLayer(t *testing.T) {
	_, perDir := scanKeys(t)
	for _, dir := range []string{"core", "storage", "bots", "bots/telegram", "bots/discord", "bots/web"} {
		if perDir[moduleRoot+"/"+dir] == 0 {
			t.Errorf("the key scan found no key in %s", dir)
		}
	}
}

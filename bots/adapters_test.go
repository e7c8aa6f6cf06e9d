package bots

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// adapters are the front ends' packages: each translates one platform, and none
// leans on another, tests and fakes included.
var adapters = []string{"telegram", "discord", "web"}

// TestAdaptersDoNotImportEachOther parses every Go file under each adapter's folder
// (its fake and its tests too) and fails on an import of another adapter.
func TestAdaptersDoNotImportEachOther(t *testing.T) {
	fset := token.NewFileSet()
	seen := 0
	for _, a := range adapters {
		for _, pattern := range []string{filepath.Join(a, "*.go"), filepath.Join(a, "*", "*.go")} {
			files, err := filepath.Glob(pattern)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range files {
				f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
				if err != nil {
					t.Fatal(err)
				}
				seen++
				for _, imp := range f.Imports {
					path, _ := strconv.Unquote(imp.Path.Value)
					for _, other := range adapters {
						if other != a && (path == "crowdbot/bots/"+other || strings.HasPrefix(path, "crowdbot/bots/"+other+"/")) {
							t.Errorf("%s imports %s: one adapter's code does not use another's", fset.Position(imp.Pos()), path)
						}
					}
				}
			}
		}
	}
	if seen < 30 {
		t.Fatalf("parsed only %d files: the adapters' folders moved", seen)
	}
}

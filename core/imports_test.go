package core

import (
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCoreImportsOnlyTheStandardLibrary: core is the lowest layer; its code (tests
// aside) imports the standard library, found in GOROOT, and crowdbot's own
// packages, no other module.
func TestCoreImportsOnlyTheStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		read++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if path == "crowdbot" || strings.HasPrefix(path, "crowdbot/") {
				continue
			}
			if p, err := build.Import(path, "", build.FindOnly); err != nil || !p.Goroot {
				t.Errorf("%s imports %s, which is outside the standard library and crowdbot", name, path)
			}
		}
	}
	if read == 0 {
		t.Fatal("no source file read")
	}
}

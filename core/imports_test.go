package core

import (
	"go/build"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCoreImportsOnlyTheStandardLibrary keeps core free of I/O layers and of
// third-party modules: every file of the package, tests included, imports the
// standard library alone (no gorm, no SDK, no other crowdbot package), and so does
// everything those packages import in turn.
func TestCoreImportsOnlyTheStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d Go files in core: %v", len(files), err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if !standard(path) {
				t.Errorf("%s imports %s: core imports the standard library only", fset.Position(imp.Pos()), path)
			}
		}
	}

	// the same through every import, as the go tool resolves them
	gotool := filepath.Join(build.Default.GOROOT, "bin", "go")
	out, err := exec.Command(gotool, "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, _, _ := strings.Cut(line, " ") // "crowdbot/core [crowdbot/core.test]"
		if pkg != "crowdbot/core" && pkg != "crowdbot/core.test" {
			t.Errorf("core depends on %s, which is not in the standard library", pkg)
		}
	}
}

// standard reports whether an import path names a standard library package: its
// first element has no dot, and it is not this module's.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "crowdbot"
}

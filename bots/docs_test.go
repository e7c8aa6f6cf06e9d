package bots

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docCitation matches a file of the repository named in a comment: a path ending in
// .md.
var docCitation = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]+\.md\b`)

// TestCitedDocsExist fails when a Go source cites a Markdown file that is not in the
// repository: a citation is a path from the module's root (docs/DESIGN.md), or a
// name at the root (README.md).
func TestCitedDocsExist(t *testing.T) {
	const root = ".."
	cited := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			_, comment, ok := strings.Cut(line, "//")
			if !ok {
				continue
			}
			for _, doc := range docCitation.FindAllString(comment, -1) {
				if strings.Contains(doc, "://") || strings.HasPrefix(doc, "/") {
					continue
				}
				cited++
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(doc))); err != nil {
					t.Errorf("%s:%d cites %s, which is not in the repository", path, i+1, doc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 2 {
		t.Fatalf("found %d citations: the scan is broken", cited)
	}
}

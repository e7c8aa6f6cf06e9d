package core

// The import of a task job's items: reading them from the lines of a message or a
// CSV file, and checking each against the job, with every refused row reported.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
)

// TaskItemInput is one item as imported, before it is checked. Row is where it was:
// the line of the message or the row of the file, from 1.
type TaskItemInput struct {
	File     string // the file it came from, "" for lines of the message
	Row      int
	Text     string
	MediaURL string
	Gold     string // "" for an ordinary item
}

// TaskRowError is an imported row that was refused, and why.
type TaskRowError struct {
	File string
	Row  int
	Err  *Error
}

// TaskImport reports an import: how many items were added, the job's new total, and
// every row that was refused.
type TaskImport struct {
	Added   int
	Total   int
	Refused []TaskRowError
}

// ParseTaskLines reads items typed one per line: the item's text, a media URL at its
// start or end, and after a last "|" the known answer of a gold item. Blank lines are
// skipped; Row counts every line from 1.
func ParseTaskLines(text string) []TaskItemInput {
	var out []TaskItemInput
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" {
			continue
		}
		in := TaskItemInput{Row: i + 1}
		if k := strings.LastIndex(line, "|"); k >= 0 {
			in.Gold = strings.TrimSpace(line[k+1:])
			line = strings.TrimSpace(line[:k])
		}
		in.Text, in.MediaURL = splitTaskMedia(line)
		out = append(out, in)
	}
	return out
}

// splitTaskMedia takes a web address off the start or the end of a line.
func splitTaskMedia(line string) (text, media string) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", ""
	}
	if last := f[len(f)-1]; looksLikeURL(last) {
		return strings.TrimSpace(strings.TrimSuffix(line, last)), last
	}
	if looksLikeURL(f[0]) {
		return strings.TrimSpace(strings.TrimPrefix(line, f[0])), f[0]
	}
	return line, ""
}

func looksLikeURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// ParseTaskCSV reads items from a CSV file with the columns text, media_url and gold.
// A first row naming columns (in any order; "url", "media" and "answer" are
// understood too) is a header; without one the columns are taken in that order. The
// separator may be a comma, a semicolon or a tab (as spreadsheets in many languages
// write it). Rows count from 1 as a spreadsheet shows them; rows that cannot be read
// are returned as refused.
func ParseTaskCSV(file string, data []byte) ([]TaskItemInput, []TaskRowError) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffTaskComma(data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	cols := map[string]int{"text": 0, "media_url": 1, "gold": 2}
	var out []TaskItemInput
	var refused []TaskRowError
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			row := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row = pe.StartLine
			}
			refused = append(refused, TaskRowError{File: file, Row: row, Err: Errorf(EINVALID, "error.task_csv_row")})
			if row == 0 {
				break // the reader cannot go on
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			if h, ok := taskCSVHeader(rec); ok {
				cols = h
				continue
			}
		}
		cell := func(name string) string {
			i, ok := cols[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		in := TaskItemInput{File: file, Row: line, Text: cell("text"), MediaURL: cell("media_url"), Gold: cell("gold")}
		if in.Text == "" && in.MediaURL == "" && in.Gold == "" && len(strings.Join(rec, "")) == 0 {
			continue // an empty row
		}
		out = append(out, in)
	}
	return out, refused
}

// taskCSVHeader reads a header row, if rec is one.
func taskCSVHeader(rec []string) (map[string]int, bool) {
	names := map[string]string{
		"text": "text", "item": "text", "media_url": "media_url", "media": "media_url", "url": "media_url",
		"gold": "gold", "answer": "gold", "known_answer": "gold",
	}
	cols := map[string]int{}
	for i, c := range rec {
		key := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(c)), " ", "_")
		if name, ok := names[key]; ok {
			if _, dup := cols[name]; !dup {
				cols[name] = i
			}
		}
	}
	return cols, len(cols) > 0
}

// sniffTaskComma picks the separator the first line uses most.
func sniffTaskComma(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// checkItem cleans an imported item and checks it against the job.
func (j *TaskJob) checkItem(in TaskItemInput) (TaskItem, error) {
	var it TaskItem
	var err error
	if it.Text, err = checkText("task_item", in.Text, false, 0, MaxTaskItemText); err != nil {
		return it, err
	}
	it.MediaURL = CleanLine(in.MediaURL)
	if it.MediaURL != "" {
		u, err := url.Parse(it.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return it, Errorf(EINVALID, "error.task_bad_media_url", "url", it.MediaURL)
		}
		if Len(it.MediaURL) > MaxTaskMediaURL {
			return it, Errorf(EINVALID, "error.too_long", "field", "task_media_url", "max", MaxTaskMediaURL, "len", Len(it.MediaURL))
		}
	}
	if it.Text == "" && it.MediaURL == "" {
		return it, Errorf(EINVALID, "error.task_item_empty")
	}
	if g := CleanText(in.Gold); g != "" {
		v, err := j.NormalizeAnswer(g)
		if err != nil {
			return it, err
		}
		it.Gold = &v
	}
	return it, nil
}

// checkItems splits imported rows into items to store and refused rows. The valid
// rows are returned too, in the order of the items, so that rows the store has no
// room for can be reported.
func (j *TaskJob) checkItems(inputs []TaskItemInput, refused []TaskRowError, now time.Time) ([]TaskItem, []TaskItemInput, []TaskRowError) {
	var items []TaskItem
	var valid []TaskItemInput
	for _, in := range inputs {
		it, err := j.checkItem(in)
		if err != nil {
			e := AsError(err)
			if e == nil {
				e = Errorf(EINVALID, "error.task_csv_row")
			}
			refused = append(refused, TaskRowError{File: in.File, Row: in.Row, Err: e})
			continue
		}
		it.CreatedAt = now
		items = append(items, it)
		valid = append(valid, in)
	}
	return items, valid, refused
}

// taskOverflow reports the rows a job had no room for.
func taskOverflow(rows []TaskItemInput) []TaskRowError {
	out := make([]TaskRowError, len(rows))
	for i, in := range rows {
		out[i] = TaskRowError{File: in.File, Row: in.Row, Err: Errorf(ELIMIT, "error.task_items_full", "max", MaxTaskItems)}
	}
	return out
}

// sortTaskRows orders refused rows by file, then row.
func sortTaskRows(rows []TaskRowError) {
	slices.SortStableFunc(rows, func(a, b TaskRowError) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Row - b.Row
	})
}

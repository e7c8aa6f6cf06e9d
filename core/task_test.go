package core

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var taskT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestParseTaskAnswer(t *testing.T) {
	for in, want := range map[string]string{
		"text":                                "text",
		" NUMBER ":                            "number",
		`choice:"red car","blue car",other`:   "choice red car|blue car|other",
		"choice:yes,no":                       "choice yes|no",
		`Choice: “Sì” , «No, grazie»`:         "choice Sì|No, grazie",
		`choice:"a, b",c`:                     "choice a, b|c",
		"choice":                              "error.task_bad_answer_type",
		"text:x":                              "error.task_bad_answer_type",
		"maybe":                               "error.task_bad_answer_type",
		"choice:only":                         "error.task_choices_count",
		"choice:a,b,c,d,e,f,g,h,i,j,k":        "error.task_choices_count",
		"choice:yes,YES":                      "error.task_choice_twice",
		`choice:"",b`:                         "error.empty",
		"choice:a," + strings.Repeat("x", 41): "error.too_long",
	} {
		typ, choices, err := ParseTaskAnswer(in)
		got := string(typ)
		if len(choices) > 0 {
			got += " " + strings.Join(choices, "|")
		}
		if err != nil {
			got = AsError(err).Key
		}
		if got != want {
			t.Errorf("ParseTaskAnswer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeAnswer(t *testing.T) {
	number := &TaskJob{Answer: TaskNumber}
	for in, want := range map[string]string{
		"42": "42", "1 000": "1000", "1,000": "1000", "1.000": "1000", "3,5": "3.5", "3.50": "3.5",
		"1,000.50": "1000.5", "1.000,50": "1000.5", "-2": "-2", "−2,5": "-2.5", "+7": "7", "-0": "0",
		"0,125": "0.125", "007": "7", "1'000'000": "1000000",
		"": "error.empty", "many": "error.task_not_a_number", "1e3": "error.task_not_a_number",
		"NaN": "error.task_not_a_number", "0x10": "error.task_not_a_number", "1,00,0": "error.task_not_a_number",
		"--1": "error.task_not_a_number", "12.": "error.task_not_a_number",
		"1234567890123456": "error.task_number_too_large",
	} {
		got, err := number.NormalizeAnswer(in)
		if err != nil {
			got = AsError(err).Key
		}
		if got != want {
			t.Errorf("number %q = %q, want %q", in, got, want)
		}
	}
	choice := &TaskJob{Answer: TaskChoice, Choices: []string{"Cat", "Dog", "3"}}
	for in, want := range map[string]string{
		"cat": "Cat", " DOG ": "Dog", "1": "Cat", "2": "Dog", "3": "3", "4": "error.task_not_a_choice",
		"horse": "error.task_not_a_choice", "": "error.empty",
	} {
		got, err := choice.NormalizeAnswer(in)
		if err != nil {
			got = AsError(err).Key
		}
		if got != want {
			t.Errorf("choice %q = %q, want %q", in, got, want)
		}
	}
	text := &TaskJob{Answer: TaskText}
	if got, _ := text.NormalizeAnswer("  A cat\x00 on\u202e a mat  "); got != "A cat on a mat" {
		t.Errorf("text cleaned to %q", got)
	}
	if !text.Matches("A cat on a mat.", "a CAT on a   mat") || text.Matches("a cat", "a dog") {
		t.Error("text gold answers match on words, in any case")
	}
}

func TestTaskVerdict(t *testing.T) {
	ans := func(spec string) []TaskAnswer {
		var out []TaskAnswer
		for i, f := range strings.Fields(spec) {
			a := TaskAnswer{ID: int64(i + 1), Value: strings.TrimRight(f, "!x"), Status: TaskPending}
			switch {
			case strings.HasSuffix(f, "!"):
				a.Status, a.Reviewed = TaskAccepted, true
			case strings.HasSuffix(f, "x"):
				a.Status, a.Reviewed = TaskRejected, true
			}
			out = append(out, a)
		}
		return out
	}
	statuses := func(v TaskVerdict) string {
		var s []string
		for _, st := range v.Status {
			s = append(s, string(st))
		}
		return strings.Join(s, " ")
	}
	choice := &TaskJob{Answer: TaskChoice, Choices: []string{"a", "b", "c"}, PerItem: 3}
	text := &TaskJob{Answer: TaskText, PerItem: 2}
	gold := "a"
	for _, tc := range []struct {
		name    string
		job     *TaskJob
		gold    *string
		answers string
		want    string // settled/flagged agreed: statuses
	}{
		{"one answer waits", choice, nil, "a", "open : pending"},
		{"two agree of three", choice, nil, "a a", "settled a: accepted accepted"},
		{"third disagrees", choice, nil, "a b a", "settled a: accepted outvoted accepted"},
		{"no majority", choice, nil, "a b c", "flagged : review review review"},
		{"two of three differ", choice, nil, "a b", "open : pending pending"},
		{"rejected do not count", choice, nil, "ax b c", "open : rejected pending pending"},
		{"rejected reopen a majority", choice, nil, "ax a b", "open : rejected pending pending"},
		{"an admin settles", choice, nil, "a b c!", "settled c: outvoted outvoted accepted"},
		{"majority of four", &TaskJob{Answer: TaskNumber, PerItem: 4}, nil, "1 1 2 2", "flagged : review review review review"},
		{"majority of one", &TaskJob{Answer: TaskNumber, PerItem: 1}, nil, "7", "settled 7: accepted"},
		{"text waits for review", text, nil, "p q", "flagged : review review"},
		{"text approved", text, nil, "hello! q", "settled hello: accepted review"},
		{"gold right", choice, &gold, "bx a!", "settled a: rejected accepted"},
		{"gold wrong only", choice, &gold, "bx", "open : rejected"},
	} {
		v := tc.job.Verdict(tc.gold, ans(tc.answers))
		state := "open"
		if v.Settled {
			state = "settled"
		} else if v.Flagged {
			state = "flagged"
		}
		if got := state + " " + v.Agreed + ": " + statuses(v); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestWorkerAccuracy(t *testing.T) {
	for _, tc := range []struct {
		w       TaskWorker
		min     float64
		blocked bool
	}{
		{TaskWorker{Gold: 2, GoldRight: 0}, 0.6, false}, // still warming up
		{TaskWorker{Gold: 3, GoldRight: 1}, 0.6, true},
		{TaskWorker{Gold: 3, GoldRight: 2}, 0.6, false},
		{TaskWorker{Gold: 5, GoldRight: 3}, 0.6, false}, // exactly the minimum
		{TaskWorker{Gold: 9, GoldRight: 0}, 0, false},   // turned off
	} {
		if got := tc.w.Blocked(tc.min, 3); got != tc.blocked {
			t.Errorf("%+v min %v: blocked %v", tc.w, tc.min, got)
		}
	}
}

var canonicalNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)

func FuzzNormalizeTaskNumber(f *testing.F) {
	for _, s := range []string{"1 000", "3,5", "-2.50", "1.000,5", "0x1p3", "1e400", "--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := normalizeTaskNumber(s)
		if err != nil {
			return
		}
		// one canonical shape: an optional minus, digits without leading zeros, and
		// a decimal part without trailing zeros
		if !canonicalNumber.MatchString(v) || v == "-0" {
			t.Fatalf("%q -> %q", s, v)
		}
	})
}

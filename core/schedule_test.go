package core

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// TestScheduleMatchesTheLibrary replays core/testdata/schedules.jsonl: specs
// (good ones, and bad ones with the reason robfig/cron v3 gave) with a time zone,
// a start and the next run that library computed, across daylight-saving changes
// in both hemispheres, half-hour shifts, leap days and dates that never come.
func TestScheduleMatchesTheLibrary(t *testing.T) {
	f, err := os.Open("testdata/schedules.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var good, bad int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c struct {
			Spec, TZ, From, Next, Error string
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if c.Error != "" {
			bad++
			if _, err := parseSchedule(c.Spec); err == nil || err.Error() != c.Error {
				t.Errorf("parse %q: error %v, want %q", c.Spec, err, c.Error)
			}
			continue
		}
		good++
		from, err := time.Parse(time.RFC3339Nano, c.From)
		if err != nil {
			t.Fatal(err)
		}
		got, err := NextRun(c.Spec, c.TZ, from)
		if err != nil {
			t.Errorf("NextRun(%q, %q, %s): %v", c.Spec, c.TZ, c.From, err)
			continue
		}
		want := c.Next
		if want == "zero" {
			want = time.Time{}.Format(time.RFC3339Nano)
		}
		if g := got.Format(time.RFC3339Nano); g != want {
			t.Errorf("NextRun(%q, %q, %s) = %s, want %s", c.Spec, c.TZ, c.From, g, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if good < 500 || bad < 100 {
		t.Fatalf("only %d good and %d bad specs: the file is damaged", good, bad)
	}
}

// TestScheduleWithoutFields: a zone with nothing after it is a bad schedule with
// a reason, not a crash.
func TestScheduleWithoutFields(t *testing.T) {
	for _, spec := range []string{"CRON_TZ=Europe/Rome", "TZ=UTC"} {
		_, err := ParseSchedule(spec)
		if e := AsError(err); e == nil || e.Code != EINVALID || e.Key != "error.bad_schedule" {
			t.Errorf("ParseSchedule(%q) = %v, want error.bad_schedule", spec, err)
		}
	}
}

// TestZeroScheduleNeverRuns: the zero Schedule has no minute to run at.
func TestZeroScheduleNeverRuns(t *testing.T) {
	if got := (Schedule{}).Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !got.IsZero() {
		t.Fatalf("zero schedule runs at %s", got)
	}
}

// FuzzParseSchedule: any text either is refused with a reason or gives a schedule
// whose next run comes after the start, on a whole second (a whole minute for the
// five fields), or never.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0 18 * * *", "*/15 9-17 * * mon-fri", "@every 90m", "CRON_TZ=Europe/Rome 0 9 1 * *", "0 0 30 2 *", "TZ=UTC", "1-2-3 * * * *"} {
		f.Add(s)
	}
	start := time.Date(2026, 3, 29, 0, 30, 15, 5, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := parseSchedule(spec)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q refused with no reason", spec)
			}
			return
		}
		next := s.Next(start)
		if next.IsZero() {
			return
		}
		if !next.After(start) || next.Nanosecond() != 0 {
			t.Fatalf("%q: next run %s after %s", spec, next, start)
		}
		if s.every == 0 && next.Second() != 0 {
			t.Fatalf("%q: next run %s is not on a minute", spec, next)
		}
	})
}

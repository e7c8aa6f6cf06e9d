package core

import (
	"errors"
	"testing"
	"time"
)

// TestScheduleWithoutParser: a service given no parser reads DefaultSchedule as
// daily at 18:00 in the campaign's zone, and refuses any other spec as invalid.
func TestScheduleWithoutParser(t *testing.T) {
	s := NewService(nil, SystemClock{}, Settings{})
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ at, want time.Time }{
		{time.Date(2026, 3, 2, 9, 0, 0, 0, rome), time.Date(2026, 3, 2, 18, 0, 0, 0, rome)},
		{time.Date(2026, 3, 2, 18, 0, 0, 0, rome), time.Date(2026, 3, 3, 18, 0, 0, 0, rome)},
		{time.Date(2026, 3, 31, 23, 30, 0, 0, rome), time.Date(2026, 4, 1, 18, 0, 0, 0, rome)},
		// the clocks go forward in the night of 28 to 29 March
		{time.Date(2026, 3, 28, 19, 0, 0, 0, rome), time.Date(2026, 3, 29, 18, 0, 0, 0, rome)},
	} {
		got, err := s.NextRun(DefaultSchedule, "Europe/Rome", c.at)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("NextRun(default, %v) = %v, %v; want %v", c.at, got, err, c.want)
		}
	}
	_, err = s.NextRun("*/5 * * * *", "", time.Now())
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID || e.Key != "error.bad_schedule" {
		t.Errorf("another spec without a parser: %v, want error.bad_schedule", err)
	}
}

// every is a schedule that runs every d, for TestScheduleParserIsUsed.
type every time.Duration

func (d every) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }

// TestScheduleParserIsUsed: the parser in the settings reads every spec, and what it
// refuses is an invalid schedule with its reason.
func TestScheduleParserIsUsed(t *testing.T) {
	parse := func(spec string) (Schedule, error) {
		if spec == "hourly" {
			return every(time.Hour), nil
		}
		return nil, errors.New("not hourly")
	}
	s := NewService(nil, SystemClock{}, Settings{Schedules: parse})
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if got, err := s.NextRun("hourly", "", at); err != nil || !got.Equal(at.Add(time.Hour)) {
		t.Errorf("NextRun(hourly) = %v, %v", got, err)
	}
	_, err := s.NextRun(DefaultSchedule, "", at)
	var e *Error
	if !errors.As(err, &e) || e.Key != "error.bad_schedule" || e.Args["reason"] != "not hourly" {
		t.Errorf("a refused spec: %v, want error.bad_schedule with the parser's reason", err)
	}
}

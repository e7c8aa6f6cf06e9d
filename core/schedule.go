package core

import (
	"errors"
	"time"
)

// Schedule is a campaign's update schedule, read: when its progress posts go out.
type Schedule interface {
	// Next returns the first run strictly after t. The spec's times of day are read
	// in t's location, unless the spec names a zone of its own (CRON_TZ=...).
	Next(t time.Time) time.Time
}

// ScheduleParser reads an update schedule's spec, a cron spec. The service is given
// one in Settings.Schedules; cmd/crowdbot gives it bots.ParseCron, which reads
// specs with robfig/cron, so that core itself imports no module outside the
// standard library.
type ScheduleParser func(spec string) (Schedule, error)

// errNoParser is the reason a service without a schedule parser gives for a spec
// other than DefaultSchedule.
var errNoParser = errors.New("no schedule parser is configured")

// Read reads spec with p, and turns a refusal into an EINVALID error that names the
// spec and the parser's reason. A nil parser knows DefaultSchedule alone (daily at
// 18:00), so that a service built without one still creates campaigns and posts
// their progress daily, and it refuses every other spec.
func (p ScheduleParser) Read(spec string) (Schedule, error) {
	var sched Schedule
	var err error
	switch {
	case p != nil:
		sched, err = p(spec)
	case spec == DefaultSchedule:
		sched = dailyAt{hour: 18}
	default:
		err = errNoParser
	}
	if err != nil {
		return nil, Errorf(EINVALID, "error.bad_schedule", "spec", spec, "reason", err.Error())
	}
	return sched, nil
}

// dailyAt is a schedule that runs once a day at a time of day: DefaultSchedule, for
// a service without a parser.
type dailyAt struct{ hour, minute int }

// Next returns the first time of day d strictly after t, in t's location.
func (d dailyAt) Next(t time.Time) time.Time {
	y, m, day := t.Date()
	next := time.Date(y, m, day, d.hour, d.minute, 0, 0, t.Location())
	if !next.After(t) {
		next = time.Date(y, m, day+1, d.hour, d.minute, 0, 0, t.Location())
	}
	return next
}

// NextRun returns the first run of spec strictly after t, in the time zone tz unless
// the spec carries its own CRON_TZ.
func (s *Service) NextRun(spec, tz string, t time.Time) (time.Time, error) {
	loc, err := LoadZone(tz)
	if err != nil {
		return time.Time{}, err
	}
	sched, err := s.settings.Schedules.Read(spec)
	if err != nil {
		return time.Time{}, err
	}
	return sched.Next(t.In(loc)).UTC(), nil
}

package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A campaign's update schedule is a cron spec: five fields (minute, hour, day of
// month, month, day of week) or a descriptor (@yearly, @annually, @monthly, @weekly,
// @daily, @midnight, @hourly, @every <duration>), optionally after CRON_TZ=<zone>
// (or TZ=<zone>). The reading of a spec and the search for its next run follow
// robfig/cron v3's standard parser (MIT licence, Copyright (C) 2012 Rob Figueiredo),
// which crowdbot used before, so that stored schedules keep their meaning;
// core/testdata/schedules.txt holds that library's answers for the tests.

// Schedule is a parsed cron spec: it tells when a campaign's progress is next
// posted. Its zero value never runs.
type Schedule struct {
	// the bits set in each field are the values it matches; starBit marks a field
	// written as * or ?, which changes how day of month and day of week combine
	minute, hour, dom, month, dow uint64
	// loc is the zone of CRON_TZ=, or nil: the zone of the time Next is given
	loc *time.Location
	// every is the fixed delay of @every; when set the fields are unused
	every time.Duration
}

// starBit is set in a field written as * or ?.
const starBit = 1 << 63

// scheduleField is one field of a spec: its bounds and the names it takes.
type scheduleField struct {
	min, max uint
	names    map[string]uint
}

var (
	minuteField = scheduleField{0, 59, nil}
	hourField   = scheduleField{0, 23, nil}
	domField    = scheduleField{1, 31, nil}
	monthField  = scheduleField{1, 12, map[string]uint{
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
		"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	}}
	dowField = scheduleField{0, 6, map[string]uint{
		"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
	}}
)

// ParseSchedule checks a cron spec (five fields or a descriptor such as @daily; a
// CRON_TZ= prefix is honoured) and returns the schedule.
func ParseSchedule(spec string) (Schedule, error) {
	s, err := parseSchedule(spec)
	if err != nil {
		return Schedule{}, Errorf(EINVALID, "error.bad_schedule", "spec", spec, "reason", err.Error())
	}
	return s, nil
}

// parseSchedule reads spec; its errors are the technical reason shown after the
// translated message.
func parseSchedule(spec string) (Schedule, error) {
	if spec == "" {
		return Schedule{}, fmt.Errorf("empty spec string")
	}
	var loc *time.Location
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		eq := strings.Index(spec, "=")
		i := strings.Index(spec, " ")
		if i < 0 {
			return Schedule{}, fmt.Errorf("no schedule after %s", spec)
		}
		l, err := time.LoadLocation(spec[eq+1 : i])
		if err != nil {
			return Schedule{}, fmt.Errorf("provided bad location %s: %v", spec[eq+1:i], err)
		}
		if l != time.Local {
			loc = l
		}
		spec = strings.TrimSpace(spec[i:])
	}
	if strings.HasPrefix(spec, "@") {
		return parseDescriptor(spec, loc)
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return Schedule{}, fmt.Errorf("expected exactly %d fields, found %d: %s", 5, len(fields), fields)
	}
	s := Schedule{loc: loc}
	for i, f := range []struct {
		dst *uint64
		r   scheduleField
	}{{&s.minute, minuteField}, {&s.hour, hourField}, {&s.dom, domField}, {&s.month, monthField}, {&s.dow, dowField}} {
		bits, err := parseField(fields[i], f.r)
		if err != nil {
			return Schedule{}, err
		}
		*f.dst = bits
	}
	return s, nil
}

// parseDescriptor reads an @ spec.
func parseDescriptor(spec string, loc *time.Location) (Schedule, error) {
	all := func(r scheduleField) uint64 { return rangeBits(r.min, r.max, 1) | starBit }
	s := Schedule{minute: 1, hour: 1, dom: all(domField), month: all(monthField), dow: all(dowField), loc: loc}
	switch spec {
	case "@yearly", "@annually":
		s.dom, s.month = 1<<domField.min, 1<<monthField.min
	case "@monthly":
		s.dom = 1 << domField.min
	case "@weekly":
		s.dow = 1 << dowField.min
	case "@daily", "@midnight":
	case "@hourly":
		s.hour = all(hourField)
	default:
		rest, ok := strings.CutPrefix(spec, "@every ")
		if !ok {
			return Schedule{}, fmt.Errorf("unrecognized descriptor: %s", spec)
		}
		d, err := time.ParseDuration(rest)
		if err != nil {
			return Schedule{}, fmt.Errorf("failed to parse duration %s: %s", spec, err)
		}
		d = max(d, time.Second)
		return Schedule{every: d - d%time.Second}, nil
	}
	return s, nil
}

// parseField reads one field: a comma-separated list of ranges.
func parseField(field string, r scheduleField) (uint64, error) {
	var bits uint64
	for _, expr := range strings.FieldsFunc(field, func(c rune) bool { return c == ',' }) {
		b, err := parseRange(expr, r)
		if err != nil {
			return 0, err
		}
		bits |= b
	}
	return bits, nil
}

// parseRange reads * or ?, a value, or low-high, each optionally followed by /step
// ("5/15" stands for 5-max/15).
func parseRange(expr string, r scheduleField) (uint64, error) {
	rangeAndStep := strings.Split(expr, "/")
	lowAndHigh := strings.Split(rangeAndStep[0], "-")
	var start, end, step uint
	var extra uint64
	var err error
	if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
		start, end, extra = r.min, r.max, starBit
	} else {
		if start, err = parseValue(lowAndHigh[0], r.names); err != nil {
			return 0, err
		}
		switch len(lowAndHigh) {
		case 1:
			end = start
		case 2:
			if end, err = parseValue(lowAndHigh[1], r.names); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("too many hyphens: %s", expr)
		}
	}
	switch len(rangeAndStep) {
	case 1:
		step = 1
	case 2:
		if step, err = parseNumber(rangeAndStep[1]); err != nil {
			return 0, err
		}
		if len(lowAndHigh) == 1 {
			end = r.max
		}
		if step > 1 {
			extra = 0
		}
	default:
		return 0, fmt.Errorf("too many slashes: %s", expr)
	}
	switch {
	case start < r.min:
		return 0, fmt.Errorf("beginning of range (%d) below minimum (%d): %s", start, r.min, expr)
	case end > r.max:
		return 0, fmt.Errorf("end of range (%d) above maximum (%d): %s", end, r.max, expr)
	case start > end:
		return 0, fmt.Errorf("beginning of range (%d) beyond end of range (%d): %s", start, end, expr)
	case step == 0:
		return 0, fmt.Errorf("step of range should be a positive number: %s", expr)
	}
	return rangeBits(start, end, step) | extra, nil
}

// parseValue reads a number or one of the field's names (jan, mon), in any case.
func parseValue(expr string, names map[string]uint) (uint, error) {
	if n, ok := names[strings.ToLower(expr)]; ok {
		return n, nil
	}
	return parseNumber(expr)
}

// parseNumber reads a number that is not negative.
func parseNumber(expr string) (uint, error) {
	n, err := strconv.Atoi(expr)
	if err != nil {
		return 0, fmt.Errorf("failed to parse int from %s: %s", expr, err)
	}
	if n < 0 {
		return 0, fmt.Errorf("negative number (%d) not allowed: %s", n, expr)
	}
	return uint(n), nil
}

// rangeBits sets the bits from lo to hi, every step.
func rangeBits(lo, hi, step uint) uint64 {
	if step == 1 {
		return ^(math.MaxUint64 << (hi + 1)) & (math.MaxUint64 << lo)
	}
	var bits uint64
	for i := lo; i <= hi; i += step {
		bits |= 1 << i
	}
	return bits
}

// Next returns the first run strictly after t, on a whole minute, in t's location.
// A spec without CRON_TZ is read in t's zone. When no run comes within five years
// (a 31st of February), it returns the zero time.
func (s Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		return t.Add(s.every - time.Duration(t.Nanosecond()))
	}
	orig := t.Location()
	loc := t.Location()
	if s.loc != nil {
		loc = s.loc
		t = t.In(loc)
	}
	// start at the next whole second; a field that has to move resets the smaller
	// ones, once
	t = t.Add(time.Second - time.Duration(t.Nanosecond()))
	moved := false
	yearLimit := t.Year() + 5

wrap:
	if t.Year() > yearLimit {
		return time.Time{}
	}
	for 1<<uint(t.Month())&s.month == 0 {
		if !moved {
			moved = true
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		}
		t = t.AddDate(0, 1, 0)
		if t.Month() == time.January {
			goto wrap
		}
	}
	for !s.dayMatches(t) {
		if !moved {
			moved = true
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		}
		t = t.AddDate(0, 0, 1)
		// where daylight saving skips midnight the day starts at 1:00 (or the
		// previous one ends at 23:00): bring it back to midnight
		if h := t.Hour(); h != 0 {
			if h > 12 {
				t = t.Add(time.Duration(24-h) * time.Hour)
			} else {
				t = t.Add(time.Duration(-h) * time.Hour)
			}
		}
		if t.Day() == 1 {
			goto wrap
		}
	}
	for 1<<uint(t.Hour())&s.hour == 0 {
		if !moved {
			moved = true
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
		}
		t = t.Add(time.Hour)
		if t.Hour() == 0 {
			goto wrap
		}
	}
	for 1<<uint(t.Minute())&s.minute == 0 {
		if !moved {
			moved = true
			t = t.Truncate(time.Minute)
		}
		t = t.Add(time.Minute)
		if t.Minute() == 0 {
			goto wrap
		}
	}
	// runs fall on second 0
	for t.Second() != 0 {
		if !moved {
			moved = true
			t = t.Truncate(time.Second)
		}
		t = t.Add(time.Second)
		if t.Second() == 0 {
			goto wrap
		}
	}
	return t.In(orig)
}

// dayMatches reports whether t's day is one of the schedule's: both the day of
// month and the day of week must match when either is *, and either will do when
// both are restricted (as in crontab).
func (s Schedule) dayMatches(t time.Time) bool {
	domMatch := 1<<uint(t.Day())&s.dom != 0
	dowMatch := 1<<uint(t.Weekday())&s.dow != 0
	if s.dom&starBit != 0 || s.dow&starBit != 0 {
		return domMatch && dowMatch
	}
	return domMatch || dowMatch
}

package bots

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"crowdbot/core"
)

// Command is a parsed command line: /name@bot positional "quoted args" key=value.
type Command struct {
	Name string // lowercased, without the slash
	Bot  string // the @botname suffix Telegram adds in groups, if any
	Args []Arg
	Opts map[string]string // key=value options, keys lowercased
	raw  string
}

// Arg is one positional argument.
type Arg struct {
	Value  string
	Quoted bool // the member quoted it, so it is never read as a flag
	start  int  // byte offset in the raw line, for Rest
}

// maxCommandLine bounds what the parser reads; longer lines are refused.
const maxCommandLine = 16 << 10

// ParseCommand reads a command line. It returns false when text is not a command (no
// leading slash, or no name).
func ParseCommand(text string) (*Command, bool) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	if !strings.HasPrefix(text, "/") || len(text) > maxCommandLine || !utf8.ValidString(text) {
		return nil, false
	}
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		end = len(text)
	}
	head := text[1:end]
	name, bot, _ := strings.Cut(head, "@")
	name = strings.ToLower(name)
	if !validName(name) {
		return nil, false
	}
	c := &Command{Name: name, Bot: bot, Opts: map[string]string{}, raw: text}
	i := end
	for {
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if i >= len(text) {
			break
		}
		start := i
		val, quoted, next := readToken(text, i)
		i = next
		if !quoted {
			if k, v, ok := strings.Cut(val, "="); ok && validName(strings.ToLower(k)) {
				// key=value, or key="quoted value"
				if v == "" && i < len(text) {
					if r, _ := utf8.DecodeRuneInString(text[i:]); core.QuoteCloser(r) != 0 {
						v, _, i = readToken(text, i)
					}
				}
				c.Opts[strings.ToLower(k)] = v
				continue
			}
		}
		c.Args = append(c.Args, Arg{Value: val, Quoted: quoted, start: start})
	}
	return c, true
}

// readToken reads one token at i: a quoted string (with \" escapes) or a run of
// non-space characters that may contain key="quoted value".
func readToken(text string, i int) (val string, quoted bool, next int) {
	r, size := utf8.DecodeRuneInString(text[i:])
	if closing := core.QuoteCloser(r); closing != 0 {
		var b strings.Builder
		j := i + size
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if r == '\\' && j+size < len(text) {
				n, nsize := utf8.DecodeRuneInString(text[j+size:])
				if core.QuoteCloser(n) != 0 || n == closing || n == '\\' {
					b.WriteRune(n)
					j += size + nsize
					continue
				}
			}
			if core.EndsQuote(closing, r) {
				return b.String(), true, j + size
			}
			b.WriteRune(r)
			j += size
		}
		// an unclosed quote runs to the end of the line
		return b.String(), true, j
	}
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) {
			break
		}
		if r == '=' && j+size < len(text) {
			if q, _ := utf8.DecodeRuneInString(text[j+size:]); core.QuoteCloser(q) != 0 {
				// key="value with spaces": stop after '=' and let the caller read the quote
				return text[i : j+size], false, j + size
			}
		}
		j += size
	}
	return text[i:j], false, j
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Arg returns positional argument i, or "".
func (c *Command) Arg(i int) string {
	if i < 0 || i >= len(c.Args) {
		return ""
	}
	return c.Args[i].Value
}

// NArg returns how many positional arguments there are.
func (c *Command) NArg() int { return len(c.Args) }

// Rest returns the text from positional argument i to the end of the line, as typed.
// When that is a single quoted argument, its unquoted value is returned. Options given
// as key=value before argument i are not included; ones after it are.
func (c *Command) Rest(i int) string {
	if i >= len(c.Args) {
		return ""
	}
	if i == len(c.Args)-1 && c.Args[i].Quoted {
		return c.Args[i].Value
	}
	if c.raw == "" {
		// built by an adapter: join the values
		vals := make([]string, 0, len(c.Args)-i)
		for _, a := range c.Args[i:] {
			vals = append(vals, a.Value)
		}
		return strings.Join(vals, " ")
	}
	return strings.TrimSpace(c.raw[c.Args[i].start:])
}

// Flag removes an unquoted positional argument equal to name (a bare flag such as
// "anonymous") or an option name=true, and reports whether it was there.
func (c *Command) Flag(name string) bool {
	if v, ok := c.Opts[name]; ok {
		delete(c.Opts, name)
		b, err := strconv.ParseBool(v)
		return v == "" || err == nil && b
	}
	for i, a := range c.Args {
		if !a.Quoted && strings.EqualFold(a.Value, name) {
			c.Args = append(c.Args[:i:i], c.Args[i+1:]...)
			return true
		}
	}
	return false
}

// NewCommand builds a command from values an adapter parsed itself (Discord's typed
// options). Every argument counts as quoted.
func NewCommand(name string, args []string, opts map[string]string) *Command {
	c := &Command{Name: strings.ToLower(name), Opts: map[string]string{}}
	for _, a := range args {
		c.Args = append(c.Args, Arg{Value: a, Quoted: true})
	}
	for k, v := range opts {
		c.Opts[strings.ToLower(k)] = v
	}
	return c
}

// ParseDuration reads a duration as people type it: "90m", "48h", "3d", "2w", "1d12h".
// It refuses zero, negative and absurd (over ten years) durations.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	text := s
	bad := core.Errorf(core.EINVALID, "error.bad_duration", "text", text)
	if s == "" {
		return 0, bad
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i > 6 || i == len(s) {
			return 0, bad
		}
		n, _ := strconv.Atoi(s[:i])
		unit := s[i]
		s = s[i+1:]
		var d time.Duration
		switch unit {
		case 's':
			d = time.Second
		case 'm':
			d = time.Minute
		case 'h':
			d = time.Hour
		case 'd':
			d = 24 * time.Hour
		case 'w':
			d = 7 * 24 * time.Hour
		default:
			return 0, bad
		}
		const longest = 10 * 365 * 24 * time.Hour
		if time.Duration(n) > longest/d || total+time.Duration(n)*d > longest {
			return 0, core.Errorf(core.EINVALID, "error.duration_too_long", "text", text)
		}
		total += time.Duration(n) * d
	}
	if total <= 0 {
		return 0, bad
	}
	return total, nil
}

// ParseDeadline reads a deadline: a duration from now ("48h", "3d"), a date
// ("2026-12-24", the end of that day in loc) or a date and time ("2026-12-24T18:00"
// or "2026-12-24 18:00" in loc, or RFC 3339 with its own offset). A deadline that is
// not in the future is refused.
func ParseDeadline(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	if d, err := ParseDuration(s); err == nil {
		t = now.Add(d)
	} else if core.AsError(err).Key == "error.duration_too_long" {
		return time.Time{}, err
	} else if v, err := time.Parse(time.RFC3339, s); err == nil {
		t = v
	} else if v, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		t = v
	} else if v, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		t = v
	} else if v, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		t = v.AddDate(0, 0, 1).Add(-time.Minute)
	} else {
		return time.Time{}, core.Errorf(core.EINVALID, "error.bad_deadline", "text", s)
	}
	if !t.After(now) {
		return time.Time{}, core.Errorf(core.EINVALID, "error.deadline_past")
	}
	return t.UTC(), nil
}

// Action is a parsed action id: a verb and its fields, "iv:123" -> {iv, [123]}.
type Action struct {
	Verb   string
	Fields []string
}

// ParseAction splits an action id.
func ParseAction(id string) Action {
	parts := strings.Split(id, ":")
	return Action{Verb: parts[0], Fields: parts[1:]}
}

// Field returns field i, or "".
func (a Action) Field(i int) string {
	if i < 0 || i >= len(a.Fields) {
		return ""
	}
	return a.Fields[i]
}

// Int returns field i as an int64, or -1 when it is not a number.
func (a Action) Int(i int) int64 {
	n, err := strconv.ParseInt(a.Field(i), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// ActionID joins a verb and fields into an action id.
func ActionID(verb string, fields ...any) string {
	var b strings.Builder
	b.WriteString(verb)
	for _, f := range fields {
		b.WriteByte(':')
		switch v := f.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			panic("bots.ActionID: field of unsupported type")
		}
	}
	return b.String()
}

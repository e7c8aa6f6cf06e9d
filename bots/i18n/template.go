package i18n

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// fastParser renders the catalogs' messages without text/template on the way every
// reply takes: a message made only of text, {{.name}}, and {{if .name}} ... {{else}}
// ... {{end}} (which is every message of the catalogs) becomes a list of parts, run
// against the arguments' map directly. Whatever else a message holds, or an argument
// text/template would print in a way of its own (a pointer, a nil), goes to
// text/template, so the words come out the same either way (TestFastTemplates holds
// the two to that, message by message).
type fastParser struct{ text template.TextParser }

func (p *fastParser) Cacheable() bool { return true }

func (p *fastParser) Parse(src, left, right string) (template.ParsedTemplate, error) {
	slow, err := p.text.Parse(src, left, right)
	if err != nil || (left != "" && left != "{{") || (right != "" && right != "}}") {
		return slow, err
	}
	parts, ok := parseParts(src)
	if !ok {
		return slow, nil
	}
	return &fastTemplate{parts: parts, slow: slow}, nil
}

// part is one piece of a message: text, an argument, or a condition on one.
type part struct {
	text      string
	arg       string // {{.arg}}, or with then/els {{if .arg}}
	cond      bool
	then, els []part
}

// parseParts splits src into parts, or reports false for anything beyond the subset.
func parseParts(src string) ([]part, bool) {
	parts, rest, end, ok := parseUntil(src)
	if !ok || end != "" || rest != "" {
		return nil, false
	}
	return parts, true
}

// parseUntil reads parts up to an {{else}} or {{end}} of the enclosing {{if}}, and
// returns what follows it and which it was ("" at the end of src).
func parseUntil(src string) (parts []part, rest, end string, ok bool) {
	for src != "" {
		i := strings.Index(src, "{{")
		if i < 0 {
			parts = append(parts, part{text: src})
			return parts, "", "", true
		}
		if i > 0 {
			parts = append(parts, part{text: src[:i]})
		}
		j := strings.Index(src[i:], "}}")
		if j < 0 {
			return nil, "", "", false
		}
		action := src[i+2 : i+j]
		src = src[i+j+2:]
		if strings.HasPrefix(action, "-") || strings.HasSuffix(action, "-") || strings.Contains(action, "{{") {
			return nil, "", "", false // trim markers and the like: text/template's
		}
		fields := strings.Fields(action)
		switch {
		case len(fields) == 1 && (fields[0] == "else" || fields[0] == "end"):
			return parts, src, fields[0], true
		case len(fields) == 1 && argName(fields[0]):
			parts = append(parts, part{arg: fields[0][1:]})
		case len(fields) == 2 && fields[0] == "if" && argName(fields[1]):
			p := part{arg: fields[1][1:], cond: true}
			var end string
			if p.then, src, end, ok = parseUntil(src); !ok {
				return nil, "", "", false
			}
			if end == "else" {
				if p.els, src, end, ok = parseUntil(src); !ok {
					return nil, "", "", false
				}
			}
			if end != "end" {
				return nil, "", "", false
			}
			parts = append(parts, p)
		default:
			return nil, "", "", false
		}
	}
	return parts, "", "", true
}

// argName reports whether f is a plain .name.
func argName(f string) bool {
	if len(f) < 2 || f[0] != '.' {
		return false
	}
	for i, r := range f[1:] {
		letter := r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

type fastTemplate struct {
	parts []part
	slow  template.ParsedTemplate
}

func (t *fastTemplate) Execute(data any) (string, error) {
	args, ok := data.(map[string]any)
	if !ok {
		return t.slow.Execute(data)
	}
	var b strings.Builder
	if !render(&b, t.parts, args) {
		return t.slow.Execute(data)
	}
	return b.String(), nil
}

// render writes parts with args, or reports false when an argument is one it leaves
// to text/template.
func render(b *strings.Builder, parts []part, args map[string]any) bool {
	for _, p := range parts {
		switch {
		case p.cond:
			truth, ok := isTrue(args[p.arg])
			if !ok {
				return false
			}
			next := p.els
			if truth {
				next = p.then
			}
			if !render(b, next, args) {
				return false
			}
		case p.arg != "":
			v, present := args[p.arg]
			if !present {
				b.WriteString("<no value>") // as text/template writes a missing key
				continue
			}
			switch v := v.(type) {
			case string:
				b.WriteString(v)
			case int:
				b.WriteString(strconv.Itoa(v))
			case int64:
				b.WriteString(strconv.FormatInt(v, 10))
			case nil:
				return false
			default:
				switch reflect.ValueOf(v).Kind() {
				case reflect.Pointer, reflect.Chan, reflect.Func, reflect.Interface, reflect.UnsafePointer:
					return false
				}
				fmt.Fprint(b, v)
			}
		default:
			b.WriteString(p.text)
		}
	}
	return true
}

// isTrue is text/template's truth of an argument, or false ok for one it leaves to it.
func isTrue(v any) (truth, ok bool) {
	switch v := v.(type) {
	case nil:
		return false, true // a missing argument
	case string:
		return v != "", true
	case int:
		return v != 0, true
	case bool:
		return v, true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return r.Len() > 0, true
	case reflect.Bool:
		return r.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int() != 0, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return r.Uint() != 0, true
	case reflect.Float32, reflect.Float64:
		return r.Float() != 0, true
	case reflect.Struct:
		return true, true
	}
	return false, false
}

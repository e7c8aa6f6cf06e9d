package dcfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The checks below hold payloads to the limits in Discord's documentation; a payload
// that breaks one is refused with 400, as Discord would, and the test sees why.

// checkResponse checks an interaction response.
func checkResponse(body []byte) string {
	var r struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "response is not JSON"
	}
	var data map[string]any
	if len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, &data); err != nil {
			return "data is not an object"
		}
	}
	switch r.Type {
	case 1, 6:
		return ""
	case 5:
		if f, ok := data["flags"].(float64); ok && int(f)&^64 != 0 {
			return "a deferred response may only be ephemeral"
		}
		return ""
	case 4, 7:
		if data == nil {
			return "a message response needs data"
		}
		return checkMessageMap(data, 0, r.Type == 7)
	case 8:
		choices, _ := data["choices"].([]any)
		if len(choices) > 25 {
			return "more than 25 choices"
		}
		for _, c := range choices {
			cm, _ := c.(map[string]any)
			name, _ := cm["name"].(string)
			if n := units(name); n < 1 || n > 100 {
				return fmt.Sprintf("choice name of %d characters", n)
			}
			if v, ok := cm["value"].(string); ok && units(v) > 100 {
				return "choice value over 100 characters"
			}
		}
		return ""
	case 9:
		return checkModal(data)
	}
	return fmt.Sprintf("unknown response type %d", r.Type)
}

func checkModal(d map[string]any) string {
	id, _ := d["custom_id"].(string)
	if n := units(id); n < 1 || n > 100 {
		return fmt.Sprintf("modal custom_id of %d characters", n)
	}
	title, _ := d["title"].(string)
	if n := units(title); n < 1 || n > 45 {
		return fmt.Sprintf("modal title of %d characters", n)
	}
	rows, _ := d["components"].([]any)
	if len(rows) < 1 || len(rows) > 5 {
		return fmt.Sprintf("modal with %d rows", len(rows))
	}
	for _, r := range rows {
		row, _ := r.(map[string]any)
		if row["type"] != float64(1) {
			return "modal row is not an action row"
		}
		cs, _ := row["components"].([]any)
		if len(cs) != 1 {
			return "modal row without exactly one text input"
		}
		in, _ := cs[0].(map[string]any)
		if in["type"] != float64(4) {
			return "modal component is not a text input"
		}
		label, _ := in["label"].(string)
		if n := units(label); n < 1 || n > 45 {
			return fmt.Sprintf("text input label of %d characters", n)
		}
		if s, _ := in["style"].(float64); s != 1 && s != 2 {
			return "text input style is not 1 or 2"
		}
		if m, ok := in["max_length"].(float64); ok && (m < 1 || m > 4000) {
			return "text input max_length out of 1..4000"
		}
		if cid, _ := in["custom_id"].(string); cid == "" || units(cid) > 100 {
			return "text input custom_id empty or too long"
		}
	}
	return ""
}

// checkMessage checks a message body (create or edit).
func checkMessage(body []byte, files int, edit bool) string {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return "message is not a JSON object"
	}
	return checkMessageMap(m, files, edit)
}

func checkMessageMap(m map[string]any, files int, edit bool) string {
	content, _ := m["content"].(string)
	if units(content) > 2000 {
		return fmt.Sprintf("content of %d characters", units(content))
	}
	embeds, _ := m["embeds"].([]any)
	if len(embeds) > 10 {
		return fmt.Sprintf("%d embeds", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		em, _ := e.(map[string]any)
		d, _ := em["description"].(string)
		if units(d) > 4096 {
			return fmt.Sprintf("embed description of %d characters", units(d))
		}
		t, _ := em["title"].(string)
		if units(t) > 256 {
			return "embed title over 256 characters"
		}
		fields, _ := em["fields"].([]any)
		if len(fields) > 25 {
			return "more than 25 embed fields"
		}
		total += units(d) + units(t)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			n, _ := fm["name"].(string)
			v, _ := fm["value"].(string)
			total += units(n) + units(v)
		}
	}
	if total > 6000 {
		return fmt.Sprintf("embeds of %d characters in all", total)
	}
	rows, _ := m["components"].([]any)
	if len(rows) > 5 {
		return fmt.Sprintf("%d action rows", len(rows))
	}
	ids := map[string]bool{}
	for _, r := range rows {
		row, _ := r.(map[string]any)
		if row["type"] != float64(1) {
			return "top-level component is not an action row"
		}
		cs, _ := row["components"].([]any)
		if len(cs) < 1 || len(cs) > 5 {
			return fmt.Sprintf("action row with %d components", len(cs))
		}
		for _, c := range cs {
			b, _ := c.(map[string]any)
			if b["type"] != float64(2) {
				return "component in a message row is not a button"
			}
			label, _ := b["label"].(string)
			_, emoji := b["emoji"].(map[string]any)
			if units(label) > 80 || label == "" && !emoji {
				return fmt.Sprintf("button label of %d characters", units(label))
			}
			style, _ := b["style"].(float64)
			url, _ := b["url"].(string)
			id, _ := b["custom_id"].(string)
			switch {
			case style < 1 || style > 6:
				return "button style out of 1..6"
			case style == 5 && (url == "" || id != ""):
				return "a link button needs a url and no custom_id"
			case style != 5 && (id == "" || url != ""):
				return "a button needs a custom_id and no url"
			case units(id) > 100:
				return fmt.Sprintf("custom_id of %d characters", units(id))
			case id != "" && ids[id]:
				return "custom_id " + id + " used twice in a message"
			}
			ids[id] = true
		}
	}
	if !edit && content == "" && len(embeds) == 0 && len(rows) == 0 && files == 0 {
		return "cannot send an empty message"
	}
	if am, ok := m["allowed_mentions"].(map[string]any); ok {
		if p, ok := am["parse"]; ok && p != nil {
			if _, ok := p.([]any); !ok {
				return "allowed_mentions.parse is not an array"
			}
		}
	}
	return ""
}

var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// locales are the locales Discord takes in localizations.
var locales = map[string]bool{"id": true, "da": true, "de": true, "en-GB": true, "en-US": true, "es-ES": true, "es-419": true,
	"fr": true, "hr": true, "it": true, "lt": true, "hu": true, "nl": true, "no": true, "pl": true, "pt-BR": true, "ro": true,
	"fi": true, "sv-SE": true, "vi": true, "tr": true, "cs": true, "el": true, "bg": true, "ru": true, "uk": true, "hi": true,
	"th": true, "zh-CN": true, "ja": true, "zh-TW": true, "ko": true}

// checkCommand checks a chat input command.
func checkCommand(cmd map[string]any) string {
	if t, ok := cmd["type"].(float64); ok && t != 1 {
		return "only chat input commands are expected"
	}
	sizes := map[string]int{}
	if p := checkNamed(cmd, "command", sizes); p != "" {
		return p
	}
	opts, _ := cmd["options"].([]any)
	return checkOptions(opts, 0, sizes)
}

// checkNamed checks the name and description of a command or option and their
// localizations, and counts their characters per locale.
func checkNamed(x map[string]any, what string, sizes map[string]int) string {
	name, _ := x["name"].(string)
	if !commandName.MatchString(name) || strings.ToLower(name) != name {
		return fmt.Sprintf("%s name %q is not lowercase and 1-32 letters, digits, - or _", what, name)
	}
	desc, _ := x["description"].(string)
	if n := units(desc); n < 1 || n > 100 {
		return fmt.Sprintf("%s %s: description of %d characters", what, name, n)
	}
	sizes[""] += units(name) + units(desc)
	names, _ := x["name_localizations"].(map[string]any)
	for l, v := range names {
		s, _ := v.(string)
		if !locales[l] {
			return fmt.Sprintf("%s %s: unknown locale %q", what, name, l)
		}
		if !commandName.MatchString(s) || strings.ToLower(s) != s {
			return fmt.Sprintf("%s %s: %s name %q is not valid", what, name, l, s)
		}
	}
	descs, _ := x["description_localizations"].(map[string]any)
	for l, v := range descs {
		s, _ := v.(string)
		if !locales[l] {
			return fmt.Sprintf("%s %s: unknown locale %q", what, name, l)
		}
		if n := units(s); n < 1 || n > 100 {
			return fmt.Sprintf("%s %s: %s description of %d characters", what, name, l, n)
		}
	}
	for _, l := range []string{"fr", "it"} {
		n, _ := names[l].(string)
		d, _ := descs[l].(string)
		if n == "" {
			n = name
		}
		if d == "" {
			d = desc
		}
		sizes[l] += units(n) + units(d)
	}
	for l, n := range sizes {
		if n > 8000 {
			return fmt.Sprintf("command text over 8000 characters (%s)", l)
		}
	}
	return ""
}

// checkOptions checks options at one level: at most 25, unique names, subcommands
// not mixed with plain options, required ones before optional ones.
func checkOptions(opts []any, depth int, sizes map[string]int) string {
	if len(opts) > 25 {
		return fmt.Sprintf("%d options", len(opts))
	}
	subs, plain := 0, 0
	optional := false
	names := map[string]bool{}
	localNames := map[string]bool{}
	for _, o := range opts {
		om, _ := o.(map[string]any)
		if p := checkNamed(om, "option", sizes); p != "" {
			return p
		}
		name, _ := om["name"].(string)
		if names[name] {
			return "two options named " + name
		}
		names[name] = true
		if ln, ok := om["name_localizations"].(map[string]any); ok {
			for l, v := range ln {
				k := l + ":" + fmt.Sprint(v)
				if localNames[k] {
					return fmt.Sprintf("two options named %v in %s", v, l)
				}
				localNames[k] = true
			}
		}
		t, _ := om["type"].(float64)
		switch t {
		case 1, 2:
			subs++
			if depth > 0 && t == 1 && depth > 1 || t == 2 && depth > 0 {
				return "subcommands nested too deep"
			}
			inner, _ := om["options"].([]any)
			if p := checkOptions(inner, depth+1, sizes); p != "" {
				return name + ": " + p
			}
			continue
		case 3, 4, 5, 6, 7, 8, 9, 10, 11:
			plain++
		default:
			return fmt.Sprintf("option %s: unknown type %v", name, t)
		}
		req, _ := om["required"].(bool)
		if req && optional {
			return "required option " + name + " after an optional one"
		}
		optional = optional || !req
		choices, _ := om["choices"].([]any)
		auto, _ := om["autocomplete"].(bool)
		if auto && len(choices) > 0 {
			return "option " + name + " has choices and autocomplete"
		}
		if len(choices) > 25 {
			return "option " + name + " has more than 25 choices"
		}
		if len(choices) > 0 && t != 3 && t != 4 && t != 10 {
			return "option " + name + " has choices but is not a string or a number"
		}
		for _, c := range choices {
			cm, _ := c.(map[string]any)
			n, _ := cm["name"].(string)
			if u := units(n); u < 1 || u > 100 {
				return "choice name of " + fmt.Sprint(u) + " characters"
			}
			for l, v := range mapOf(cm["name_localizations"]) {
				if s, _ := v.(string); !locales[l] || units(s) < 1 || units(s) > 100 {
					return "bad choice name localization " + l
				}
			}
			sizes[""] += units(n) + units(fmt.Sprint(cm["value"]))
		}
	}
	if subs > 0 && plain > 0 {
		return "subcommands mixed with plain options"
	}
	return ""
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

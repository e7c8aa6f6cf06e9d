// Package i18n holds crowdbot's words: message catalogs in English, French and
// Italian, embedded in the binary, and the translator that renders a key with its
// arguments in a member's language, plurals included.
//
// Catalogs live in catalog/AREA.LANG.yaml, one file per area and language, an area
// named as its Go file in package bots (house, idea, poll, fundraiser, task, ...), the
// fronts' after their packages (telegram, discord, web). A message is a string, or a
// map of plural forms (one, other, and for some languages many) chosen by the "count"
// argument. Arguments are written {{.name}}.
//
// Besides the kinds' areas, two areas hold what they share: house (help, languages,
// campaigns and their life, the errors every kind can meet) and spread (share links,
// the leaderboard, progress posts, reminders). A card is an announcement in a kind's
// own shape (poll.card: a poll with its tally); a front is one place people reach the
// bot (Telegram, Discord, the web), and the areas telegram, discord and web hold the
// words only one front uses.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"crowdbot/core"
)

//go:embed catalog/*.yaml
var catalogFS embed.FS

// Catalog renders message keys. It is safe for concurrent use.
type Catalog struct {
	localizers map[string]*i18n.Localizer
	keys       map[string]bool
	plural     map[string]bool // keys with plural forms
	parser     *fastParser
}

// Load parses the embedded catalogs.
func Load() (*Catalog, error) {
	return load(catalogFS, "catalog")
}

// MustLoad is Load for program start-up and tests, where a broken catalog is a bug.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func load(fsys fs.FS, dir string) (*Catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	keys, plural := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := bundle.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		for _, m := range mf.Messages {
			keys[m.ID] = true
			if m.One != "" || m.Many != "" || m.Few != "" || m.Two != "" || m.Zero != "" {
				plural[m.ID] = true
			}
		}
	}
	c := &Catalog{localizers: map[string]*i18n.Localizer{}, keys: keys, plural: plural, parser: &fastParser{}}
	for _, l := range core.Locales {
		c.localizers[l] = i18n.NewLocalizer(bundle, l, "en")
	}
	return c, nil
}

// Has reports whether key is in the catalogs.
func (c *Catalog) Has(key string) bool { return c.keys[key] }

// Keys lists every key, sorted.
func (c *Catalog) Keys() []string {
	out := make([]string, 0, len(c.keys))
	for k := range c.keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// T renders key in locale with args. A "count" argument picks the plural form. An
// unknown locale falls back to English; an unknown key renders as the key itself, so a
// gap shows instead of vanishing (and the catalog test catches it).
func (c *Catalog) T(locale, key string, args map[string]any) string {
	loc, ok := c.localizers[locale]
	if !ok {
		loc = c.localizers["en"]
	}
	cfg := &i18n.LocalizeConfig{MessageID: key, TemplateData: args, TemplateParser: c.parser}
	if n, ok := args["count"]; ok && c.plural[key] {
		if f, isFloat := n.(float64); isFloat && f == float64(int64(f)) {
			n = int64(f) // a count that went through JSON
		}
		cfg.PluralCount = n
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return key
	}
	return s
}

// Placeholders returns the argument names a message uses, for the catalog test.
func Placeholders(msg string) []string {
	var out []string
	for {
		i := strings.Index(msg, "{{")
		if i < 0 {
			break
		}
		msg = msg[i+2:]
		j := strings.Index(msg, "}}")
		if j < 0 {
			break
		}
		inner := strings.TrimSpace(msg[:j])
		msg = msg[j+2:]
		for _, f := range strings.Fields(inner) {
			if strings.HasPrefix(f, ".") && len(f) > 1 {
				out = append(out, f[1:])
			}
		}
	}
	sort.Strings(out)
	return out
}

package picture

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crowdbot/bots/i18n"
	"crowdbot/core"
)

var (
	update = flag.Bool("update", false, "rewrite the golden pictures in testdata")
	dump   = flag.String("dump", "", "write every test picture to this folder, to look at them")
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func painter(t testing.TB) *Painter {
	t.Helper()
	p, err := New(i18n.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func campaign(k core.Kind, title string, left time.Duration) *core.Campaign {
	c := &core.Campaign{ID: 7, Code: "k7Fq2", Kind: k, Title: title, State: core.StateOpen, TimeZone: "Europe/Rome"}
	if left != 0 {
		d := now.Add(left)
		c.ClosesAt, c.DeadlineAt = &d, &d
	}
	return c
}

func eur(cents int64) core.Money { return core.Money{Amount: cents, Currency: "EUR"} }

// samples has hand-made progress for every kind, with edge cases: long and
// non-Latin labels, emoji, zero votes, a goal passed, many options.
func samples() map[string]struct {
	c *core.Campaign
	p *core.Progress
} {
	type s = struct {
		c *core.Campaign
		p *core.Progress
	}
	many := make([]core.OptionTally, 12)
	for i := range many {
		many[i] = core.OptionTally{Label: fmt.Sprintf("Option %d", i+1), Votes: i * 7}
	}
	return map[string]s{
		"poll": {campaign(core.KindPoll, "Which flavour next summer?", 72*time.Hour), &core.Progress{Kind: core.KindPoll,
			Poll: &core.PollProgress{Ballots: 45, Options: []core.OptionTally{{Label: "Pistachio", Votes: 30}, {Label: "Lemon", Votes: 15}, {Label: "Mango 🥭", Votes: 0}}}}},
		"poll_hidden": {campaign(core.KindPoll, "Secret ballot", 5*time.Hour), &core.Progress{Kind: core.KindPoll,
			Poll: &core.PollProgress{Ballots: 1200, Hidden: true, Options: []core.OptionTally{{Label: "Yes", Votes: 0}, {Label: "No", Votes: 0}}}}},
		"poll_many": {campaign(core.KindPoll, "Пицца или паста? A very long title that surely does not fit on one line of the picture", 0),
			&core.Progress{Kind: core.KindPoll, Poll: &core.PollProgress{Ballots: 462, Options: many}}},
		"poll_empty": {campaign(core.KindPoll, "🎉🎉🎉", 0), &core.Progress{Kind: core.KindPoll, Poll: &core.PollProgress{}}},
		"ideas": {campaign(core.KindIdeas, "Next flavour", 10*24*time.Hour), &core.Progress{Kind: core.KindIdeas,
			Ideas: &core.IdeasProgress{Ideas: 23, Votes: 140, Top: []core.Idea{
				{ID: 12, Text: "Pistachio and lemon, with a little salt on top to bring out the nuts", Votes: 40},
				{ID: 3, Text: "Mango sorbet", Votes: 31}, {ID: 9, Text: "Dark chocolate", Votes: 20},
				{ID: 14, Text: "Fior di latte", Votes: 11}, {ID: 2, Text: "Café crème brûlée", Votes: 1}}}}},
		"ideas_empty": {campaign(core.KindIdeas, "Empty board", 0), &core.Progress{Kind: core.KindIdeas, Ideas: &core.IdeasProgress{}}},
		"fundraiser": {campaign(core.KindFundraiser, "A new roof for the club", 12*24*time.Hour), &core.Progress{Kind: core.KindFundraiser,
			Fundraiser: &core.FundraiserProgress{Raised: eur(1234567), Goal: eur(2000000), Backers: 87, Percent: 61, Spent: eur(20000)}}},
		"fundraiser_over": {campaign(core.KindFundraiser, "Stars for the stream", 30*time.Minute), &core.Progress{Kind: core.KindFundraiser,
			Fundraiser: &core.FundraiserProgress{Raised: core.Money{Amount: 1500, Currency: "XTR"}, Goal: core.Money{Amount: 1000, Currency: "XTR"}, Backers: 1, Percent: 150}}},
		"tasks": {campaign(core.KindTasks, "Caption the archive", 48*time.Hour), &core.Progress{Kind: core.KindTasks,
			Tasks: &core.TasksProgress{Items: 1200, Settled: 370, Answers: 2511}}},
		"contest": {campaign(core.KindContest, "Logo contest", 3*24*time.Hour), &core.Progress{Kind: core.KindContest,
			Contest: &core.ContestProgress{Entries: 18, Votes: 1000000}}},
	}
}

// TestEveryKindEveryLocale draws every kind in every language and each edge case in
// one: each is a PNG of the picture's size, and the languages differ.
func TestEveryKindEveryLocale(t *testing.T) {
	p := painter(t)
	edge := 0
	for name, s := range samples() {
		var prev []byte
		locales := core.Locales
		if strings.Contains(name, "_") {
			// edge cases in one language each, in turn: rendering is slow under -race
			locales = []string{core.Locales[edge%len(core.Locales)]}
			edge++
		}
		for _, locale := range locales {
			b, err := p.Progress(s.c, s.p, locale, now)
			if err != nil {
				t.Fatalf("%s %s: %v", name, locale, err)
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
			if err != nil || format != "png" || cfg.Width != Width || cfg.Height != Height {
				t.Fatalf("%s %s: %s %dx%d, %v", name, locale, format, cfg.Width, cfg.Height, err)
			}
			if prev != nil && bytes.Equal(prev, b) && name != "poll_empty" {
				t.Errorf("%s: %s looks the same as the language before", name, locale)
			}
			prev = b
			if *dump != "" {
				if err := os.WriteFile(filepath.Join(*dump, name+"."+locale+".png"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// a campaign that ended says so instead of the time left
	s := samples()["fundraiser"]
	c := *s.c
	c.State = core.StateFunded
	if got := p.timeLeft(&c, "it", now); got != "Finanziata" {
		t.Errorf("ended label %q", got)
	}
	for _, st := range []core.State{core.StateClosed, core.StateFunded, core.StateFailed, core.StateCancelled} {
		c.State = st
		for _, l := range core.Locales {
			if got := p.timeLeft(&c, l, now); got == "picture.ended."+string(st) {
				t.Errorf("no label for %s in %s", st, l)
			}
		}
	}
}

// decode reads a PNG into RGBA pixels.
func decode(t *testing.T, b []byte) *image.RGBA {
	t.Helper()
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(im.Bounds())
	draw.Draw(out, out.Bounds(), im, im.Bounds().Min, draw.Src)
	return out
}

func same(im *image.RGBA, x, y int, want color.RGBA) bool {
	c := im.RGBAAt(x, y)
	return c.R == want.R && c.G == want.G && c.B == want.B
}

// TestPollBars measures the poll chart's bars in the pixels: they start on one zero
// axis, their lengths are proportional to the votes, and an option without votes
// has no bar. Hidden results draw no bar at all.
func TestPollBars(t *testing.T) {
	p := painter(t)
	s := samples()["poll"]
	im := decode(t, must(p.Progress(s.c, s.p, "en", now)))
	opts := s.p.Poll.Options
	rowH := rowHeight(len(opts), contentTop, contentBase)
	top := math.Round(contentTop + (contentBase-contentTop-rowH*float64(len(opts)))/2)
	l := Bars(len(opts), top, contentBase)
	var lengths []int
	for i := range opts {
		_, y, _, h := l.Row(i, 1, 1)
		row := int(y + h/2)
		start, n := -1, 0
		for x := 0; x < Width; x++ {
			if same(im, x, row, BarColor) {
				if start < 0 {
					start = x
				}
				n++
			}
		}
		if n > 0 && start != int(l.X0) {
			t.Errorf("bar %d starts at x=%d, the axis is at %v", i, start, l.X0)
		}
		lengths = append(lengths, n)
	}
	full := int(l.X1 - l.X0)
	if lengths[0] < full-1 || lengths[0] > full+1 {
		t.Errorf("the leading bar is %d px, want the full %d", lengths[0], full)
	}
	if math.Abs(float64(lengths[1])-float64(lengths[0])/2) > 1.5 {
		t.Errorf("15 votes of 30 drew %d px against %d", lengths[1], lengths[0])
	}
	if lengths[2] != 0 {
		t.Errorf("an option without votes drew %d px", lengths[2])
	}
	// the axis is drawn left of the bars, from the first row to the last
	if !same(im, int(l.X0)-2, int(l.Top)+2, axis) || !same(im, int(l.X0)-2, int(l.Top+3*l.RowH)-2, axis) {
		t.Error("no zero axis")
	}

	h := samples()["poll_hidden"]
	hidden := decode(t, must(p.Progress(h.c, h.p, "en", now)))
	b := hidden.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if same(hidden, x, y, BarColor) {
				t.Fatalf("hidden results drew a bar pixel at %d,%d", x, y)
			}
		}
	}
}

// TestPollGolden compares the poll chart with the reviewed picture in testdata.
// Anti-aliasing may differ by a few pixels between architectures (fused
// multiply-add), so up to 0.5% of pixels may differ slightly; the layout may not.
func TestPollGolden(t *testing.T) {
	p := painter(t)
	s := samples()["poll"]
	got := must(p.Progress(s.c, s.p, "en", now))
	path := filepath.Join("testdata", "poll.en.png")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	a, b := decode(t, got), decode(t, want)
	if a.Bounds() != b.Bounds() {
		t.Fatalf("size %v, golden %v", a.Bounds(), b.Bounds())
	}
	differ := 0
	for i := 0; i < len(a.Pix); i += 4 {
		if absDiff(a.Pix[i], b.Pix[i]) > 32 || absDiff(a.Pix[i+1], b.Pix[i+1]) > 32 || absDiff(a.Pix[i+2], b.Pix[i+2]) > 32 {
			differ++
		}
	}
	if limit := Width * Height / 200; differ > limit {
		t.Errorf("%d pixels differ from %s (at most %d may); look at the new picture with -dump, and -update if it is right", differ, path, limit)
	}
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestKey changes with the numbers, the language and the day, and only then.
func TestKey(t *testing.T) {
	p := painter(t)
	s := samples()["fundraiser"]
	k := p.Key(s.c, s.p, "en", now)
	if k != p.Key(s.c, s.p, "en", now.Add(time.Minute)) {
		t.Error("the key moved within the same day left")
	}
	if k == p.Key(s.c, s.p, "fr", now) {
		t.Error("the key ignores the language")
	}
	if k == p.Key(s.c, s.p, "en", now.Add(24*time.Hour)) {
		t.Error("the key ignores the days left")
	}
	more := *s.p.Fundraiser
	more.Backers++
	if k == p.Key(s.c, &core.Progress{Kind: core.KindFundraiser, Fundraiser: &more}, "en", now) {
		t.Error("the key ignores the numbers")
	}
}

// TestDrawable drops what the font cannot draw and keeps the rest.
func TestDrawable(t *testing.T) {
	p := painter(t)
	cv := p.newCanvas("en", BarColor)
	defer cv.close()
	for in, want := range map[string]string{
		"Mango 🥭 sorbet":     "Mango sorbet",
		"Crème brûlée":       "Crème brûlée",
		"Пицца":              "Пицца",
		"12\u202f345\u00a0€": "12 345 €",
		"🎉🎉":                 "",
		"  a\tb\n c ":        "a b c",
	} {
		if got := cv.drawable(in); got != want {
			t.Errorf("drawable(%q) = %q, want %q", in, got, want)
		}
	}
	cv.face(false, 32)
	long := "A very long label that cannot possibly fit in the little room it is given here"
	got := cv.fit(long, 300)
	if w, _ := cv.dc.MeasureString(got); w > 300 || got[len(got)-3:] != "…" {
		t.Errorf("fit gave %q, %v px", got, w)
	}
}

// BenchmarkProgress draws a poll chart: go test -bench . ./bots/picture/
func BenchmarkProgress(b *testing.B) {
	p := painter(b)
	s := samples()["poll"]
	for b.Loop() {
		if _, err := p.Progress(s.c, s.p, "en", now); err != nil {
			b.Fatal(err)
		}
	}
}

// count returns how many pixels of im have colour c.
func count(im *image.RGBA, c color.RGBA) int {
	n := 0
	b := im.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if same(im, x, y, c) {
				n++
			}
		}
	}
	return n
}

// TestOutcome: a fundraiser that missed its goal is not drawn in the green of
// success; a closed contest names its winner, or says it has none; a closed poll
// names its result.
func TestOutcome(t *testing.T) {
	p := painter(t)
	s := samples()["fundraiser"]
	green := accents[core.KindFundraiser]
	for st, wantGreen := range map[core.State]bool{core.StateOpen: true, core.StateFunded: true, core.StateFailed: false, core.StateCancelled: false} {
		c := *s.c
		c.State = st
		b, err := p.Progress(&c, s.p, "en", now)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(decode(t, b), green); (n > 0) != wantGreen {
			t.Errorf("%s: %d green pixels", st, n)
		}
	}

	draw := func(c *core.Campaign, pr *core.Progress) []byte {
		t.Helper()
		b, err := p.Progress(c, pr, "fr", now)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ks := samples()["contest"]
	closed := *ks.c
	closed.State = core.StateClosed
	open := draw(ks.c, ks.p)
	none := draw(&closed, ks.p)
	won := &core.Progress{Kind: core.KindContest, Contest: &core.ContestProgress{Entries: 18, Votes: 1000000, Winner: "Sunny wave"}}
	winner := draw(&closed, won)
	// below the header: the open contest's bottom is blank, the closed one's is not
	footer := func(b []byte) []uint8 {
		im := decode(t, b)
		return im.Pix[im.PixOffset(0, int(contentTop)+360):]
	}
	if bytes.Equal(none, winner) || bytes.Equal(footer(open), footer(none)) {
		t.Error("a closed contest draws no outcome")
	}
	if p.Key(&closed, ks.p, "fr", now) == p.Key(&closed, won, "fr", now) {
		t.Error("the winner does not change the picture's key")
	}

	ps := samples()["poll"]
	pc := *ps.c
	pc.State = core.StateClosed
	if bytes.Equal(draw(ps.c, ps.p), draw(&pc, ps.p)) {
		t.Error("a closed poll draws no result")
	}
	if got := (&canvas{p: p, locale: "it"}).pollOutcome(&core.PollProgress{Options: []core.OptionTally{{Label: "a", Votes: 1}, {Label: "b", Votes: 3}}}); got != "Vincitore: b" {
		t.Errorf("poll result: %q", got)
	}
	if got := (&canvas{p: p, locale: "fr"}).pollOutcome(&core.PollProgress{Options: []core.OptionTally{{Label: "a", Votes: 2}, {Label: "b", Votes: 2}}}); got != "Égalité : a, b" {
		t.Errorf("poll tie: %q", got)
	}
}

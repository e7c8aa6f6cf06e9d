// Package picture draws campaign progress images: one PNG per campaign kind (a
// fundraiser's bar toward its goal, a poll's bars, an ideas board's top five, a task
// job's settled items, a contest's entries and votes), sized for chat previews and
// readable on a phone, with labels in the reader's language.
//
// Text is set in the Go fonts (golang.org/x/image/font/gofont), embedded in the
// binary. They cover Latin, Greek and Cyrillic scripts and common symbols; characters
// they lack (emoji, CJK, most other scripts) are left out of the picture rather than
// drawn as empty boxes, and a label with nothing left shows "…".
package picture

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/fogleman/gg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"crowdbot/bots/i18n"
	"crowdbot/core"
)

// The picture's size: 16:9, the shape Telegram and Discord preview in full.
const (
	Width  = 1200
	Height = 675
)

// Painter draws progress pictures. It is safe for concurrent use.
type Painter struct {
	cat           *i18n.Catalog
	regular, bold *opentype.Font
}

// New returns a Painter whose labels come from cat.
func New(cat *i18n.Catalog) (*Painter, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("picture: regular font: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("picture: bold font: %w", err)
	}
	return &Painter{cat: cat, regular: regular, bold: bold}, nil
}

// Key returns a key that changes whenever the picture would: the campaign's shown
// fields, its numbers, the language and the time-left label.
func (p *Painter) Key(c *core.Campaign, pr *core.Progress, locale string, now time.Time) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00", c.ID, c.Code, c.Kind, c.Title, c.State, locale)
	fmt.Fprintf(h, "%s\x00", p.timeLeft(c, locale, now))
	_ = json.NewEncoder(h).Encode(pr) // plain data, always encodes
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Progress draws the progress picture of campaign c with numbers pr, labelled in
// locale, with the time left counted from now. It returns a PNG.
func (p *Painter) Progress(c *core.Campaign, pr *core.Progress, locale string, now time.Time) ([]byte, error) {
	if pr == nil {
		return nil, fmt.Errorf("picture: no progress for %s", c.Code)
	}
	accent := accents[c.Kind]
	switch c.State {
	case core.StateFailed:
		// a fundraiser that missed its goal is not drawn in its success colour
		accent = failedColor
	case core.StateCancelled:
		accent = muted
	}
	cv := p.newCanvas(locale, accent)
	cv.ended = c.State.Final()
	defer cv.close()
	cv.header(c, p.timeLeft(c, locale, now))
	switch {
	case pr.Poll != nil:
		cv.poll(pr.Poll)
	case pr.Ideas != nil:
		cv.ideas(pr.Ideas)
	case pr.Fundraiser != nil:
		cv.fundraiser(pr.Fundraiser)
	case pr.Tasks != nil:
		cv.tasks(pr.Tasks)
	case pr.Contest != nil:
		cv.contest(pr.Contest)
	}
	var buf bytes.Buffer
	// a flat picture compresses well even at the fastest level, which is several
	// times faster than the default
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, cv.dc.Image()); err != nil {
		return nil, fmt.Errorf("picture: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// timeLeft says how long the campaign has left: its state once it ended, days or
// hours to its next deadline, or "" without one.
func (p *Painter) timeLeft(c *core.Campaign, locale string, now time.Time) string {
	if c.State.Final() {
		return p.cat.T(locale, "picture.ended."+string(c.State), nil)
	}
	deadline := c.DeadlineAt
	if deadline == nil {
		deadline = c.ClosesAt
	}
	if deadline == nil {
		return ""
	}
	left := deadline.Sub(now)
	switch {
	case left <= 0:
		return p.cat.T(locale, "picture.closing", nil)
	case left < 24*time.Hour:
		return p.cat.T(locale, "picture.hours_left", map[string]any{"count": int(math.Ceil(left.Hours()))})
	default:
		return p.cat.T(locale, "picture.days_left", map[string]any{"count": int(math.Ceil(left.Hours() / 24))})
	}
}

// Colours.
var (
	background = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	ink        = color.RGBA{0x11, 0x18, 0x27, 0xFF}
	muted      = color.RGBA{0x4B, 0x55, 0x63, 0xFF}
	track      = color.RGBA{0xE5, 0xE7, 0xEB, 0xFF}
	axis       = color.RGBA{0x37, 0x41, 0x51, 0xFF}
	// BarColor fills the bars of polls and ideas boards.
	BarColor = color.RGBA{0x25, 0x63, 0xEB, 0xFF}
	// failedColor marks a fundraiser that did not reach its goal.
	failedColor = color.RGBA{0xB9, 0x1C, 0x1C, 0xFF}
	accents     = map[core.Kind]color.RGBA{
		core.KindIdeas:      {0xD9, 0x77, 0x06, 0xFF},
		core.KindPoll:       {0x1E, 0x3A, 0x8A, 0xFF},
		core.KindContest:    {0x7C, 0x3A, 0xED, 0xFF},
		core.KindFundraiser: {0x05, 0x96, 0x69, 0xFF},
		core.KindTasks:      {0xDC, 0x26, 0x26, 0xFF},
	}
)

// Layout, in pixels.
const (
	pad         = 56.0
	contentTop  = 200.0
	footerLine  = Height - 44.0
	contentBase = Height - 100.0
	minLabel    = 26.0
)

// canvas is one picture being drawn.
type canvas struct {
	p      *Painter
	dc     *gg.Context
	locale string
	accent color.RGBA
	ended  bool // the campaign is over: its outcome is shown
	faces  map[faceKey]font.Face
	cur    font.Face
	buf    sfnt.Buffer
}

type faceKey struct {
	bold bool
	size float64
}

func (p *Painter) newCanvas(locale string, accent color.RGBA) *canvas {
	if accent == (color.RGBA{}) {
		accent = BarColor
	}
	cv := &canvas{p: p, dc: gg.NewContext(Width, Height), locale: locale, accent: accent, faces: map[faceKey]font.Face{}}
	cv.dc.SetColor(background)
	cv.dc.Clear()
	return cv
}

func (cv *canvas) close() {
	for _, f := range cv.faces {
		_ = f.Close()
	}
}

// t renders a label in the picture's language.
func (cv *canvas) t(key string, args ...any) string {
	return cv.p.cat.T(cv.locale, key, core.Args(args...))
}

// count renders a label about n things: the form is chosen by n, and n is shown
// with the locale's thousands separator.
func (cv *canvas) count(key string, n int) string {
	return cv.t(key, "count", n, "n", cv.number(n))
}

// face sets the font for the next text.
func (cv *canvas) face(bold bool, size float64) {
	k := faceKey{bold, math.Round(size)}
	f, ok := cv.faces[k]
	if !ok {
		src := cv.p.regular
		if bold {
			src = cv.p.bold
		}
		var err error
		f, err = opentype.NewFace(src, &opentype.FaceOptions{Size: k.size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			// the embedded fonts always make faces; keep drawing with the last one
			return
		}
		cv.faces[k] = f
	}
	cv.cur = f
	cv.dc.SetFontFace(f)
}

// drawable keeps the characters the font has, turning any space into a plain one
// and folding runs of spaces.
func (cv *canvas) drawable(s string) string {
	var b strings.Builder
	space := false
	for _, r := range core.CleanLine(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if i, err := cv.p.regular.GlyphIndex(&cv.buf, r); err != nil || i == 0 {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// fit returns s as drawn, shortened with "…" to at most width pixels in the current
// font.
func (cv *canvas) fit(s string, width float64) string {
	s = cv.drawable(s)
	if s == "" {
		return "…"
	}
	if w, _ := cv.dc.MeasureString(s); w <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if w, _ := cv.dc.MeasureString(strings.TrimRight(string(r[:mid]), " ") + "…"); w <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}

// shrink sets the largest font, from size down to a third of it, in which s fits
// width; big numbers get smaller rather than cut.
func (cv *canvas) shrink(s string, bold bool, size, width float64) {
	s = cv.drawable(s)
	for sz := size; sz > size/3; sz -= 4 {
		cv.face(bold, sz)
		if w, _ := cv.dc.MeasureString(s); w <= width {
			return
		}
	}
}

// text draws s in the current font at (x, y) anchored by (ax, ay) as gg's
// DrawStringAnchored does, within width. It draws the glyphs straight onto the
// picture (gg resamples each glyph, which is many times slower for the same result
// without a transform).
func (cv *canvas) text(s string, x, y, ax, ay, width float64, c color.Color) {
	s = cv.fit(s, width)
	w, h := cv.dc.MeasureString(s)
	x -= ax * w
	y += ay * h
	d := font.Drawer{Dst: cv.dc.Image().(*image.RGBA), Src: image.NewUniform(c), Face: cv.cur,
		Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}}
	d.DrawString(s)
}

// header draws the accent band, the kind and code, the time left and the title.
func (cv *canvas) header(c *core.Campaign, left string) {
	dc := cv.dc
	dc.SetColor(cv.accent)
	dc.DrawRectangle(0, 0, Width, 14)
	dc.Fill()
	w := Width - 2*pad
	cv.face(true, 32)
	leftW := 0.0
	if left != "" {
		leftW, _ = dc.MeasureString(cv.fit(left, w/2))
		cv.text(left, Width-pad, 78, 1, 0, w/2, cv.accent)
	}
	cv.face(false, 32)
	cv.text(capitalize(cv.t("kind."+string(c.Kind)))+" · "+c.Code, pad, 78, 0, 0, w-leftW-24, muted)
	cv.face(true, 56)
	cv.text(c.Title, pad, 152, 0, 0, w, ink)
}

// footer draws a line of totals at the bottom.
func (cv *canvas) footer(parts ...string) {
	cv.face(false, 32)
	cv.text(strings.Join(parts, " · "), pad, footerLine, 0, 0, Width-2*pad, muted)
}

// BarLayout is where a list of bars goes: rows of RowH from Top, bars from the zero
// axis at X0 up to X1 for the largest value, each BarH high and centred in its row.
type BarLayout struct {
	Top, RowH, BarH float64
	X0, X1          float64
	LabelW, Font    float64
}

// Bars returns the layout of n bars between top and bottom.
func Bars(n int, top, bottom float64) BarLayout {
	l := BarLayout{Top: top, RowH: rowHeight(n, top, bottom)}
	l.Font = math.Max(minLabel, math.Min(36, l.RowH*0.44))
	l.BarH = math.Round(l.RowH * 0.58)
	l.LabelW = math.Round((Width - 2*pad) * 0.36)
	l.X0 = pad + l.LabelW + 20
	l.X1 = Width - pad - 200
	return l
}

// rowHeight is the height of each of n rows between top and bottom.
func rowHeight(n int, top, bottom float64) float64 {
	return math.Min(96, (bottom-top)/float64(max(n, 1)))
}

// Row returns the pixel rectangle of bar i for value v of at most most.
func (l BarLayout) Row(i, v, most int) (x, y, w, h float64) {
	y = math.Round(l.Top + float64(i)*l.RowH + (l.RowH-l.BarH)/2)
	if most > 0 && v > 0 {
		w = math.Round((l.X1 - l.X0) * float64(v) / float64(most))
	}
	return l.X0, y, w, l.BarH
}

type barItem struct {
	label string
	value int
	note  string // shown after the bar
}

// bars draws labelled horizontal bars from a common zero axis; without values
// (hidden results) only the labels and empty tracks.
func (cv *canvas) bars(items []barItem, top, bottom float64, values bool) {
	dc := cv.dc
	l := Bars(len(items), top, bottom)
	most := 0
	for _, it := range items {
		most = max(most, it.value)
	}
	for i, it := range items {
		x, y, w, h := l.Row(i, it.value, most)
		mid := y + h/2
		cv.face(false, l.Font)
		cv.text(it.label, l.X0-20, mid, 1, 0.35, l.LabelW, ink)
		dc.SetColor(track)
		dc.DrawRectangle(x, y, l.X1-l.X0, h)
		dc.Fill()
		if !values {
			continue
		}
		if w > 0 {
			dc.SetColor(BarColor)
			dc.DrawRectangle(x, y, w, h)
			dc.Fill()
		}
		cv.face(true, l.Font)
		cv.text(it.note, l.X1+16, mid, 0, 0.35, Width-pad-l.X1-16, ink)
	}
	// the zero axis every bar starts from
	dc.SetColor(axis)
	dc.DrawRectangle(l.X0-3, l.Top, 3, l.RowH*float64(len(items)))
	dc.Fill()
}

// maxBars bounds how many options or ideas a picture lists.
const maxBars = 10

func (cv *canvas) poll(p *core.PollProgress) {
	counts := make([]int, len(p.Options))
	total := 0
	for i, o := range p.Options {
		counts[i] = o.Votes
		total += o.Votes
	}
	shares := core.Shares(counts)
	opts := p.Options
	more := 0
	if len(opts) > maxBars {
		more = len(opts) - maxBars
		opts = opts[:maxBars]
	}
	items := make([]barItem, len(opts))
	for i, o := range opts {
		items[i] = barItem{label: o.Label, value: o.Votes, note: cv.number(o.Votes) + " · " + cv.t("picture.percent", "percent", cv.number(shares[i]))}
	}
	if len(items) == 0 {
		cv.empty(cv.t("picture.no_votes"))
	} else {
		// a short list sits in the middle of the space
		top := math.Round(contentTop + (contentBase-contentTop-rowHeight(len(items), contentTop, contentBase)*float64(len(items)))/2)
		cv.bars(items, top, contentBase, !p.Hidden)
	}
	parts := []string{cv.count("picture.voters", p.Ballots)}
	if p.Hidden {
		parts = append(parts, cv.t("picture.hidden"))
	}
	if cv.ended && !p.Hidden && total > 0 {
		// nobody voted is said already
		parts = append(parts, cv.pollOutcome(p))
	}
	if more > 0 {
		parts = append(parts, cv.count("picture.more_options", more))
	}
	cv.footer(parts...)
}

// pollOutcome names a closed poll's winner, or its tie.
func (cv *canvas) pollOutcome(p *core.PollProgress) string {
	best := 0
	for _, o := range p.Options {
		best = max(best, o.Votes)
	}
	var top []string
	for _, o := range p.Options {
		if o.Votes == best {
			top = append(top, o.Label)
		}
	}
	if len(top) == 1 {
		return cv.t("picture.winner", "label", top[0])
	}
	return cv.t("picture.tie", "labels", strings.Join(top, ", "))
}

func (cv *canvas) ideas(p *core.IdeasProgress) {
	top := p.Top
	if len(top) > 5 {
		top = top[:5]
	}
	if len(top) == 0 {
		cv.empty(cv.t("picture.no_ideas"))
	} else {
		cv.face(true, 30)
		cv.text(cv.t("picture.top_ideas"), pad, contentTop+4, 0, 0, Width-2*pad, muted)
		items := make([]barItem, len(top))
		for i, idea := range top {
			items[i] = barItem{label: "#" + strconv.FormatInt(idea.ID, 10) + " " + idea.Text, value: idea.Votes, note: cv.number(idea.Votes)}
		}
		cv.bars(items, contentTop+24, contentBase, true)
	}
	cv.footer(cv.count("picture.ideas", p.Ideas), cv.count("picture.votes", p.Votes))
}

func (cv *canvas) fundraiser(p *core.FundraiserProgress) {
	dc := cv.dc
	w := Width - 2*pad
	raised := p.Raised.Format(cv.locale)
	pct := cv.t("picture.percent", "percent", cv.number(p.Percent))
	cv.shrink(pct, true, 88, w/3)
	pw, _ := dc.MeasureString(cv.fit(pct, w/3))
	cv.text(pct, Width-pad, contentTop+84, 1, 0, w/3, cv.accent)
	cv.shrink(raised, true, 88, w-pw-40)
	cv.text(raised, pad, contentTop+84, 0, 0, w-pw-40, ink)
	cv.face(false, 34)
	if p.Goal.Amount > 0 {
		cv.text(cv.t("picture.raised_of", "goal", p.Goal.Format(cv.locale)), pad, contentTop+140, 0, 0, w, muted)
	} else {
		cv.text(cv.t("picture.raised"), pad, contentTop+140, 0, 0, w, muted)
	}
	cv.progressBar(contentTop+176, float64(p.Percent)/100)
	parts := []string{cv.count("picture.backers", p.Backers)}
	if p.Spent.Amount > 0 {
		parts = append(parts, cv.t("picture.spent", "amount", p.Spent.Format(cv.locale)))
	}
	cv.face(true, 40)
	cv.text(strings.Join(parts, " · "), pad, contentTop+330, 0, 0, w, ink)
}

func (cv *canvas) tasks(p *core.TasksProgress) {
	w := Width - 2*pad
	big := cv.number(p.Settled) + " / " + cv.number(p.Items)
	cv.shrink(big, true, 96, w)
	cv.text(big, pad, contentTop+96, 0, 0, w, ink)
	cv.face(false, 34)
	cv.text(cv.count("picture.items_settled", p.Items), pad, contentTop+150, 0, 0, w, muted)
	frac := 0.0
	if p.Items > 0 {
		frac = float64(p.Settled) / float64(p.Items)
	}
	cv.progressBar(contentTop+186, frac)
	cv.face(true, 40)
	cv.text(cv.count("picture.answers", p.Answers), pad, contentTop+340, 0, 0, w, ink)
}

func (cv *canvas) contest(p *core.ContestProgress) {
	dc := cv.dc
	gap := 40.0
	tileW := (Width - 2*pad - gap) / 2
	tiles := []struct {
		n   int
		key string
	}{{p.Entries, "picture.entries_label"}, {p.Votes, "picture.votes_label"}}
	for i, t := range tiles {
		x := pad + float64(i)*(tileW+gap)
		dc.SetColor(track)
		dc.DrawRoundedRectangle(x, contentTop+10, tileW, 340, 24)
		dc.Fill()
		cv.shrink(cv.number(t.n), true, 120, tileW-40)
		cv.text(cv.number(t.n), x+tileW/2, contentTop+200, 0.5, 0, tileW-40, cv.accent)
		cv.face(false, 40)
		cv.text(cv.t(t.key, "count", t.n), x+tileW/2, contentTop+280, 0.5, 0, tileW-40, ink)
	}
	switch {
	case p.Winner != "":
		cv.face(true, 36)
		cv.text(cv.t("picture.winner", "label", p.Winner), pad, footerLine, 0, 0, Width-2*pad, cv.accent)
	case cv.ended:
		cv.footer(cv.t("picture.no_winner"))
	}
}

// progressBar draws a wide rounded bar filled to frac (0..1, more is shown full).
func (cv *canvas) progressBar(y, frac float64) {
	dc := cv.dc
	h := 72.0
	w := Width - 2*pad
	dc.SetColor(track)
	dc.DrawRoundedRectangle(pad, y, w, h, h/2)
	dc.Fill()
	frac = math.Max(0, math.Min(1, frac))
	if frac > 0 {
		fw := math.Max(h, w*frac)
		dc.SetColor(cv.accent)
		dc.DrawRoundedRectangle(pad, y, fw, h, h/2)
		dc.Fill()
	}
}

// empty draws a centred note where the content would be.
func (cv *canvas) empty(note string) {
	cv.face(false, 40)
	cv.text(note, Width/2, (contentTop+contentBase)/2, 0.5, 0.5, Width-2*pad, muted)
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// number writes n with the locale's thousands separator.
func (cv *canvas) number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	switch cv.locale {
	case "fr":
		sep = " "
	case "it":
		sep = "."
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

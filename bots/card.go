package bots

import (
	"context"
	"slices"
	"strings"
	"sync"

	"crowdbot/bots/picture"
	"crowdbot/core"
)

// CardFunc renders an announcement of a kind's own shape for one destination's
// language: a poll with its vote buttons and current tally, a contest entry with its
// vote button. It is called at delivery time, and again when a posted card is
// refreshed, so it shows the numbers of that moment.
type CardFunc func(ctx context.Context, a core.Announcement, locale string) (Reply, error)

// Card renders an outbox announcement: the card registered for its key when there
// is one, else the key's text with its arguments, with the campaign's progress image
// when the announcement asks for it. A progress image comes with its PNG.
func (r *Router) Card(ctx context.Context, a core.Announcement, locale string) (Reply, error) {
	req := &Request{Locale: locale}
	if f, ok := r.cards[a.Key]; ok {
		rep, err := f(ctx, a, locale)
		if err != nil {
			return Reply{}, err
		}
		return r.cardImage(ctx, r.render(req, []Reply{rep})[0], locale), nil
	}
	rep := Reply{Msg: Msg{Key: a.Key, Args: a.Args}}
	if a.Image == "progress" && a.CampaignID != 0 {
		c, err := r.svc.CampaignByID(ctx, a.CampaignID)
		if err != nil {
			return Reply{}, err
		}
		rep.Image = ProgressImage(c.Code)
	}
	return r.cardImage(ctx, r.render(req, []Reply{rep})[0], locale), nil
}

// cardImage fills in a card's progress picture. A picture that cannot be drawn is
// logged and left out: the announcement's text still goes.
func (r *Router) cardImage(ctx context.Context, rep Reply, locale string) Reply {
	if err := r.fillImage(ctx, &rep, locale); err != nil {
		r.log.Error("progress image", "err", err)
		rep.Image = nil
	}
	return rep
}

// ProgressImage is the reference to a campaign's progress image; the Router fills in
// the picture for platforms that upload it, the web links to Path.
func ProgressImage(code string) *Image {
	return &Image{Name: "progress.png", Path: "/c/" + code + "/progress.png"}
}

// progressCode returns the campaign code of a progress image reference, or "".
func progressCode(im *Image) string {
	if im == nil {
		return ""
	}
	code, ok := strings.CutPrefix(im.Path, "/c/")
	if !ok {
		return ""
	}
	code, ok = strings.CutSuffix(code, "/progress.png")
	if !ok || !core.ValidCode(code) {
		return ""
	}
	return code
}

// fillImage draws the PNG of a reply's progress image when it has none yet.
func (r *Router) fillImage(ctx context.Context, rep *Reply, locale string) error {
	code := progressCode(rep.Image)
	if code == "" || rep.Image.PNG != nil {
		return nil
	}
	c, err := r.svc.Campaign(ctx, code)
	if err != nil {
		return err
	}
	png, err := r.ProgressPNG(ctx, c, locale)
	if err != nil {
		return err
	}
	im := *rep.Image
	im.PNG = png
	rep.Image = &im
	return nil
}

// withImages fills in the progress pictures of replies for platforms that upload
// them; the web links to the picture instead. A picture that cannot be drawn is
// logged and left out: the reply's text still goes.
func (r *Router) withImages(ctx context.Context, req *Request, replies []Reply) []Reply {
	if req.In.Platform == core.Web {
		return replies
	}
	for i := range replies {
		replies[i] = r.cardImage(ctx, replies[i], req.Locale)
	}
	return replies
}

// ProgressPNG returns the progress picture of campaign c in locale, drawn from the
// campaign's current progress. Pictures are cached until their numbers, labels or
// language change. The bytes are shared: callers must not change them.
func (r *Router) ProgressPNG(ctx context.Context, c *core.Campaign, locale string) ([]byte, error) {
	if !slices.Contains(core.Locales, locale) {
		locale = core.Locales[0]
	}
	p, err := r.pics.painterFor(r)
	if err != nil {
		return nil, err
	}
	pr, err := r.svc.Progress(ctx, c)
	if err != nil {
		return nil, err
	}
	now := r.svc.Now()
	key := p.Key(c, pr, locale, now)
	if png, ok := r.pics.get(key); ok {
		return png, nil
	}
	png, err := p.Progress(c, pr, locale, now)
	if err != nil {
		return nil, err
	}
	r.pics.put(key, png)
	return png, nil
}

// pictureCacheSize bounds how many pictures the Router keeps (about 30 KB each).
const pictureCacheSize = 256

// pictures is the Router's painter and cache of drawn pictures; its zero value is
// ready to use.
type pictures struct {
	once    sync.Once
	painter *picture.Painter
	err     error

	mu    sync.Mutex
	png   map[string][]byte
	order []string // keys, oldest first
}

func (p *pictures) painterFor(r *Router) (*picture.Painter, error) {
	p.once.Do(func() { p.painter, p.err = picture.New(r.cat) })
	return p.painter, p.err
}

func (p *pictures) get(key string) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	png, ok := p.png[key]
	return png, ok
}

func (p *pictures) put(key string, png []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.png == nil {
		p.png = map[string][]byte{}
	}
	if _, ok := p.png[key]; ok {
		return
	}
	p.png[key] = png
	p.order = append(p.order, key)
	for len(p.order) > pictureCacheSize {
		delete(p.png, p.order[0])
		p.order = p.order[1:]
	}
}

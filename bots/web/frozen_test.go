package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// freezer stands between the bot and Postgres and can stop passing bytes, as a
// server stopped with SIGSTOP does: connections stay open, the kernel takes what is
// sent, and nothing comes back until it thaws.
type freezer struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	thawed *sync.Cond
	frozen bool
	conns  []net.Conn
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	f.thawed = sync.NewCond(&f.mu)
	go f.serve()
	t.Cleanup(func() {
		f.thaw()
		_ = ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			_ = c.Close()
		}
		f.mu.Unlock()
	})
	return f
}

func (f *freezer) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			s, err := net.Dial("tcp", f.target)
			if err != nil {
				_ = c.Close()
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c, s)
			f.mu.Unlock()
			go f.pipe(s, c)
			f.pipe(c, s)
		}()
	}
}

// pipe copies from src to dst, holding each chunk while frozen.
func (f *freezer) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			f.mu.Lock()
			for f.frozen {
				f.thawed.Wait()
			}
			f.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) freeze() { f.mu.Lock(); f.frozen = true; f.mu.Unlock() }

func (f *freezer) thaw() {
	f.mu.Lock()
	f.frozen = false
	f.mu.Unlock()
	f.thawed.Broadcast()
}

// TestFrozenDatabase: with Postgres not answering, a vote through /api/chat is
// answered within the request deadline with 503, Retry-After and a translated text
// that says it may not have been recorded, and /healthz says 503; once it answers
// again, every vote that was acknowledged is in the tally, and voting works.
func TestFrozenDatabase(t *testing.T) {
	dsn := storagetest.PostgresSchemaDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	f := newFreezer(t, u.Host)
	u.Host = f.ln.Addr().String()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	ctx := context.Background()
	db, err := storage.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const deadline = time.Second
	h := botstest.On(t, db, func(o *bots.Options) { o.Deadline = deadline })
	e := newEnvOn(t, h)
	b := e.browser()

	b.say("alice", `/campaign new ideas "Better bikes" closes=7d`)
	c := e.newest()
	b.say("alice", "/idea "+c.Code+" More bike lanes")
	vote := button(t, b.say("alice", "/ideas "+c.Code)[0], "iv:")
	press := func(member string) (int, http.Header, map[string]any) {
		res := b.do(http.MethodPost, "/api/chat", strings.NewReader(`{"member":"`+member+`","action":"`+vote+`"}`), "Content-Type", "application/json")
		return res.StatusCode, res.Header, decode(t, res.Body)
	}
	acked := 0
	for _, m := range []string{"bob", "carol", "dave"} {
		if code, _, out := press(m); code != http.StatusOK {
			t.Fatalf("%s votes: %d %v", m, code, out)
		}
		acked++
	}

	f.freeze()
	unconfirmed := 0
	for _, m := range []string{"erin", "fay", "gus"} {
		code, header, out := press(m)
		if code != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
			t.Fatalf("%s votes with the database frozen: %d (Retry-After %q) %v", m, code, header.Get("Retry-After"), out)
		}
		if msg, _ := out["error"].(string); msg != e.tr("en", "error.unavailable") {
			t.Fatalf("%s is told %q", m, msg)
		}
		unconfirmed++
	}
	if res := b.get("/healthz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database frozen: %d", res.StatusCode)
	}
	f.thaw()

	// the pool mends: within a few tries of the bot's own deadline, it answers again
	for try := 0; ; try++ {
		if res := b.get("/healthz"); res.StatusCode == http.StatusOK {
			break
		}
		if try == 100 {
			t.Fatal("the bot did not recover after the database answered again")
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, _, out := press("hana")
	for try := 0; code != http.StatusOK && try < 20; try++ {
		time.Sleep(100 * time.Millisecond)
		code, _, out = press("hana")
	}
	if code != http.StatusOK {
		t.Fatalf("a vote after the thaw: %d %v", code, out)
	}
	acked++
	// a vote that was in a batch when its caller gave up may have landed since; none
	// acknowledged is missing
	var votes int
	for try := 0; ; try++ {
		idea, err := db.Idea(ctx, ideaID(t, db, c))
		if err != nil {
			t.Fatal(err)
		}
		votes = idea.Votes
		if votes >= acked || try == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if votes < acked || votes > acked+unconfirmed {
		t.Fatalf("the idea has %d votes: %d were acknowledged, %d unconfirmed", votes, acked, unconfirmed)
	}
}

// ideaID is the id of the campaign's first idea.
func ideaID(t *testing.T, db *storage.DB, c *core.Campaign) int64 {
	t.Helper()
	n, err := db.QueryInt(context.Background(), "SELECT MIN(id) FROM ideas WHERE campaign_id = ?", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFailuresAre5xx: a request the bot could not carry out is never answered 200: an
// internal failure is 500, a database out of time or reach 503 with Retry-After, each
// with its translated text, and neither is told that nothing was lost.
func TestFailuresAre5xx(t *testing.T) {
	store := &botstest.Trouble{DB: storagetest.SQLite(t)}
	h := botstest.On(t, store.DB, func(o *bots.Options) {
		o.Service = core.NewService(store, core.NewFakeClock(botstest.Start), botstest.Settings())
		o.Deadline = 200 * time.Millisecond
	})
	e := newEnvOn(t, h)
	b := e.browser()
	for _, c := range []struct {
		trouble int32
		status  int
		key     string
	}{{botstest.Broken, http.StatusInternalServerError, "error.internal"}, {botstest.Stalled, http.StatusServiceUnavailable, "error.unavailable"}} {
		for _, locale := range core.Locales {
			store.Set(c.trouble)
			res := b.do(http.MethodPost, "/api/chat", strings.NewReader(`{"member":"alice","text":"/campaign list","locale":"`+locale+`"}`), "Content-Type", "application/json")
			store.Set(botstest.Fine)
			out := decode(t, res.Body)
			if res.StatusCode != c.status || out["error"] != e.tr(locale, c.key) {
				t.Errorf("%s in %s: %d %v", c.key, locale, res.StatusCode, out)
			}
			if wantRetry := c.status == http.StatusServiceUnavailable; (res.Header.Get("Retry-After") != "") != wantRetry {
				t.Errorf("%s: Retry-After %q", c.key, res.Header.Get("Retry-After"))
			}
		}
	}
	if _, out := b.chat(map[string]any{"member": "alice", "text": "/campaign list"}); out["error"] != nil {
		t.Fatalf("after the trouble: %v", out)
	}
}

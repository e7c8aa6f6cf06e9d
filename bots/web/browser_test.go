package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"crowdbot/bots/botstest"
	"crowdbot/core"
)

// chromiumNames are the commands a Chromium may be installed as.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// newBrowser starts a headless Chromium for the test, or skips the test when none is
// installed. Every console error and uncaught exception in its pages is collected,
// to fail the test at the end: a page blocked by its own Content-Security-Policy, a
// script error or a missing file all show there.
func newBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	exe := ""
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Skip("browser test skipped: no Chromium installed (Debian: apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(390, 844), // a phone
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// the first run starts the browser; it must not carry a timeout of its own
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// step is one thing a member does in the playground and what the bot must answer.
type step struct {
	who   string // the name typed in the name box
	say   string // a message to send; {code} is the campaign's code
	press string // or the action prefix of a button in the bot's last reply
	want  string // a regular expression the bot's last reply must match
}

// chatIn plays steps in the playground page open in ctx. code is filled in after
// the first step from the newest campaign.
func chatIn(t *testing.T, ctx context.Context, e *env, steps []step) (code string) {
	t.Helper()
	wait := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", expr, err)
		}
	}
	const answers = `document.querySelectorAll("#log .msg.bot, #log .msg.failed")`
	for i, s := range steps {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](answers+`.length`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#member"), s.who)); err != nil {
			t.Fatal(err)
		}
		if s.press != "" {
			click := `(() => { const ms = document.querySelectorAll("#log .msg.bot"); const b = ms[ms.length-1].querySelector('button[data-action^="` + s.press + `"]'); if (!b) return false; b.click(); return true })()`
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](click))
			if err != nil || !ok {
				t.Fatalf("step %d: no button %s* in the last reply (%v)", i, s.press, err)
			}
		} else {
			msg := strings.ReplaceAll(s.say, "{code}", code)
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#text"), msg), chromedp.Click(chromedp.CSS("#send"))); err != nil {
				t.Fatal(err)
			}
		}
		wait(answers + `.length > ` + strconv.Itoa(n))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const ms = `+answers+`; return ms[ms.length-1].innerText })()`))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			code = e.newest().Code
		}
		want := strings.ReplaceAll(s.want, "{code}", regexp.QuoteMeta(code))
		if !regexp.MustCompile(want).MatchString(got) {
			t.Fatalf("step %d (%s: %q%s): the bot showed %q, want /%s/", i, s.who, s.say, s.press, got, want)
		}
	}
	return code
}

// TestBrowser opens the playground in a real headless Chromium, runs a campaign
// there as several members, then opens the campaign's public page and reads the
// progress it shows.
func TestBrowser(t *testing.T) {
	ctx, problems := newBrowser(t)
	e := newEnv(t)
	open := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
	}
	text := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return s
	}

	t.Run("ideas", func(t *testing.T) {
		open("/playground")
		code := chatIn(t, ctx, e, []step{
			{who: "alice", say: `/campaign new ideas "Better bikes" closes=7d Ideas for the town`, want: `“Better bikes”.*{code}`},
			{who: "bob", say: "/idea {code} Protected lanes on the ring road", want: `#1 .*{code}`},
			{who: "carol", say: "/idea {code} Bike parking at the station", want: `#2 .*{code}`},
			{who: "carol", say: "/ideas {code}", want: `Protected lanes`},
			{who: "carol", press: "iv:1", want: `#1: 1 vote`},
			{who: "bob", say: "/campaign new ideas \"Mine\"", want: `Only admins`},
		})

		open("/c/" + code)
		if got := text(`document.querySelector("#progress .summary").innerText`); got != "2 ideas · 1 vote" {
			t.Errorf("progress shown %q", got)
		}
		if got := text(`document.querySelector("#progress ol.top li").innerText`); !strings.Contains(got, "Protected lanes") || !strings.Contains(got, "1 vote") {
			t.Errorf("top idea shown %q", got)
		}
		if got := text(`document.querySelector("h1").innerText`); got != "Better bikes" {
			t.Errorf("title %q", got)
		}
		// the progress image loaded, and the deadline went to the visitor's zone
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("img.progress-image").naturalWidth > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Errorf("progress image: %v", err)
		}
		if got := text(`document.querySelector(".deadline time").title`); got == "" {
			t.Errorf("the deadline was not shown in the visitor's time zone")
		}
		// with the zone's name, so a reader knows which clock it is
		if got := text(`document.querySelector(".deadline time").innerText`); !regexp.MustCompile(`(UTC|GMT|[A-Z]{3,4})([+-]\d+)?$`).MatchString(got) {
			t.Errorf("the deadline %q does not name its time zone", got)
		}

		// the list links to it with the same numbers, and the join button leads back
		open("/")
		if got := text(`document.querySelector('li.card[data-code="` + code + `"] .summary').innerText`); got != "2 ideas · 1 vote" {
			t.Errorf("index shows %q", got)
		}
		open("/c/" + code)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".join a.button")), chromedp.WaitVisible(chromedp.CSS("#chat-form"))); err != nil {
			t.Fatal(err)
		}
		if got := text(`document.querySelector("#text").value`); got != "/ideas "+code {
			t.Errorf("the playground starts with %q", got)
		}
	})

	t.Run("fundraiser", func(t *testing.T) {
		open("/playground")
		code := chatIn(t, ctx, e, []step{
			{who: "alice", say: `/fund new "Park benches" goal="500 EUR" closes=30d`, want: `{code}`},
			{who: "bob", say: "/pledge {code} 25", want: `25`},
			{who: "carol", say: "/pledge {code} 50", want: `50`},
		})
		open("/c/" + code)
		if got := text(`document.querySelector("#progress .summary").innerText`); got != "2 backers" {
			t.Errorf("backers shown %q", got)
		}
		if got := text(`document.querySelector("#progress .bar-label").innerText`); !strings.Contains(got, "75") || !strings.Contains(got, "500") || !strings.Contains(got, "15%") {
			t.Errorf("raised shown %q", got)
		}
		if got := text(`String(document.querySelector("#progress progress").value)`); got != "15" {
			t.Errorf("bar at %s", got)
		}

		// past its deadline it failed: the page says so, in red, invites nobody, and
		// its sections fit a phone's width
		e.h.Clock.Advance(31 * 24 * time.Hour)
		if _, err := e.h.Service.AdvanceDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		open("/c/" + code)
		if got := text(`document.querySelector(".outcome-failed").innerText`); !strings.Contains(got, "Not funded") {
			t.Errorf("outcome shown %q", got)
		}
		if got := text(`String(document.querySelector(".join") === null && document.querySelector("#fund") !== null)`); got != "true" {
			t.Errorf("a failed fundraiser still invites to pledge, or shows no rewards section")
		}
		if got := text(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
			t.Errorf("the closed fundraiser's page scrolls sideways on a phone")
		}
	})

	t.Run("phone", func(t *testing.T) {
		phone(t, ctx)
	})

	if p := problems(); len(p) > 0 {
		t.Errorf("the browser console reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// screenshots returns where the browser test keeps its pictures of the pages:
// $CROWDBOT_SCREENSHOTS when set, to look at after the run, else a directory the
// test removes.
func screenshots(t *testing.T) string {
	if dir := os.Getenv("CROWDBOT_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// phone plays the playground of a local try-out without an admin token at a
// phone's width: messages name who spoke, a picture and a CSV go with messages, the
// entry shows its picture; every page fits the width without sideways scrolling; the
// owner opens the dashboard without a token, and its code column stays whole. Each
// page is kept as a screenshot.
func phone(t *testing.T, ctx context.Context) {
	e := newEnv(t, func(o *Options) { o.AdminToken = "" })
	dir := screenshots(t)
	eval := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// fits: the page is no wider than the screen, and nothing in it scrolls sideways
	fits := func(name string) {
		t.Helper()
		if got := eval(`document.documentElement.scrollWidth + " " + document.documentElement.clientWidth`); func() bool {
			var w, c int
			_, _ = fmt.Sscan(got, &w, &c)
			return w > c
		}() {
			t.Errorf("%s scrolls sideways at a phone's width (page and screen width: %s)", name, got)
		}
		inner := `Array.from(document.querySelectorAll("main *")).filter(el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1).map(el => el.tagName + "." + el.className).join(" ")`
		if got := eval(inner); got != "" {
			t.Errorf("%s has parts that scroll sideways at a phone's width: %s", name, got)
		}
		shot(name)
	}
	open := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
	}
	attach := func(name string, data []byte) {
		t.Helper()
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path})); err != nil {
			t.Fatal(err)
		}
	}

	// a phone's screen (the window alone does not go below 500 pixels)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	open("/playground")
	code := chatIn(t, ctx, e, []step{
		{who: "alice", say: `/contest new "Summer logo" brief="A logo for our summer range" prize="300 EUR" entries_close=7d voting_close=10d`, want: `Summer logo`},
	})
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 240, 160))
	for x := range 240 {
		for y := range 160 {
			img.Set(x, y, color.RGBA{uint8(x), 120, uint8(y), 255})
		}
	}
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	attach("wave.png", pic.Bytes())
	chatIn(t, ctx, e, []step{{who: "bob", say: "/enter " + code + ` "Sunny wave"`, want: `Sunny wave`}})
	chatIn(t, ctx, e, []step{{who: "carol", say: "/entries " + code, want: `Sunny wave`}})
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const ms = document.querySelectorAll("#log .msg.bot"); const i = ms[ms.length-1].querySelector("img"); return !!i && i.naturalWidth === 240 })()`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the entry's picture is not shown: %v", err)
	}
	if got := eval(`document.querySelector("#log .msg.me img") ? "shown" : ""`); got != "shown" {
		t.Errorf("the picture sent is not shown with the message")
	}
	attach("items.csv", []byte("text;media_url\nWhat is in the picture?;https://img.example/1.jpg\nAnd here?;https://img.example/2.jpg\n"))
	chatIn(t, ctx, e, []step{{who: "alice", say: `/tasks new "Captions" answer=text per_item=1`, want: `2 items`}})
	// who spoke, on each message
	if got := eval(`Array.from(document.querySelectorAll("#log .msg .from")).map(f => f.innerText).join(",")`); got != "alice,crowdbot,bob,crowdbot,carol,crowdbot,alice,crowdbot" {
		t.Errorf("the messages are labelled %q", got)
	}
	fits("playground")

	open("/c/" + code)
	fits("campaign")
	open("/")
	fits("index")

	// the try-out's owner has the dashboard without a token
	open("/admin")
	if got := eval(`document.querySelector("h1").innerText`); got != e.tr("en", "web.admin.title") {
		t.Fatalf("/admin shows %q", got)
	}
	oneLine := `(() => { const c = document.querySelector("td.code code, td.code a"); return c ? String(c.getClientRects().length) : "none" })()`
	if got := eval(oneLine); got != "1" {
		t.Errorf("the code column wraps on a phone: %s lines", got)
	}
	fits("admin")
	// a post that kept failing, with a long error, as the outbox page lists it
	h := e.h
	linked := botstest.Code(t, h.Expect(h.Say(botstest.Admin, `/campaign new ideas "Linked"`), "campaign.created"))
	h.Expect(h.Say(botstest.Admin, "/campaign link "+linked), "campaign.linked")
	lc, err := h.Service.Campaign(context.Background(), linked)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Store.Enqueue(context.Background(), h.Clock.Now(), core.CampaignAnnouncement(lc, "announce.closed", "title", lc.Title, "code", lc.Code)); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.Exec(context.Background(), "UPDATE outbox_items SET state = ?, attempts = 8, last_error = ?", string(core.OutboxParked),
		"403 Forbidden: Forbidden: bot was kicked from the supergroup chat -1001234567890 and cannot post there any more"); err != nil {
		t.Fatal(err)
	}
	open("/admin/outbox")
	if got := eval(`String(document.querySelectorAll("table.admin tbody tr").length)`); got == "0" {
		t.Errorf("no parked post listed")
	}
	if got := eval(oneLine); got != "1" {
		t.Errorf("the outbox's code column wraps: %s lines", got)
	}
	fits("outbox")
	// and on a wide screen, where the dashboard is a table
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	open("/admin")
	if got := eval(oneLine); got != "1" {
		t.Errorf("the code column wraps on a wide screen: %s lines", got)
	}
	shot("admin-wide")
	if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
}

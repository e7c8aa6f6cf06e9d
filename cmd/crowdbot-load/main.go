// Command crowdbot-load replays a viral burst against a running crowdbot: many
// clients at once, each request a member the bot has never seen, pressing the vote
// button of one idea or one poll, or pledging to one fundraiser, through the real
// HTTP front (POST /api/chat of a local try-out). It reports the rate, the latency
// percentiles, the bot's memory before and during the burst and its CPU time a
// request (from /metrics: -token sends the admin token as a bearer to the main
// listener, -metrics names the bot's metrics.addr instead), and checks in the
// database that every acknowledged vote was counted exactly once.
//
// The burst's requests go out on connections of the client's own, written from reused
// buffers and answered without decoding the JSON (burstConn), so that the client, which
// shares the machine with the bot and Postgres as pgbench does, takes little of it; it
// reports its own CPU a request beside the bot's.
//
//	crowdbot-load -url http://127.0.0.1:18080 -kind idea -clients 32 -duration 20s \
//	  -token "$CROWDBOT_WEB_ADMIN_TOKEN" \
//	  -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=burst'
//
// docs/bench/burst.sh starts the bot, runs pgbench before and after for the baseline,
// and prints the ratios.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"crowdbot/storage"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18080", "the bot's web address (a local try-out)")
	kind := flag.String("kind", "idea", "what the crowd does: idea (vote for one idea), poll (vote in one poll) or pledge (back one fundraiser)")
	clients := flag.Int("clients", 32, "clients sending at once, each waiting for its answer before the next request")
	duration := flag.Duration("duration", 20*time.Second, "how long the burst lasts")
	dsn := flag.String("db", "", "the bot's database, to count what was stored (optional)")
	token := flag.String("token", "", "the bot's admin token, sent as a bearer to read its memory from /metrics (optional)")
	metrics := flag.String("metrics", "", "the bot's metrics address when it has one of its own (metrics.addr), as http://127.0.0.1:9090; reading it needs no token")
	flag.Parse()
	if err := run(context.Background(), *base, *kind, *clients, *duration, *dsn, *token, *metrics); err != nil {
		fmt.Fprintln(os.Stderr, "crowdbot-load:", err)
		os.Exit(1)
	}
}

// reply is one message of a /api/chat answer.
type reply struct {
	Text    string `json:"text"`
	Buttons []struct {
		Action string `json:"action"`
	} `json:"buttons"`
}

// client talks to the bot's chat API over kept-alive connections.
type client struct {
	base string
	http *http.Client
}

func (c *client) chat(ctx context.Context, member, text, action string) ([]reply, int, error) {
	body, _ := json.Marshal(map[string]string{"member": member, "text": text, "action": action})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/chat", bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	var out struct {
		Replies []reply `json:"replies"`
		Error   string  `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, res.StatusCode, fmt.Errorf("decode answer (%d): %w", res.StatusCode, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, res.StatusCode, fmt.Errorf("%d: %s", res.StatusCode, out.Error)
	}
	return out.Replies, res.StatusCode, nil
}

// target is what the crowd acts on: a request per new member, and how to count what
// landed.
type target struct {
	text, action string // the request: a command, or a button action
	count        string // SQL counting what landed
	arg          any    // its argument: the idea's id, or the campaign's code
}

// setup creates the campaign (as the try-out's first member, its admin) and returns
// what each member of the crowd sends.
func setup(ctx context.Context, c *client, kind string) (*target, error) {
	admin := "burst-admin"
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	first := func(rs []reply, prefix string) string {
		for _, r := range rs {
			for _, b := range r.Buttons {
				if strings.HasPrefix(b.Action, prefix) {
					return b.Action
				}
			}
		}
		return ""
	}
	code := func(title string) (string, error) {
		res, err := c.http.Get(c.base + "/api/campaigns")
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		var list []struct {
			Code  string `json:"code"`
			Title string `json:"title"`
			ID    int64  `json:"id"`
		}
		if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
			return "", err
		}
		for _, l := range list {
			if l.Title == title {
				return l.Code, nil
			}
		}
		return "", fmt.Errorf("campaign %q not listed: is this a fresh try-out, with %s its first member?", title, admin)
	}
	switch kind {
	case "idea":
		title := "Burst " + stamp
		if _, _, err := c.chat(ctx, admin, `/campaign new ideas "`+title+`"`, ""); err != nil {
			return nil, err
		}
		cd, err := code(title)
		if err != nil {
			return nil, err
		}
		if _, _, err := c.chat(ctx, "burst-author", "/idea "+cd+" The one idea everyone wants", ""); err != nil {
			return nil, err
		}
		rs, _, err := c.chat(ctx, "burst-author", "/ideas "+cd, "")
		if err != nil {
			return nil, err
		}
		act := first(rs, "iv:") // iv:<idea id>[:<number>]
		id, err := strconv.ParseInt(strings.Split(strings.TrimPrefix(act, "iv:"), ":")[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("no vote button on the board: %v", rs)
		}
		return &target{action: act, count: "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", arg: id}, nil
	case "poll":
		title := "Burst " + stamp + "?"
		rs, _, err := c.chat(ctx, admin, `/poll new "`+title+`" Yes No`, "")
		if err != nil {
			return nil, err
		}
		act := first(rs, "pv:")
		if act == "" {
			return nil, fmt.Errorf("no vote button on the poll: %v", rs)
		}
		return &target{action: act, count: "SELECT COUNT(*) FROM poll_voters v JOIN campaigns c ON c.id = v.campaign_id WHERE c.code = ? AND v.voted",
			arg: strings.Split(act, ":")[1]}, nil
	case "pledge":
		title := "Burst " + stamp
		if _, _, err := c.chat(ctx, admin, `/fund new "`+title+`" goal="1000000 EUR" closes=30d`, ""); err != nil {
			return nil, err
		}
		cd, err := code(title)
		if err != nil {
			return nil, err
		}
		return &target{text: "/pledge " + cd + " 5", count: "SELECT COUNT(*) FROM pledges p JOIN campaigns c ON c.id = p.campaign_id WHERE c.code = ? AND p.active", arg: cd}, nil
	}
	return nil, fmt.Errorf("unknown kind %q: idea, poll or pledge", kind)
}

// memory reads the bot's resident and Go heap memory, and the CPU time it has used,
// from its /metrics at base, with the admin token as a bearer when there is one.
func memory(c *client, base, token string) (rss, heap, cpu float64, err error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return 0, 0, 0, fmt.Errorf("/metrics: %d", res.StatusCode)
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, _ := strconv.ParseFloat(strings.TrimSpace(value), 64)
		switch name {
		case "process_resident_memory_bytes":
			rss = v
		case "go_memstats_heap_inuse_bytes":
			heap = v
		case "process_cpu_seconds_total":
			cpu = v
		}
	}
	return rss, heap, cpu, nil
}

func run(ctx context.Context, base, kind string, clients int, duration time.Duration, dsn, token, metrics string) error {
	c := &client{base: strings.TrimRight(base, "/"), http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2},
	}}
	t, err := setup(ctx, c, kind)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	var idleRSS, idleHeap, peakRSS, peakHeap, cpuBefore, cpuAfter float64
	stopMem := make(chan struct{})
	var memDone sync.WaitGroup
	// the main listener serves /metrics to the token's bearer; a listener of their
	// own serves them to anyone
	readMem := token != "" || metrics != ""
	if metrics == "" {
		metrics = c.base
	}
	metrics = strings.TrimRight(metrics, "/")
	if readMem {
		if idleRSS, idleHeap, cpuBefore, err = memory(c, metrics, token); err != nil {
			return err
		}
		memDone.Go(func() {
			tick := time.NewTicker(250 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stopMem:
					return
				case <-tick.C:
					if rss, heap, _, err := memory(c, metrics, token); err == nil {
						peakRSS, peakHeap = max(peakRSS, rss), max(peakHeap, heap)
					}
				}
			}
		})
	}

	var next, acked, failed atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	conns := make([]*burstConn, clients)
	for w := range conns {
		if conns[w], err = newBurstConn(c.base); err != nil {
			return err
		}
	}
	selfBefore := selfCPU()
	for w := range clients {
		wg.Go(func() {
			bc := conns[w]
			defer bc.close()
			for time.Now().Before(deadline) {
				n := next.Add(1)
				member := "v" + strconv.FormatInt(n, 36)
				began := time.Now()
				err := bc.press(ctx, member, t.text, t.action)
				lat[w] = append(lat[w], time.Since(began))
				if err == nil {
					acked.Add(1)
					continue
				}
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	selfUsed := selfCPU() - selfBefore
	close(stopMem)
	memDone.Wait()
	if readMem {
		if _, _, cpuAfter, err = memory(c, metrics, token); err != nil {
			return err
		}
	}

	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	rate := float64(acked.Load()) / elapsed.Seconds()
	fmt.Printf("kind=%s clients=%d seconds=%.1f acked=%d failed=%d rate=%.0f/s p50=%s p99=%s max=%s\n",
		kind, clients, elapsed.Seconds(), acked.Load(), failed.Load(), rate,
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first failure: %s\n", e)
	}
	if readMem {
		fmt.Printf("memory: idle rss=%.0f MiB heap=%.0f MiB; burst peak rss=%.0f MiB heap=%.0f MiB\n",
			idleRSS/(1<<20), idleHeap/(1<<20), peakRSS/(1<<20), peakHeap/(1<<20))
		if n := acked.Load() + failed.Load(); n > 0 {
			fmt.Printf("bot cpu: %.0f µs a request (%.2f of a core)\n", (cpuAfter-cpuBefore)/float64(n)*1e6, (cpuAfter-cpuBefore)/elapsed.Seconds())
		}
	}
	if n := acked.Load() + failed.Load(); n > 0 && selfUsed > 0 {
		fmt.Printf("load client cpu: %.0f µs a request (%.2f of a core)\n", selfUsed.Seconds()/float64(n)*1e6, selfUsed.Seconds()/elapsed.Seconds())
	}
	if dsn == "" {
		return nil
	}
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	counted, err := db.QueryInt(ctx, t.count, t.arg)
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	fmt.Printf("stored=%d acked=%d\n", counted, acked.Load())
	if counted != acked.Load() {
		return fmt.Errorf("%d acknowledged but %d stored: not exactly once", acked.Load(), counted)
	}
	return nil
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"crowdbot/bots/botstest"
)

// BenchmarkFirstVotesThroughHTTP is a viral burst through the web front: each request
// is POST /api/chat of a local try-out by a member the bot has never seen, pressing
// the vote button of one idea, acknowledged before that client sends the next. On
// Postgres (CROWDBOT_TEST_POSTGRES) the schema keeps the server's durability, as the
// pgbench baseline of docs/BENCHMARKS.md does. cmd/crowdbot-load runs the same against
// a running bot.
func BenchmarkFirstVotesThroughHTTP(b *testing.B) {
	h := botstest.ForBurst(b)
	id, action := h.BurstIdea(botstest.Admin, botstest.Bob)
	burstThroughHTTP(b, h, "votes/s", map[string]string{"action": action},
		"SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", id)
}

// BenchmarkFirstBallotsThroughHTTP is the same burst pressing the first option of one
// poll (cmd/crowdbot-load -kind poll).
func BenchmarkFirstBallotsThroughHTTP(b *testing.B) {
	h := botstest.ForBurst(b)
	code, action := h.BurstPoll(botstest.Admin)
	burstThroughHTTP(b, h, "ballots/s", map[string]string{"action": action},
		"SELECT COUNT(*) FROM poll_voters v JOIN campaigns c ON c.id = v.campaign_id WHERE c.code = ? AND v.voted", code)
}

// BenchmarkFirstPledgesThroughHTTP is the same burst pledging to one fundraiser
// without tiers (cmd/crowdbot-load -kind pledge).
func BenchmarkFirstPledgesThroughHTTP(b *testing.B) {
	h := botstest.ForBurst(b)
	code := h.BurstFundraiser(botstest.Admin)
	burstThroughHTTP(b, h, "pledges/s", map[string]string{"text": "/pledge " + code + " 5"},
		"SELECT COUNT(*) FROM pledges p JOIN campaigns c ON c.id = p.campaign_id WHERE c.code = ? AND p.active", code)
}

// burstThroughHTTP sends b.N requests of press, each by a member never seen before,
// from 32 clients, and checks that count finds every acknowledged one stored once. It
// reports the process's CPU a request (cpu-µs/op: the bot's and the client's, which
// runs in the same process; Postgres's is not in it).
func burstThroughHTTP(b *testing.B, h *botstest.Harness, unit string, press map[string]string, count string, arg any) {
	srv := New(Options{Service: h.Service, Router: h.Router, Local: true})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	b.SetParallelism(16) // 32 clients on 2 cores
	b.ResetTimer()
	cpu := botstest.SelfCPU()
	b.RunParallel(func(pb *testing.PB) {
		req := map[string]string{}
		for k, v := range press {
			req[k] = v
		}
		for pb.Next() {
			req["member"] = "v" + strconv.FormatInt(next.Add(1), 36)
			body, _ := json.Marshal(req)
			res, err := client.Post(ts.URL+"/api/chat", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			var out struct{ Replies []struct{ Text string } }
			err = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK || len(out.Replies) == 0 {
				b.Errorf("press: %d %v %+v", res.StatusCode, err, out)
				return
			}
		}
	})
	b.StopTimer()
	if used := botstest.SelfCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	n, err := h.Store.QueryInt(context.Background(), count, arg)
	if err != nil || n != next.Load() {
		b.Fatalf("%d stored of %d acknowledged: %v", n, next.Load(), err)
	}
}

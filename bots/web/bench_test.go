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
	srv := New(Options{Service: h.Service, Router: h.Router, Local: true})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	id, action := h.BurstIdea(botstest.Admin, botstest.Bob)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	b.SetParallelism(16) // 32 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body, _ := json.Marshal(map[string]string{"member": "v" + strconv.FormatInt(next.Add(1), 36), "action": action})
			res, err := client.Post(ts.URL+"/api/chat", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			var out struct{ Replies []struct{ Text string } }
			err = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK || len(out.Replies) != 1 {
				b.Errorf("vote: %d %v %+v", res.StatusCode, err, out)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
	n, err := h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", id)
	if err != nil || n != int64(next.Load()) {
		b.Fatalf("%d votes stored of %d acknowledged: %v", n, next.Load(), err)
	}
}

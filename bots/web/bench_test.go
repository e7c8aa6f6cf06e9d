package web

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"crowdbot/bots/botstest"
)

// BenchmarkFirstVotesThroughHTTP is a viral burst through the web front: each request
// is POST /api/chat of a local try-out by a member the bot has never seen, pressing
// the vote button of one idea, acknowledged before that client sends the next. On
// Postgres (CROWDBOT_TEST_POSTGRES) the schema keeps the server's durability, as the
// pgbench baseline of docs/BENCHMARKS.md does. cmd/crowdbot-load runs the same against
// a running bot.
func BenchmarkFirstVotesThroughHTTP(b *testing.B) { votesThroughHTTP(b, false) }

// BenchmarkKnownVotesThroughHTTP is the same burst by members the bot knows: before
// the clock starts, each of them voted for another idea through the same front, so
// each is in the database and in the bot's cache. It is the known-member path that
// the first-touch path of BenchmarkFirstVotesThroughHTTP is measured against.
func BenchmarkKnownVotesThroughHTTP(b *testing.B) { votesThroughHTTP(b, true) }

func votesThroughHTTP(b *testing.B, known bool) {
	h := botstest.ForBurst(b)
	id, action := h.BurstIdea(botstest.Admin, botstest.Bob)
	var warm map[string]string
	if known {
		_, other := h.BurstIdea(botstest.Admin, botstest.Bob)
		warm = map[string]string{"action": other}
	}
	burstThroughHTTP(b, h, "votes/s", map[string]string{"action": action}, warm,
		"SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", id)
}

// BenchmarkFirstBallotsThroughHTTP is the same burst pressing the first option of one
// poll (cmd/crowdbot-load -kind poll).
func BenchmarkFirstBallotsThroughHTTP(b *testing.B) { ballotsThroughHTTP(b, false) }

// BenchmarkKnownBallotsThroughHTTP is that burst by members who voted in another
// poll before the clock starts (see BenchmarkKnownVotesThroughHTTP).
func BenchmarkKnownBallotsThroughHTTP(b *testing.B) { ballotsThroughHTTP(b, true) }

func ballotsThroughHTTP(b *testing.B, known bool) {
	h := botstest.ForBurst(b)
	code, action := h.BurstPoll(botstest.Admin)
	var warm map[string]string
	if known {
		_, other := h.BurstPoll(botstest.Admin)
		warm = map[string]string{"action": other}
	}
	burstThroughHTTP(b, h, "ballots/s", map[string]string{"action": action}, warm,
		"SELECT COUNT(*) FROM poll_voters v JOIN campaigns c ON c.id = v.campaign_id WHERE c.code = ? AND v.voted", code)
}

// BenchmarkFirstPledgesThroughHTTP is the same burst pledging to one fundraiser
// without tiers (cmd/crowdbot-load -kind pledge).
func BenchmarkFirstPledgesThroughHTTP(b *testing.B) { pledgesThroughHTTP(b, false) }

// BenchmarkKnownPledgesThroughHTTP is that burst by members who pledged to another
// fundraiser before the clock starts (see BenchmarkKnownVotesThroughHTTP).
func BenchmarkKnownPledgesThroughHTTP(b *testing.B) { pledgesThroughHTTP(b, true) }

func pledgesThroughHTTP(b *testing.B, known bool) {
	h := botstest.ForBurst(b)
	code := h.BurstFundraiser(botstest.Admin)
	var warm map[string]string
	if known {
		warm = map[string]string{"text": "/pledge " + h.BurstFundraiser(botstest.Admin) + " 5"}
	}
	burstThroughHTTP(b, h, "pledges/s", map[string]string{"text": "/pledge " + code + " 5"}, warm,
		"SELECT COUNT(*) FROM pledges p JOIN campaigns c ON c.id = p.campaign_id WHERE c.code = ? AND p.active", code)
}

// burstThroughHTTP sends b.N requests of press, each by a member never seen before,
// from 32 clients, and checks that count finds every acknowledged one stored once. It
// reports the process's CPU a request (cpu-µs/op: the bot's and the client's, which
// runs in the same process; Postgres's is not in it). With warm, the same members
// first send warm, before the clock starts: the burst is then of members the bot
// knows.
func burstThroughHTTP(b *testing.B, h *botstest.Harness, unit string, press, warm map[string]string, count string, arg any) {
	srv := New(Options{Service: h.Service, Router: h.Router, Local: true})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	// send posts req as member n and tells whether it was answered
	send := func(tb testing.TB, req map[string]string, n int64) bool {
		req["member"] = "v" + strconv.FormatInt(n, 36)
		body, _ := json.Marshal(req)
		res, err := client.Post(ts.URL+"/api/chat", "application/json", bytes.NewReader(body))
		if err != nil {
			tb.Error(err)
			return false
		}
		var out struct{ Replies []struct{ Text string } }
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || len(out.Replies) == 0 {
			tb.Errorf("press: %d %v %+v", res.StatusCode, err, out)
			return false
		}
		return true
	}
	if warm != nil {
		botstest.Crowd(b, 32, b.N, func(n int) bool { return send(b, maps.Clone(warm), int64(n)) })
	}
	members := botstest.Members(b, h)
	cpu := botstest.SelfCPU()
	sent := botstest.Burst(b, unit, func(n int64) bool { return send(b, maps.Clone(press), n) })
	if used := botstest.SelfCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
	}
	n, err := h.Store.QueryInt(context.Background(), count, arg)
	if err != nil || n != sent {
		b.Fatalf("%d stored of %d acknowledged: %v", n, sent, err)
	}
	members.Check(b, warm == nil, sent)
}

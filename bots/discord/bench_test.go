package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"crowdbot/bots/botstest"
	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
)

// BenchmarkFirstVotesThroughDiscord is a viral burst through Discord's HTTP
// interactions: each operation is a signed MESSAGE_COMPONENT interaction of a user the
// bot has never seen pressing the vote button under one idea's card in a guild
// channel, posted to the adapter's interaction endpoint; it is done when Discord (the
// fake) has the interaction's answer. The interactions are made and signed before the
// clock starts, since Discord does that on its own machines. On Postgres (CROWDBOT_TEST_POSTGRES) the schema
// keeps the server's durability, as the pgbench baseline of docs/BENCHMARKS.md does.
func BenchmarkFirstVotesThroughDiscord(b *testing.B) { votesThroughDiscord(b, false) }

// BenchmarkKnownVotesThroughDiscord is the same burst by users the bot knows: before
// the clock starts, each of them pressed the vote button of another idea the same way,
// so each is in the database and in the bot's cache. It is the known-member path that
// BenchmarkFirstVotesThroughDiscord is measured against.
func BenchmarkKnownVotesThroughDiscord(b *testing.B) { votesThroughDiscord(b, true) }

func votesThroughDiscord(b *testing.B, known bool) {
	h := botstest.ForBurst(b)
	admin, bob := botstest.Admin.On(core.Discord, guild, channel), botstest.Bob.On(core.Discord, guild, channel)
	id, action := h.BurstIdea(admin, bob)
	var warm string
	if known {
		_, warm = h.BurstIdea(admin, bob)
	}

	rest := dcfake.NewREST(b, token)
	dc := dcfake.NewDiscord(b, rest, appID, h.Clock.Now)
	sess, err := discord.NewSession(token, rest.APIBase())
	if err != nil {
		b.Fatal(err)
	}
	ad, err := discord.New(discord.Options{Router: h.Router, Session: sess, AppID: appID, PublicKey: dc.PublicKeyHex(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	// mounted as cmd/crowdbot mounts it, on a mux of its own (see TestAdaptersDoNotImportEachOther)
	site := http.NewServeMux()
	site.Handle("POST "+discord.InteractionsPath, ad)
	srv := httptest.NewServer(site)
	defer srv.Close()
	url := srv.URL + discord.InteractionsPath
	card := func(action string) map[string]any {
		return dcfake.Message("1280000000000000001", channel, "**The one idea**", []any{map[string]any{"type": 1, "id": 1,
			"components": []any{map[string]any{"type": 2, "id": 2, "style": 2, "label": "👍 0", "custom_id": action}}}})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	// the presses are made and signed before the clock starts, as Discord makes and
	// signs them on its own machines: the benchmark's cores are the bot's
	type press struct {
		id, token, ts, sig string
		body               []byte
	}
	presses := func(action string) []press {
		msg := card(action)
		ps := make([]press, b.N)
		for n := range ps {
			uid := strconv.FormatInt(710000000000000001+int64(n), 10)
			who := dcfake.User{ID: uid, Username: "voter" + strconv.FormatInt(int64(n), 36)}
			it := dc.Press(who, dcfake.Where{Guild: guild, Channel: channel}, action, msg)
			body, err := json.Marshal(it)
			if err != nil {
				b.Fatal(err)
			}
			// signed as Discord signs: Ed25519 over the timestamp and the body
			ts := strconv.FormatInt(dc.Now().Unix(), 10)
			sig := ed25519.Sign(dc.Key, append([]byte(ts), body...))
			ps[n] = press{id: it["id"].(string), token: it["token"].(string), ts: ts, sig: hex.EncodeToString(sig), body: body}
		}
		return ps
	}
	// send posts p and tells whether Discord (the fake) took its answer
	send := func(tb testing.TB, p press) bool {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(p.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
		req.Header.Set("X-Signature-Ed25519", p.sig)
		req.Header.Set("X-Signature-Timestamp", p.ts)
		res, err := client.Do(req)
		if err != nil {
			tb.Error(err)
			return false
		}
		out, err := io.ReadAll(res.Body)
		res.Body.Close()
		var answer struct {
			Type int `json:"type"`
		}
		if err != nil || res.StatusCode != http.StatusOK || json.Unmarshal(out, &answer) != nil || answer.Type != 4 && answer.Type != 7 {
			tb.Errorf("press: %d %v %s", res.StatusCode, err, out)
			return false
		}
		rest.Acknowledge(p.id, p.token, out, res.StatusCode)
		return true
	}
	if known {
		ps := presses(warm)
		botstest.Crowd(b, 32, b.N, func(n int) bool { return send(b, ps[n-1]) })
	}

	ps := presses(action)
	members := botstest.Members(b, h)
	sent := botstest.Burst(b, "votes/s", func(n int64) bool { return send(b, ps[n-1]) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ad.Wait(ctx)
	if bad := rest.Refused(); len(bad) > 0 {
		b.Fatalf("Discord refused %d answers, the first %v", len(bad), bad[0])
	}
	n, err := h.Store.QueryInt(context.Background(), "SELECT COUNT(*) FROM idea_votes WHERE idea_id = ?", id)
	if err != nil || n != sent {
		b.Fatalf("%d votes stored of %d acknowledged: %v", n, sent, err)
	}
	members.Check(b, !known, sent)
}

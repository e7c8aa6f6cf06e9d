package discord_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/discord"
	"crowdbot/bots/discord/dcfake"
	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// spaces records what the adapter tells the store about spaces.
type spaces struct {
	*storage.DB
	mu      sync.Mutex
	cond    *sync.Cond
	upserts []core.SpaceRef
	retired []string
}

func (s *spaces) UpsertSpace(ctx context.Context, ref core.SpaceRef, now time.Time) (*core.Space, error) {
	s.mu.Lock()
	s.upserts = append(s.upserts, ref)
	s.cond.Broadcast()
	s.mu.Unlock()
	return s.DB.UpsertSpace(ctx, ref, now)
}

func (s *spaces) RetireSpace(ctx context.Context, p core.Platform, id string) error {
	s.mu.Lock()
	s.retired = append(s.retired, id)
	s.cond.Broadcast()
	s.mu.Unlock()
	return s.DB.RetireSpace(ctx, p, id)
}

func (s *spaces) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	stop := time.AfterFunc(10*time.Second, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer stop.Stop()
	deadline := time.Now().Add(10 * time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s: upserts %+v, retired %v", what, s.upserts, s.retired)
		}
		s.cond.Wait()
	}
}

// callbacks returns the interaction callbacks made through REST for an
// interaction.
func callbacks(rest *dcfake.REST, id string) []dcfake.Call {
	return rest.Find("POST", `^/interactions/`+id+`/[^/]+/callback$`)
}

// TestGateway connects to the gateway fake: IDENTIFY with the token and the guilds
// intent, READY (the application id learned from it, commands registered), guilds
// recorded, heartbeats acknowledged, interactions answered through REST (a 429 on
// the callback waited out), a dropped connection resumed with the missed
// interaction replayed, and a guild left.
func TestGateway(t *testing.T) {
	db := storagetest.SQLite(t)
	store := &spaces{DB: db}
	store.cond = sync.NewCond(&store.mu)
	svc := core.NewService(store, core.NewFakeClock(botstest.Start), botstest.Settings())
	router := bots.NewRouter(bots.Options{Service: svc})

	rest := dcfake.NewREST(t, token)
	gw := dcfake.NewGateway(t, token, appID)
	rest.GatewayURL = gw.WebsocketURL()
	gw.Guilds = []map[string]any{{
		"id": guild, "name": "Gelato Fans", "icon": nil, "owner_id": ada.ID, "preferred_locale": "it", "unavailable": false,
		"member_count": 3, "large": false, "joined_at": "2026-01-10T10:00:00.000000+00:00", "features": []any{},
		"roles": []any{
			map[string]any{"id": guild, "name": "@everyone", "permissions": "1071698660929", "position": 0, "color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0},
			map[string]any{"id": "860000000000000002", "name": "Crowd Team", "permissions": "0", "position": 1, "color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0},
		},
		"channels": []any{map[string]any{"id": channel, "type": 0, "name": "general", "position": 0, "permission_overwrites": []any{}}},
		"members":  []any{}, "voice_states": []any{}, "presences": []any{}, "threads": []any{}, "stage_instances": []any{},
		"emojis": []any{}, "stickers": []any{}, "guild_scheduled_events": []any{},
	}}
	dc := dcfake.NewDiscord(t, rest, appID, time.Now)

	sess, err := discord.NewSession(token, rest.APIBase())
	if err != nil {
		t.Fatal(err)
	}
	ad, err := discord.New(discord.Options{Router: router, Session: sess, AdminRole: "Crowd Team", QuickReply: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		ad.Wait(context.Background())
	}
	t.Cleanup(stop)

	identify := gw.Wait(t, dcfake.OpIdentify, 1)[0]
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	_ = json.Unmarshal(identify.D, &id)
	if id.Token != "Bot "+token || id.Intents != int(discord.Intents) {
		t.Fatalf("IDENTIFY %s", identify.D)
	}
	rest.Wait(t, "commands registered", func(cs []dcfake.Call) bool {
		for _, c := range cs {
			if c.Method == "PUT" && c.Path == "/applications/"+appID+"/commands" && c.Status == http.StatusOK {
				return true
			}
		}
		return false
	})
	store.wait(t, "the guild recorded", func() bool {
		for _, u := range store.upserts {
			if u.ExternalID == guild && u.Title == "Gelato Fans" && u.Locale == "it" {
				return true
			}
		}
		return false
	})
	gw.Wait(t, dcfake.OpHeartbeat, 1)

	// a member of the admin role (known by name from GUILD_CREATE) creates a campaign
	team := dcfake.User{ID: "700000000000000021", Username: "team", Roles: []string{"860000000000000002"}}
	it := dc.Command(team, here, "campaign", "new", []dcfake.Option{{Name: "kind", Type: 3, Value: "ideas"}, {Name: "title", Type: 3, Value: "Flavours"}})
	gw.Dispatch("INTERACTION_CREATE", it)
	cb := waitCallback(t, rest, it)
	var resp struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
		} `json:"data"`
	}
	_ = cb.Decode(&resp)
	if resp.Type != 4 {
		t.Fatalf("callback %s", cb.Body)
	}
	code := firstKey(t, resp.Data.Content, "en", "campaign.created")["code"]
	if len(rest.Find("GET", `^/guilds/`)) != 0 {
		t.Errorf("roles read although GUILD_CREATE had them")
	}

	// the callback is rate limited once: the adapter waits retry_after and tries again
	rest.RateLimit("POST", `^/interactions/`, 125*time.Millisecond, false, 1)
	it = dc.Command(bob, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "Stracciatella"}})
	gw.Dispatch("INTERACTION_CREATE", it)
	cb = waitCallback(t, rest, it)
	calls := callbacks(rest, it["id"].(string))
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || calls[1].At.Sub(calls[0].At) < 125*time.Millisecond {
		t.Fatalf("callbacks %v", calls)
	}

	// the connection drops; an interaction comes while the bot is away
	seqBefore := gw.Seq()
	gw.Drop()
	it = dc.Command(cara, here, "idea", "submit", []dcfake.Option{{Name: "code", Type: 3, Value: code}, {Name: "text", Type: 3, Value: "Fior di latte"}})
	gw.Dispatch("INTERACTION_CREATE", it)
	resume := gw.Wait(t, dcfake.OpResume, 1)[0]
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(resume.D, &r)
	if r.Token != "Bot "+token || r.SessionID != gw.SessionID() || r.Seq != seqBefore {
		t.Fatalf("RESUME %s, want seq %d", resume.D, seqBefore)
	}
	cb = waitCallback(t, rest, it)
	_ = cb.Decode(&resp)
	firstKey(t, resp.Data.Content, "en", "idea.added")
	if n := len(gw.Wait(t, dcfake.OpIdentify, 1)); n != 1 || gw.Connections() != 2 {
		t.Errorf("%d IDENTIFY over %d connections: the session should resume", n, gw.Connections())
	}

	// an outage is not a departure; a removal is
	gw.Dispatch("GUILD_DELETE", map[string]any{"id": guild, "unavailable": true})
	gw.Dispatch("GUILD_DELETE", map[string]any{"id": guild})
	store.wait(t, "the guild retired", func() bool { return len(store.retired) > 0 })
	store.mu.Lock()
	retired := append([]string(nil), store.retired...)
	store.mu.Unlock()
	stop()
	if len(retired) != 1 || retired[0] != guild {
		t.Errorf("retired %v", retired)
	}
	if bad := rest.Refused(); len(bad) > 0 {
		t.Fatalf("refused: %v", bad)
	}
}

// waitCallback waits for the successful REST callback of an interaction.
func waitCallback(t *testing.T, rest *dcfake.REST, it map[string]any) dcfake.Call {
	t.Helper()
	id := it["id"].(string)
	re := regexp.MustCompile(`^/interactions/` + id + `/[^/]+/callback$`)
	var out dcfake.Call
	rest.Wait(t, "the callback of "+id, func(cs []dcfake.Call) bool {
		for _, c := range cs {
			if c.Method == "POST" && re.MatchString(c.Path) && c.Status == http.StatusNoContent {
				out = c
				return true
			}
		}
		return false
	})
	return out
}

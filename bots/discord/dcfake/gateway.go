package dcfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Frame is one gateway payload: an opcode, its data, and for dispatches (op 0) the
// sequence number and event name.
type Frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  *string         `json:"t,omitempty"`
}

// Gateway opcodes.
const (
	OpDispatch     = 0
	OpHeartbeat    = 1
	OpIdentify     = 2
	OpResume       = 6
	OpReconnect    = 7
	OpInvalid      = 9
	OpHello        = 10
	OpHeartbeatACK = 11
)

// Gateway is a fake of Discord's gateway: it greets with HELLO, answers IDENTIFY
// with READY and RESUME with the events missed and RESUMED, acknowledges
// heartbeats, and dispatches the events a test gives it.
type Gateway struct {
	*httptest.Server
	// Token is the token IDENTIFY and RESUME must carry ("Bot " + Token).
	Token string
	// AppID and BotID are told in READY.
	AppID, BotID string
	// Guilds are the guilds READY lists (as unavailable, as Discord does); a
	// GUILD_CREATE follows for each.
	Guilds []map[string]any
	// Heartbeat is the interval HELLO asks for.
	Heartbeat time.Duration

	mu        sync.Mutex
	cond      *sync.Cond
	conn      *websocket.Conn
	conns     int
	seq       int64
	sessionID string
	sent      []Frame // dispatches, for RESUME to replay
	received  []Frame
	intents   int // what the last IDENTIFY asked for
}

// Gateway intents the fake honours, as Discord does: without GUILD_MESSAGES no
// MESSAGE_CREATE of a guild is sent; without MESSAGE_CONTENT (privileged) a guild
// message comes with empty content, attachments and embeds.
const (
	IntentGuildMessages  = 1 << 9
	IntentMessageContent = 1 << 15
)

// MessageCreate is a MESSAGE_CREATE event: a member's message in a guild channel
// (a thread is a channel of its own), as the gateway sends it.
func MessageCreate(id, guild, channel string, who User, content string) map[string]any {
	m := who.member()
	delete(m, "user")
	delete(m, "permissions")
	author := who.user()
	return map[string]any{"type": 0, "tts": false, "timestamp": time.Now().UTC().Format(time.RFC3339), "pinned": false,
		"nonce": id, "mentions": []any{}, "mention_roles": []any{}, "mention_everyone": false, "member": m,
		"id": id, "flags": 0, "embeds": []any{}, "edited_timestamp": nil, "content": content, "components": []any{},
		"channel_id": channel, "author": author, "attachments": []any{}, "guild_id": guild}
}

// NewGateway starts a gateway fake; it stops with the test.
func NewGateway(t testing.TB, token, appID string) *Gateway {
	g := &Gateway{Token: token, AppID: appID, BotID: "900000000000000002", Heartbeat: time.Second, sessionID: "f1a2b3c4d5e6"}
	g.cond = sync.NewCond(&g.mu)
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		g.Drop()
		g.Close()
	})
	return g
}

// WebsocketURL is what GET /gateway should answer.
func (g *Gateway) WebsocketURL() string { return "ws" + strings.TrimPrefix(g.URL, "http") }

// SessionID is the session READY gave.
func (g *Gateway) SessionID() string { return g.sessionID }

// Connections counts the websocket connections made.
func (g *Gateway) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.conns
}

// Seq is the sequence number of the last event dispatched.
func (g *Gateway) Seq() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seq
}

// Received returns the frames the client sent.
func (g *Gateway) Received() []Frame {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Frame(nil), g.received...)
}

// Wait blocks until n frames with opcode op were received, or fails the test after
// ten seconds; it returns them.
func (g *Gateway) Wait(t testing.TB, op, n int) []Frame {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	stop := time.AfterFunc(10*time.Second, func() { g.mu.Lock(); g.cond.Broadcast(); g.mu.Unlock() })
	defer stop.Stop()
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		var got []Frame
		for _, f := range g.received {
			if f.Op == op {
				got = append(got, f)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway fake: waited 10s for %d frames of op %d, got %d", n, op, len(got))
		}
		g.cond.Wait()
	}
}

// Dispatch sends an event (op 0) with the next sequence number. With no client
// connected it is kept for the client's RESUME. A guild's MESSAGE_CREATE follows the
// intents of the last IDENTIFY, as Discord's does.
func (g *Gateway) Dispatch(name string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if name == "MESSAGE_CREATE" {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil && m["guild_id"] != nil {
			if g.intents&IntentGuildMessages == 0 {
				return
			}
			if g.intents&IntentMessageContent == 0 {
				m["content"], m["embeds"], m["attachments"], m["components"] = "", []any{}, []any{}, []any{}
				raw, _ = json.Marshal(m)
			}
		}
	}
	g.dispatch(name, raw)
}

func (g *Gateway) dispatch(name string, raw json.RawMessage) {
	g.seq++
	s, t := g.seq, name
	f := Frame{Op: OpDispatch, D: raw, S: &s, T: &t}
	g.sent = append(g.sent, f)
	if g.conn != nil {
		_ = g.conn.WriteJSON(f)
	}
}

// Drop cuts the client's connection without a close frame, as a network failure
// would.
func (g *Gateway) Drop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		_ = g.conn.UnderlyingConn().Close()
		g.conn = nil
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	g.mu.Lock()
	g.conns++
	g.mu.Unlock()
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": g.Heartbeat.Milliseconds()})
	if conn.WriteJSON(Frame{Op: OpHello, D: hello}) != nil {
		return
	}
	identified := false
	for {
		var f Frame
		if err := conn.ReadJSON(&f); err != nil {
			g.mu.Lock()
			if g.conn == conn {
				g.conn = nil
			}
			g.mu.Unlock()
			return
		}
		g.mu.Lock()
		g.received = append(g.received, f)
		g.cond.Broadcast()
		switch f.Op {
		case OpHeartbeat:
			_ = conn.WriteJSON(Frame{Op: OpHeartbeatACK})
		case OpIdentify:
			var d struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
			}
			_ = json.Unmarshal(f.D, &d)
			if identified || d.Token != "Bot "+g.Token {
				g.mu.Unlock()
				_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				return
			}
			identified = true
			g.intents = d.Intents
			g.conn = conn
			g.sent = nil
			g.seq = 0
			guilds := []any{}
			for _, gd := range g.Guilds {
				guilds = append(guilds, map[string]any{"id": gd["id"], "unavailable": true})
			}
			ready, _ := json.Marshal(map[string]any{
				"v": 10, "session_id": g.sessionID, "session_type": "normal",
				"resume_gateway_url": g.WebsocketURL(),
				"user":               map[string]any{"id": g.BotID, "username": "crowdbot", "discriminator": "0", "bot": true, "avatar": nil, "global_name": nil, "flags": 0},
				"guilds":             guilds,
				"application":        map[string]any{"id": g.AppID, "flags": 0},
				"private_channels":   []any{}, "relationships": []any{}, "presences": []any{}, "guild_join_requests": []any{},
				"geo_ordered_rtc_regions": []any{}, "user_settings": map[string]any{},
				"_trace": []any{"[\"gateway-prd-fake\",{}]"},
			})
			g.dispatch("READY", ready)
			for _, gd := range g.Guilds {
				raw, _ := json.Marshal(gd)
				g.dispatch("GUILD_CREATE", raw)
			}
		case OpResume:
			var d struct {
				Token     string `json:"token"`
				SessionID string `json:"session_id"`
				Seq       int64  `json:"seq"`
			}
			_ = json.Unmarshal(f.D, &d)
			if d.Token != "Bot "+g.Token || d.SessionID != g.sessionID {
				_ = conn.WriteJSON(Frame{Op: OpInvalid, D: json.RawMessage("false")})
				break
			}
			identified = true
			g.conn = conn
			for _, s := range g.sent {
				if *s.S > d.Seq {
					_ = conn.WriteJSON(s)
				}
			}
			g.dispatch("RESUMED", json.RawMessage(`{"_trace":["[\"gateway-prd-fake\",{}]"]}`))
		}
		g.mu.Unlock()
	}
}

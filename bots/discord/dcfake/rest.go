// Package dcfake is a fake of Discord for tests: its REST API (an httptest server
// that records every call and checks payloads against Discord's limits), its
// gateway (a websocket server that says HELLO, takes IDENTIFY and RESUME, answers
// heartbeats and dispatches events), and Discord's side of HTTP interactions
// (signed requests built from the payload shapes of Discord's documentation).
package dcfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// APIPath is the path prefix of the fake's REST API; the adapter's API base is
// REST.URL + APIPath.
const APIPath = "/api/v10"

// Call is one request the REST fake received.
type Call struct {
	Method string
	Path   string // without APIPath, e.g. /channels/123/messages
	Query  url.Values
	Header http.Header
	// Body is the JSON body (payload_json for a multipart request).
	Body json.RawMessage
	// Files are the uploads of a multipart request.
	Files []File
	// Via is "http" for an interaction response Discord read from the HTTP answer,
	// "rest" for every request made to the API.
	Via    string
	Status int
	// Code is the JSON error code of a refusal (50013 Missing Permissions...).
	Code int
	// Problem says why the fake refused the call (400), as Discord would.
	Problem string
	At      time.Time
}

// File is one upload.
type File struct {
	Field, Name, ContentType string
	Data                     []byte
}

// Decode reads the call's JSON body into v.
func (c Call) Decode(v any) error { return json.Unmarshal(c.Body, v) }

// Map returns the call's JSON body as a map.
func (c Call) Map() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(c.Body, &m)
	return m
}

func (c Call) String() string {
	s := fmt.Sprintf("%s %s (%s) -> %d", c.Method, c.Path, c.Via, c.Status)
	if c.Problem != "" {
		s += ": " + c.Problem
	}
	return s
}

// REST is a fake of Discord's REST API.
type REST struct {
	*httptest.Server
	// Token is the bot token requests that need one must carry ("Bot " + Token).
	Token string
	// GatewayURL is what GET /gateway answers.
	GatewayURL string

	mu       sync.Mutex
	cond     *sync.Cond
	calls    []Call
	nextID   int64
	acked    map[string]bool // interaction tokens answered
	commands map[string]json.RawMessage
	roles    map[string][]map[string]any
	limits   []*limit
	blocked  map[string]time.Time // route -> end of its 429
	buckets  []*bucket
	files    map[string][]byte // CDN path -> content
	// memberRoles holds the roles given to members, as guild/user -> role ids
	memberRoles map[string]map[string]bool
	// denyRoles lists the guilds where the bot lacks Manage Roles
	denyRoles map[string]bool
	// denyThreads lists the channels where the bot lacks Create Public Threads
	denyThreads map[string]bool
	// threads holds the threads started from messages, by message id
	threads map[string]map[string]any
	// reactions holds the bot's reactions, as channel/message -> emoji
	reactions map[string][]string
	// ThreadGuild is the guild_id of the threads the fake starts.
	ThreadGuild string
}

// NewREST starts a REST fake; it stops with the test.
func NewREST(t testing.TB, token string) *REST {
	f := &REST{Token: token, nextID: 1300000000000000000, acked: map[string]bool{}, commands: map[string]json.RawMessage{},
		roles: map[string][]map[string]any{}, blocked: map[string]time.Time{}, files: map[string][]byte{},
		memberRoles: map[string]map[string]bool{}, denyRoles: map[string]bool{}, denyThreads: map[string]bool{},
		threads: map[string]map[string]any{}, reactions: map[string][]string{}}
	f.cond = sync.NewCond(&f.mu)
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// APIBase is the base URL the adapter's REST calls should go to.
func (f *REST) APIBase() string { return f.URL + APIPath }

// Calls returns the calls received so far.
func (f *REST) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Find returns the calls whose method is method and whose path matches the
// regular expression path.
func (f *REST) Find(method, path string) []Call {
	re := regexp.MustCompile(path)
	var out []Call
	for _, c := range f.Calls() {
		if c.Method == method && re.MatchString(c.Path) {
			out = append(out, c)
		}
	}
	return out
}

// Refused returns the calls the fake refused as invalid (HTTP 400). A thread asked
// for a message that has one already (code 160004) is no invalid call: the state of
// things answered it.
func (f *REST) Refused() []Call {
	var out []Call
	for _, c := range f.Calls() {
		if c.Status == http.StatusBadRequest && c.Code != codeThreadExists {
			out = append(out, c)
		}
	}
	return out
}

// Wait blocks until cond holds for the calls received, or fails the test after ten
// seconds.
func (f *REST) Wait(t testing.TB, what string, cond func([]Call) bool) []Call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	stop := time.AfterFunc(10*time.Second, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer stop.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for !cond(f.calls) {
		if time.Now().After(deadline) {
			var got []string
			for _, c := range f.calls {
				got = append(got, c.String())
			}
			t.Fatalf("REST fake: waited 10s for %s; calls:\n%s", what, strings.Join(got, "\n"))
		}
		f.cond.Wait()
	}
	return append([]Call(nil), f.calls...)
}

// Commands returns the commands last registered, globally (guild "") or in a guild.
func (f *REST) Commands(app, guild string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	_ = json.Unmarshal(f.commands[app+"/"+guild], &out)
	return out
}

// SetRoles sets what GET /guilds/{id}/roles answers.
func (f *REST) SetRoles(guild string, roles map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var list []map[string]any
	for id, name := range roles {
		list = append(list, map[string]any{"id": id, "name": name, "color": 0, "hoist": false, "position": 1,
			"permissions": "0", "managed": false, "mentionable": false, "flags": 0})
	}
	f.roles[guild] = list
}

// DenyRoles makes the guild answer role changes as Discord does when the bot lacks
// Manage Roles (or the role is above the bot's): 403 Missing Permissions.
func (f *REST) DenyRoles(guild string, deny bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denyRoles[guild] = deny
}

// MemberRoles returns the role ids the bot has given a member of a guild and not
// taken back.
func (f *REST) MemberRoles(guild, user string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := range f.memberRoles[guild+"/"+user] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// memberRole answers PUT and DELETE /guilds/{guild}/members/{user}/roles/{role}:
// 204 with no body, 403 where roles are denied, 404 Unknown Role for a role the
// guild does not have (when its roles were set).
func (f *REST) memberRole(w http.ResponseWriter, c *Call, guild, user, role string) {
	f.mu.Lock()
	deny := f.denyRoles[guild]
	roles, known := f.roles[guild], false
	for _, r := range roles {
		known = known || r["id"] == role
	}
	f.mu.Unlock()
	switch {
	case deny:
		f.answer(w, c, http.StatusForbidden, map[string]any{"message": "Missing Permissions", "code": 50013})
		return
	case roles != nil && !known:
		f.answer(w, c, http.StatusNotFound, map[string]any{"message": "Unknown Role", "code": 10011})
		return
	}
	f.mu.Lock()
	key := guild + "/" + user
	if c.Method == http.MethodPut {
		if f.memberRoles[key] == nil {
			f.memberRoles[key] = map[string]bool{}
		}
		f.memberRoles[key][role] = true
	} else {
		delete(f.memberRoles[key], role)
	}
	f.mu.Unlock()
	f.answer(w, c, http.StatusNoContent, nil)
}

// DenyThreads makes a channel answer thread starts as Discord does when the bot
// lacks Create Public Threads there: 403 Missing Permissions.
func (f *REST) DenyThreads(channel string, deny bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denyThreads[channel] = deny
}

// Thread returns the thread started from a message, as Discord answered it; nil
// for none.
func (f *REST) Thread(message string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.threads[message]
}

// AddThread starts a thread from a message as a member would in Discord's client,
// not through the API.
func (f *REST) AddThread(channel, message, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.threads[message] = map[string]any{"id": message, "type": 11, "parent_id": channel, "name": name}
}

// Reactions returns the emoji the bot reacted to a message with, in order.
func (f *REST) Reactions(channel, message string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reactions[channel+"/"+message])
}

// codeThreadExists is Discord's code for a second thread asked of one message.
const codeThreadExists = 160004

// startThread answers POST /channels/{channel}/messages/{message}/threads: a public
// thread (type 11) whose id is the message's, named 1-100 characters, archived
// after 60, 1440, 4320 or 10080 quiet minutes; 403 where threads are denied, 400
// with code 160004 for a message that has a thread already.
func (f *REST) startThread(w http.ResponseWriter, c *Call, channel, message string) {
	var body struct {
		Name                string `json:"name"`
		AutoArchiveDuration int    `json:"auto_archive_duration"`
		RateLimitPerUser    *int   `json:"rate_limit_per_user"`
	}
	if err := c.Decode(&body); err != nil {
		f.invalid(w, c, "body: "+err.Error())
		return
	}
	switch n := len([]rune(body.Name)); {
	case n < 1 || n > 100:
		f.invalid(w, c, fmt.Sprintf("name must be 1-100 characters, is %d", n))
		return
	case body.AutoArchiveDuration != 0 && !slices.Contains([]int{60, 1440, 4320, 10080}, body.AutoArchiveDuration):
		f.invalid(w, c, fmt.Sprintf("auto_archive_duration %d is not 60, 1440, 4320 or 10080", body.AutoArchiveDuration))
		return
	}
	f.mu.Lock()
	deny, existing := f.denyThreads[channel], f.threads[message] != nil
	f.mu.Unlock()
	switch {
	case deny:
		f.answer(w, c, http.StatusForbidden, map[string]any{"message": "Missing Permissions", "code": 50013})
		return
	case existing:
		f.answer(w, c, http.StatusBadRequest, map[string]any{"message": "A thread has already been created for this message", "code": codeThreadExists})
		return
	}
	archive := body.AutoArchiveDuration
	if archive == 0 {
		archive = 4320
	}
	thread := map[string]any{"id": message, "type": 11, "parent_id": channel, "name": body.Name,
		"owner_id": "900000000000000001", "last_message_id": nil, "rate_limit_per_user": 0, "flags": 0,
		"message_count": 0, "member_count": 1, "total_message_sent": 0,
		"thread_metadata": map[string]any{"archived": false, "auto_archive_duration": archive, "locked": false,
			"archive_timestamp": time.Now().UTC().Format(time.RFC3339), "create_timestamp": time.Now().UTC().Format(time.RFC3339)},
		"member": map[string]any{"id": message, "user_id": "900000000000000001", "flags": 1,
			"join_timestamp": time.Now().UTC().Format(time.RFC3339)}}
	if f.ThreadGuild != "" {
		thread["guild_id"] = f.ThreadGuild
	}
	f.mu.Lock()
	f.threads[message] = thread
	f.mu.Unlock()
	f.answer(w, c, http.StatusCreated, thread)
}

// AddFile serves data as Discord's CDN serves a file a member attached, at
// /attachments/<channel>/<id>/<name> with the signed query Discord adds, and
// returns its URL. Downloads are recorded as calls made "via" "cdn".
func (f *REST) AddFile(channel, id, name string, data []byte) string {
	path := "/attachments/" + channel + "/" + id + "/" + name
	f.mu.Lock()
	f.files[path] = append([]byte(nil), data...)
	f.mu.Unlock()
	return f.URL + path + "?ex=69a5c2f0&is=69a47170&hm=3f1c0e9a4b"
}

func (f *REST) serveFile(w http.ResponseWriter, r *http.Request) {
	c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Via: "cdn", At: time.Now()}
	f.mu.Lock()
	data, ok := f.files[r.URL.Path]
	f.mu.Unlock()
	switch {
	case r.Method != http.MethodGet:
		c.Status = http.StatusMethodNotAllowed
	case !ok || c.Query.Get("hm") == "":
		c.Status = http.StatusNotFound
	case r.Header.Get("Authorization") != "":
		// the CDN needs no token, and must never be given one
		c.Status, c.Problem = http.StatusBadRequest, "a token was sent to the CDN"
	default:
		c.Status = http.StatusOK
	}
	f.record(c, nil)
	if c.Status != http.StatusOK {
		http.Error(w, http.StatusText(c.Status), c.Status)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	_, _ = w.Write(data)
}

// limit is a 429 the fake will answer.
type limit struct {
	method string
	path   *regexp.Regexp
	after  time.Duration
	global bool
	left   int
}

// RateLimit makes the next n requests matching method and path (a regular
// expression) fail with 429 and retry_after; until that time has passed, any
// request on the same route is refused again, as Discord does.
func (f *REST) RateLimit(method, path string, retryAfter time.Duration, global bool, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, &limit{method: method, path: regexp.MustCompile(path), after: retryAfter, global: global, left: n})
}

// bucket is a per-route rate limit the fake announces in its headers.
type bucket struct {
	method string
	path   *regexp.Regexp
	size   int
	window time.Duration
	routes map[string]*window
}

type window struct {
	start time.Time
	used  int
}

// Bucket gives each route matching method and path a bucket of size requests per
// window, announced with the X-RateLimit headers; a client that ignores them gets
// 429s.
func (f *REST) Bucket(method, path string, size int, per time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buckets = append(f.buckets, &bucket{method: method, path: regexp.MustCompile(path), size: size, window: per, routes: map[string]*window{}})
}

// Acknowledge records that an interaction was answered through its HTTP request.
func (f *REST) Acknowledge(id, token string, body []byte, status int) {
	c := Call{Method: http.MethodPost, Path: "/interactions/" + id + "/" + token + "/callback", Body: body, Via: "http", Status: status}
	if status == http.StatusOK {
		if c.Problem = checkResponse(body); c.Problem != "" {
			// Discord shows the member that the application did not respond
			c.Status = http.StatusBadRequest
		}
	}
	f.record(c, func() {
		if c.Status == http.StatusOK {
			f.acked[token] = true
		}
	})
}

func (f *REST) record(c Call, also func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.At.IsZero() {
		c.At = time.Now()
	}
	f.calls = append(f.calls, c)
	if also != nil {
		also()
	}
	f.cond.Broadcast()
}

func (f *REST) id() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	return strconv.FormatInt(f.nextID, 10)
}

// routes the fake knows.
var (
	reGateway     = regexp.MustCompile(`^/gateway(/bot)?$`)
	reCommands    = regexp.MustCompile(`^/applications/(\d+)(?:/guilds/(\d+))?/commands$`)
	reCallback    = regexp.MustCompile(`^/interactions/(\d+)/([^/]+)/callback$`)
	reOriginal    = regexp.MustCompile(`^/webhooks/(\d+)/([^/]+)/messages/@original$`)
	reFollowup    = regexp.MustCompile(`^/webhooks/(\d+)/([^/]+)$`)
	reChannelPost = regexp.MustCompile(`^/channels/(\d+)/messages$`)
	reChannelEdit = regexp.MustCompile(`^/channels/(\d+)/messages/(\d+)$`)
	reDM          = regexp.MustCompile(`^/users/@me/channels$`)
	reRoles       = regexp.MustCompile(`^/guilds/(\d+)/roles$`)
	reMemberRole  = regexp.MustCompile(`^/guilds/(\d+)/members/(\d+)/roles/(\d+)$`)
	reThread      = regexp.MustCompile(`^/channels/(\d+)/messages/(\d+)/threads$`)
	reReaction    = regexp.MustCompile(`^/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me$`)
)

func (f *REST) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/attachments/") {
		f.serveFile(w, r)
		return
	}
	c := Call{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, APIPath), Query: r.URL.Query(), Header: r.Header.Clone(), Via: "rest", At: time.Now()}
	if !strings.HasPrefix(r.URL.Path, APIPath+"/") {
		f.answer(w, &c, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
		return
	}
	if err := readBody(r, &c); err != nil {
		f.answer(w, &c, http.StatusBadRequest, map[string]any{"message": "bad body: " + err.Error(), "code": 50109})
		return
	}
	if f.limited(w, &c) {
		return
	}
	p := c.Path
	authed := f.Token == "" || r.Header.Get("Authorization") == "Bot "+f.Token
	needsAuth := !reCallback.MatchString(p) && !reOriginal.MatchString(p) && !reFollowup.MatchString(p)
	if needsAuth && !authed {
		f.answer(w, &c, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	switch {
	case r.Method == http.MethodGet && reGateway.MatchString(p):
		f.answer(w, &c, http.StatusOK, map[string]any{"url": f.GatewayURL, "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}})
	case r.Method == http.MethodPut && reCommands.MatchString(p):
		f.putCommands(w, &c)
	case r.Method == http.MethodPost && reCallback.MatchString(p):
		m := reCallback.FindStringSubmatch(p)
		if problem := checkResponse(c.Body); problem != "" {
			f.invalid(w, &c, problem)
			return
		}
		f.mu.Lock()
		again := f.acked[m[2]]
		f.mu.Unlock()
		if again {
			f.answer(w, &c, http.StatusBadRequest, map[string]any{"message": "Interaction has already been acknowledged.", "code": 40060})
			return
		}
		f.answer(w, &c, http.StatusNoContent, nil)
		f.mu.Lock()
		f.acked[m[2]] = true
		f.mu.Unlock()
	case reOriginal.MatchString(p):
		m := reOriginal.FindStringSubmatch(p)
		if !f.awaitAck(m[2]) {
			f.answer(w, &c, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
			return
		}
		switch r.Method {
		case http.MethodPatch:
			if problem := checkMessage(c.Body, len(c.Files), true); problem != "" {
				f.invalid(w, &c, problem)
				return
			}
			f.answer(w, &c, http.StatusOK, f.message(c, "@original"))
		case http.MethodDelete:
			f.answer(w, &c, http.StatusNoContent, nil)
		default:
			f.answer(w, &c, http.StatusOK, f.message(c, "@original"))
		}
	case r.Method == http.MethodPost && reFollowup.MatchString(p):
		m := reFollowup.FindStringSubmatch(p)
		if !f.awaitAck(m[2]) {
			f.answer(w, &c, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
			return
		}
		if problem := checkMessage(c.Body, len(c.Files), false); problem != "" {
			f.invalid(w, &c, problem)
			return
		}
		if c.Query.Get("wait") != "true" {
			f.answer(w, &c, http.StatusNoContent, nil)
			return
		}
		f.answer(w, &c, http.StatusOK, f.message(c, ""))
	case r.Method == http.MethodPost && reChannelPost.MatchString(p):
		if problem := checkMessage(c.Body, len(c.Files), false); problem != "" {
			f.invalid(w, &c, problem)
			return
		}
		if strings.HasPrefix(reChannelPost.FindStringSubmatch(p)[1], "404") {
			f.answer(w, &c, http.StatusNotFound, map[string]any{"message": "Unknown Channel", "code": 10003})
			return
		}
		f.answer(w, &c, http.StatusOK, f.message(c, ""))
	case r.Method == http.MethodPatch && reChannelEdit.MatchString(p):
		if problem := checkMessage(c.Body, len(c.Files), true); problem != "" {
			f.invalid(w, &c, problem)
			return
		}
		f.answer(w, &c, http.StatusOK, f.message(c, reChannelEdit.FindStringSubmatch(p)[2]))
	case r.Method == http.MethodPost && reDM.MatchString(p):
		var body struct {
			RecipientID string `json:"recipient_id"`
		}
		if c.Decode(&body) != nil || body.RecipientID == "" {
			f.invalid(w, &c, "recipient_id is required")
			return
		}
		f.answer(w, &c, http.StatusOK, map[string]any{"id": "77" + body.RecipientID, "type": 1, "last_message_id": nil, "flags": 0,
			"recipients": []any{map[string]any{"id": body.RecipientID, "username": "member", "discriminator": "0", "global_name": nil, "avatar": nil}}})
	case r.Method == http.MethodGet && reRoles.MatchString(p):
		f.mu.Lock()
		roles := f.roles[reRoles.FindStringSubmatch(p)[1]]
		f.mu.Unlock()
		if roles == nil {
			roles = []map[string]any{}
		}
		f.answer(w, &c, http.StatusOK, roles)
	case r.Method == http.MethodPost && reThread.MatchString(p):
		m := reThread.FindStringSubmatch(p)
		f.startThread(w, &c, m[1], m[2])
	case r.Method == http.MethodPut && reReaction.MatchString(p):
		m := reReaction.FindStringSubmatch(p)
		emoji, err := url.PathUnescape(m[3])
		if err != nil || emoji == "" {
			f.answer(w, &c, http.StatusBadRequest, map[string]any{"message": "Unknown Emoji", "code": 10014})
			return
		}
		f.mu.Lock()
		f.reactions[m[1]+"/"+m[2]] = append(f.reactions[m[1]+"/"+m[2]], emoji)
		f.mu.Unlock()
		f.answer(w, &c, http.StatusNoContent, nil)
	case (r.Method == http.MethodPut || r.Method == http.MethodDelete) && reMemberRole.MatchString(p):
		m := reMemberRole.FindStringSubmatch(p)
		f.memberRole(w, &c, m[1], m[2], m[3])
	default:
		f.answer(w, &c, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
	}
}

// awaitAck waits a moment for an interaction to be answered: over HTTP the answer
// and the first follow-up leave the bot one right after the other.
func (f *REST) awaitAck(token string) bool {
	deadline := time.Now().Add(2 * time.Second)
	stop := time.AfterFunc(2*time.Second, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer stop.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for !f.acked[token] && time.Now().Before(deadline) {
		f.cond.Wait()
	}
	return f.acked[token]
}

// limited answers 429 when the route is rate limited, and adds the bucket headers.
func (f *REST) limited(w http.ResponseWriter, c *Call) bool {
	f.mu.Lock()
	route := c.Method + " " + c.Path
	now := time.Now()
	var l *limit
	for _, x := range f.limits {
		if x.left > 0 && x.method == c.Method && x.path.MatchString(c.Path) {
			l = x
			x.left--
			break
		}
	}
	if l != nil {
		key := route
		if l.global {
			key = "global"
		}
		f.blocked[key] = now.Add(l.after)
	}
	until := f.blocked[route]
	global := false
	if g := f.blocked["global"]; g.After(until) {
		until, global = g, true
	}
	for _, b := range f.buckets {
		if b.method != c.Method || !b.path.MatchString(c.Path) {
			continue
		}
		win := b.routes[route]
		if win == nil || now.Sub(win.start) >= b.window {
			win = &window{start: now}
			b.routes[route] = win
		}
		win.used++
		reset := b.window - now.Sub(win.start)
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(b.size))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, b.size-win.used)))
		h.Set("X-RateLimit-Reset-After", seconds(reset))
		h.Set("X-RateLimit-Reset", seconds(time.Duration(now.Add(reset).UnixNano())))
		h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(b.path.String())))
		if win.used > b.size && until.Before(win.start.Add(b.window)) {
			until = win.start.Add(b.window)
		}
	}
	f.mu.Unlock()
	// a client that waited what it was told may come back a hair early: its clock
	// started when the answer arrived, and durations are rounded to milliseconds
	if !until.After(now.Add(2 * time.Millisecond)) {
		return false
	}
	after := until.Sub(now)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(after.Seconds()))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", seconds(after))
	h.Set("X-RateLimit-Reset", seconds(time.Duration(until.UnixNano())))
	if global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	} else {
		h.Set("X-RateLimit-Scope", "user")
		h.Set("X-RateLimit-Bucket", "abcd1234")
	}
	retry, _ := strconv.ParseFloat(seconds(after), 64)
	f.answer(w, c, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": retry, "global": global})
	return true
}

// seconds writes a duration as Discord does, in seconds with milliseconds, rounded
// up so that a client waiting that long is never early.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(math.Ceil(float64(d)/float64(time.Millisecond))/1000, 'f', 3, 64)
}

func (f *REST) invalid(w http.ResponseWriter, c *Call, problem string) {
	c.Problem = problem
	f.answer(w, c, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035,
		"errors": map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_INVALID", "message": problem}}}})
}

func (f *REST) answer(w http.ResponseWriter, c *Call, status int, body any) {
	c.Status = status
	if m, ok := body.(map[string]any); ok && status >= 400 {
		c.Code, _ = m["code"].(int)
	}
	f.record(*c, nil)
	if body == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// message is the message object the fake answers with.
func (f *REST) message(c Call, id string) map[string]any {
	if id == "" || id == "@original" {
		id = f.id()
	}
	m := c.Map()
	if m == nil {
		m = map[string]any{}
	}
	channel := "1200000000000000001"
	if s := reChannelPost.FindStringSubmatch(c.Path); s != nil {
		channel = s[1]
	} else if s := reChannelEdit.FindStringSubmatch(c.Path); s != nil {
		channel = s[1]
	}
	out := map[string]any{"id": id, "channel_id": channel, "type": 0, "content": m["content"], "embeds": m["embeds"],
		"components": m["components"], "attachments": []any{}, "mentions": []any{}, "mention_roles": []any{},
		"pinned": false, "mention_everyone": false, "tts": false, "timestamp": time.Now().UTC().Format(time.RFC3339),
		"edited_timestamp": nil, "flags": m["flags"],
		"author": map[string]any{"id": "900000000000000001", "username": "crowdbot", "discriminator": "0", "bot": true, "avatar": nil, "global_name": nil}}
	for k, v := range out {
		if v == nil && k != "edited_timestamp" {
			delete(out, k)
		}
	}
	return out
}

func (f *REST) putCommands(w http.ResponseWriter, c *Call) {
	m := reCommands.FindStringSubmatch(c.Path)
	var cmds []map[string]any
	if err := c.Decode(&cmds); err != nil {
		f.invalid(w, c, "body is not an array of commands")
		return
	}
	if len(cmds) > 100 {
		f.invalid(w, c, "more than 100 commands")
		return
	}
	seen := map[string]bool{}
	for i, cmd := range cmds {
		if problem := checkCommand(cmd); problem != "" {
			f.invalid(w, c, fmt.Sprintf("commands[%d]: %s", i, problem))
			return
		}
		name, _ := cmd["name"].(string)
		if seen[name] {
			f.invalid(w, c, "two commands named "+name)
			return
		}
		seen[name] = true
		cmd["id"] = f.id()
		cmd["application_id"] = m[1]
		cmd["version"] = f.id()
		if m[2] != "" {
			cmd["guild_id"] = m[2]
		}
	}
	body, _ := json.Marshal(cmds)
	f.mu.Lock()
	f.commands[m[1]+"/"+m[2]] = body
	f.mu.Unlock()
	f.answer(w, c, http.StatusOK, cmds)
}

// readBody reads a JSON or multipart body into the call.
func readBody(r *http.Request, c *Call) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return nil
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		c.Body = data
		if !json.Valid(data) {
			return fmt.Errorf("not JSON")
		}
		return nil
	}
	mr := multipart.NewReader(strings.NewReader(string(data)), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		if p.FormName() == "payload_json" {
			c.Body = b
			continue
		}
		c.Files = append(c.Files, File{Field: p.FormName(), Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: b})
	}
	if c.Body == nil {
		return fmt.Errorf("multipart body without payload_json")
	}
	return nil
}

// units counts s in UTF-16 code units, as Discord counts lengths.
func units(s string) int { return len(utf16.Encode([]rune(s))) }

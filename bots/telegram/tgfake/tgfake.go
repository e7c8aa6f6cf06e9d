// Package tgfake is an in-process fake of the Telegram Bot API for tests: an
// httptest server that answers the methods crowdbot calls the way Telegram does
// (long-polled getUpdates with offsets, webhooks with their secret, messages kept so
// that they can be edited and their buttons pressed, HTML checked as Telegram parses
// it, Telegram's limits on lengths), fails on demand (429 with retry_after, 5xx,
// methods it lacks, users who never started the bot), and records every request.
package tgfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// Token is the bot token the fake accepts.
const Token = "123456:TEST-token_for_the_fake"

// Server is the fake Bot API.
type Server struct {
	*httptest.Server
	t  testing.TB
	Me User

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change, to wake waiters
	requests []Request
	queue    []Update // updates not yet confirmed
	acked    map[int]bool
	nextID   int // next update id
	nextMsg  int
	webhook  string
	secret   string
	messages map[int64]map[int]*Message
	answered map[string]bool
	admins   map[int64][]User
	files    map[string][]byte
	blocked  map[int64]bool // users who never started the bot
	failures map[string][]Failure
	missing  map[string]bool // methods this server lacks
	commands map[string][]BotCommand
	chats    map[int64]Chat
	topics   map[int64]map[int]bool // the forum topics of each chat
	// topicNames holds the names of the topics the bot created, by chat and topic
	topicNames map[int64]map[int]string
	// noTopicRights lists the forums where the bot may not manage topics
	noTopicRights map[int64]bool
	migrated      map[int64]int64 // groups upgraded to a supergroup, to its id
	payments      *payments
	hooks         *http.Client
	// promoted are the administrators the bot promoted, by chat, with their custom
	// title ("" for none)
	promoted map[int64]map[int64]string
}

// Request is one call the fake received.
type Request struct {
	Method string
	Params map[string]string
	Files  map[string]Upload
	Status int // the HTTP status the fake answered
	// MessageID is the id of the message a send made or an edit changed.
	MessageID int
	// InWebhookAnswer says the call came in the bot's answer to a webhook call
	// rather than as a request of its own.
	InWebhookAnswer bool
}

// Upload is a file sent in a multipart request.
type Upload struct {
	Name string
	Data []byte
}

// Failure is an error the fake answers a method with once.
type Failure struct {
	Code        int // 429, 500, 502, ...
	Description string
	RetryAfter  int    // seconds, for 429
	Raw         string // a body that is not JSON (a proxy's error page)
}

// New starts a fake for a bot whose username is username. It stops with the test.
func New(t testing.TB, username string) *Server {
	s := &Server{
		t:             t,
		Me:            User{ID: 777000111, IsBot: true, FirstName: "Crowd", Username: username, CanJoinGroups: true},
		changed:       make(chan struct{}),
		acked:         map[int]bool{},
		nextID:        500,
		nextMsg:       100,
		messages:      map[int64]map[int]*Message{},
		answered:      map[string]bool{},
		admins:        map[int64][]User{},
		files:         map[string][]byte{},
		blocked:       map[int64]bool{},
		failures:      map[string][]Failure{},
		missing:       map[string]bool{},
		commands:      map[string][]BotCommand{},
		chats:         map[int64]Chat{},
		topics:        map[int64]map[int]bool{},
		topicNames:    map[int64]map[int]string{},
		noTopicRights: map[int64]bool{},
		migrated:      map[int64]int64{},
		payments:      newPayments(),
		promoted:      map[int64]map[int64]string{},
		// Telegram keeps up to 40 connections open to a webhook (max_connections)
		hooks: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 40}},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Endpoint is the API endpoint in the SDK's form.
func (s *Server) Endpoint() string { return s.URL + "/bot%s/%s" }

// wake wakes every waiter; s.mu is held.
func (s *Server) wake() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Push sends an update to the bot: to its webhook when one is set (returning the
// webhook's HTTP status once it answered), else into the getUpdates queue (status 0).
// An update without an id gets the next one. It returns the update id.
func (s *Server) Push(u Update) (int, int) {
	s.mu.Lock()
	if u.UpdateID == 0 {
		s.nextID++
		u.UpdateID = s.nextID
	}
	hook, secret := s.webhook, s.secret
	if hook == "" {
		s.queue = append(s.queue, u)
		s.acked[u.UpdateID] = false
		s.wake()
	}
	s.mu.Unlock()
	if hook == "" {
		return u.UpdateID, 0
	}
	return u.UpdateID, s.post(hook, secret, u)
}

// Queue puts updates in the getUpdates queue together, so that the bot's next
// getUpdates returns them in one answer, as Telegram does with every update that
// waits. It returns their ids.
func (s *Server) Queue(us ...Update) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook != "" {
		s.t.Fatalf("tgfake: a webhook is set: updates are not queued")
	}
	ids := make([]int, len(us))
	for i, u := range us {
		if u.UpdateID == 0 {
			s.nextID++
			u.UpdateID = s.nextID
		}
		s.queue = append(s.queue, u)
		s.acked[u.UpdateID] = false
		ids[i] = u.UpdateID
	}
	s.wake()
	return ids
}

// PostWebhook posts an update to the registered webhook with the given secret
// header ("" sends none) and returns the HTTP status.
func (s *Server) PostWebhook(u Update, secret string) int {
	s.mu.Lock()
	hook := s.webhook
	s.mu.Unlock()
	if hook == "" {
		s.t.Fatalf("tgfake: no webhook is set")
	}
	return s.post(hook, secret, u)
}

func (s *Server) post(hook, secret string, u Update) int {
	body, _ := json.Marshal(u)
	req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.hooks.Do(req)
	if err != nil {
		s.t.Errorf("tgfake: webhook: %v", err)
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		s.webhookAnswer(resp)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// webhookAnswer runs the Bot API call a webhook's answer carries, as Telegram does:
// the method in its "method" field, the other fields its parameters. The bot is told
// nothing of the outcome; the call is recorded as any other, marked InWebhookAnswer.
func (s *Server) webhookAnswer(resp *http.Response) {
	req := Request{Params: map[string]string{}, Files: map[string]Upload{}, InWebhookAnswer: true}
	r := &http.Request{Header: http.Header{"Content-Type": resp.Header.Values("Content-Type")}, Body: resp.Body, URL: &url.URL{}}
	if err := decode(r, &req); err != nil {
		s.t.Errorf("tgfake: the answer to a webhook call: %v", err)
		return
	}
	req.Method = req.Params["method"]
	delete(req.Params, "method")
	if req.Method == "" {
		return // an answer with nothing to do
	}
	code, res := s.call(req)
	s.recordCall(req, code, res)
}

// recordCall records a call with the message it made or changed.
func (s *Server) recordCall(req Request, code int, res response) {
	if m, ok := res.Result.(*Message); ok && code == http.StatusOK {
		req.MessageID = m.MessageID
	}
	s.record(req, code)
}

// WaitConfirmed waits until the bot confirmed update id by asking for updates past
// it, which it does only after handling it.
func (s *Server) WaitConfirmed(id int) {
	s.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		s.mu.Lock()
		done := s.acked[id]
		ch := s.changed
		s.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			s.t.Fatalf("tgfake: update %d was never confirmed", id)
		}
	}
}

// Confirmed reports whether the bot confirmed update id.
func (s *Server) Confirmed(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acked[id]
}

// Requeue puts a delivered update back in the queue, as when the bot that got it
// died before confirming it.
func (s *Server) Requeue(u Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append([]Update{u}, s.queue...)
	s.acked[u.UpdateID] = false
	s.wake()
}

// Answered reports whether the bot answered the callback query id.
func (s *Server) Answered(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[id]
}

// Requests returns every request so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Mark returns the number of requests so far, for Since.
func (s *Server) Mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Since returns the requests made after a Mark, leaving out the polling itself.
func (s *Server) Since(mark int) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests[mark:] {
		if r.Method != "getUpdates" {
			out = append(out, r)
		}
	}
	return out
}

// Fail makes the next call of method fail with f (queued: one per call).
func (s *Server) Fail(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f)
}

// Lack makes the fake answer method with 404, as an older server would.
func (s *Server) Lack(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missing[method] = true
}

// SetAdmins sets a chat's administrators (the first is its creator).
func (s *Server) SetAdmins(chat int64, users ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.admins[chat] = users
}

// Promote makes user an administrator of chat promoted by the bot, whose custom
// title the bot may set.
func (s *Server) Promote(chat int64, user int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.promoted[chat] == nil {
		s.promoted[chat] = map[int64]string{}
	}
	s.promoted[chat][user] = ""
}

// CustomTitle returns the custom title the bot set for an administrator of chat.
func (s *Server) CustomTitle(chat, user int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.promoted[chat][user]
}

// setCustomTitle answers setChatAdministratorCustomTitle as Telegram does: for
// supergroups only, for administrators the bot promoted, with a title of 0 to 16
// characters and no emoji.
func (s *Server) setCustomTitle(p map[string]string) (int, response) {
	chat, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chat == 0 {
		return bad("chat not found")
	}
	user, err := strconv.ParseInt(p["user_id"], 10, 64)
	if err != nil || user <= 0 {
		return bad("invalid user_id specified")
	}
	c, known := s.chats[chat]
	switch {
	case !known:
		return bad("chat not found")
	case c.Type != "supergroup":
		return bad("method is available only for supergroups")
	}
	title := p["custom_title"]
	if utf16Len(title) > 16 {
		return bad("ADMIN_RANK_INVALID")
	}
	for _, r := range title {
		if r >= 0x1F000 || r >= 0x2600 && r <= 0x27BF || r == 0xFE0F || r == 0x200D {
			return bad("ADMIN_RANK_EMOJI_NOT_ALLOWED")
		}
	}
	if _, ok := s.promoted[chat][user]; !ok {
		return bad("not enough rights to change custom title of the user")
	}
	s.promoted[chat][user] = title
	return ok(true)
}

// AddFile stores a file the bot may download.
func (s *Server) AddFile(fileID string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = data
}

// NeverStarted marks a user who never opened a private chat with the bot: the bot
// cannot write to them.
func (s *Server) NeverStarted(user int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[user] = true
}

// Commands returns the command menu set for a language code ("" for the default).
func (s *Server) Commands(lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[lang]
}

// Webhook returns the registered webhook URL and secret.
func (s *Server) Webhook() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// Message returns a message the bot sent, as it is now.
func (s *Server) Message(chat int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[chat][id]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// LastMessage returns the last message the bot sent to a chat that has a button
// whose callback data starts with prefix ("" for the last message at all).
func (s *Server) LastMessage(chat int64, prefix string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *Message
	for _, m := range s.messages[chat] {
		if best != nil && m.MessageID < best.MessageID {
			continue
		}
		if prefix == "" || hasButton(m, prefix) {
			best = m
		}
	}
	if best == nil {
		return Message{}, false
	}
	return *best, true
}

func hasButton(m *Message, prefix string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" && strings.HasPrefix(b.CallbackData, prefix) {
				return true
			}
		}
	}
	return false
}

// Button returns the callback data of a message's first button starting with prefix.
func Button(m Message, prefix string) (string, bool) {
	if m.ReplyMarkup == nil {
		return "", false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" && strings.HasPrefix(b.CallbackData, prefix) {
				return b.CallbackData, true
			}
		}
	}
	return "", false
}

// serve answers one request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+Token+"/"); ok {
		s.mu.Lock()
		data, ok := s.files[rest]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
		return
	}
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	req := Request{Method: method, Params: map[string]string{}, Files: map[string]Upload{}}
	if err := decode(r, &req); err != nil {
		s.finish(w, req, http.StatusBadRequest, response{Description: "Bad Request: " + err.Error()})
		return
	}
	if !ok || token != Token {
		s.finish(w, req, http.StatusUnauthorized, response{Description: "Unauthorized"})
		return
	}
	s.mu.Lock()
	lacking := s.missing[method]
	var fail *Failure
	if q := s.failures[method]; len(q) > 0 {
		fail, s.failures[method] = &q[0], q[1:]
	}
	s.mu.Unlock()
	switch {
	case lacking:
		s.finish(w, req, http.StatusNotFound, response{Description: "Not Found"})
		return
	case fail != nil && fail.Raw != "":
		s.record(req, fail.Code)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(fail.Code)
		_, _ = io.WriteString(w, fail.Raw)
		return
	case fail != nil:
		res := response{Description: fail.Description}
		if fail.RetryAfter > 0 {
			res.Parameters = &ResponseParameters{RetryAfter: fail.RetryAfter}
			if res.Description == "" {
				res.Description = fmt.Sprintf("Too Many Requests: retry after %d", fail.RetryAfter)
			}
		}
		if res.Description == "" {
			res.Description = http.StatusText(fail.Code)
		}
		s.finish(w, req, fail.Code, res)
		return
	}
	if method == "getUpdates" {
		s.getUpdates(w, r, req)
		return
	}
	code, res := s.call(req)
	s.finish(w, req, code, res)
}

// finish records a request and writes the Bot API's answer.
func (s *Server) finish(w http.ResponseWriter, req Request, code int, res response) {
	s.recordCall(req, code, res)
	res.OK = code == http.StatusOK
	if !res.OK {
		res.ErrorCode = code
		res.Result = nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(res)
}

func (s *Server) record(req Request, code int) {
	req.Status = code
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	s.wake()
}

// decode reads a request's parameters: query string, form, multipart or JSON, as
// the Bot API accepts them all.
func decode(r *http.Request, req *Request) error {
	for k, v := range r.URL.Query() {
		req.Params[k] = v[0]
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return err
		}
		for k, v := range r.MultipartForm.Value {
			req.Params[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return err
			}
			req.Files[k] = Upload{Name: fhs[0].Filename, Data: data}
		}
	case strings.HasPrefix(ct, "application/json"):
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil && err != io.EOF {
			return err
		}
		for k, v := range m {
			if s, ok := v.(string); ok {
				req.Params[k] = s
			} else {
				b, _ := json.Marshal(v)
				req.Params[k] = string(b)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return err
		}
		for k, v := range r.PostForm {
			req.Params[k] = v[0]
		}
	}
	return nil
}

// getUpdates answers the pending updates from offset on, waiting up to timeout
// seconds for some to come. Asking from an offset confirms every update before it.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, req Request) {
	offset, _ := strconv.Atoi(req.Params["offset"])
	timeout, _ := strconv.Atoi(req.Params["timeout"])
	limit, _ := strconv.Atoi(req.Params["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	s.mu.Lock()
	if s.webhook != "" {
		s.mu.Unlock()
		s.finish(w, req, http.StatusConflict, response{Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
		return
	}
	s.mu.Unlock()
	wait := time.NewTimer(time.Duration(timeout) * time.Second)
	defer wait.Stop()
	for {
		s.mu.Lock()
		if offset > 0 {
			// everything before the offset is confirmed, and forgotten
			kept, confirmed := s.queue[:0], false
			for _, u := range s.queue {
				if u.UpdateID < offset {
					s.acked[u.UpdateID], confirmed = true, true
				} else {
					kept = append(kept, u)
				}
			}
			s.queue = kept
			if confirmed {
				s.wake()
			}
		}
		var out []Update
		for _, u := range s.queue {
			if u.UpdateID >= offset && len(out) < limit {
				out = append(out, u)
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if len(out) > 0 {
			s.finish(w, req, http.StatusOK, response{Result: out})
			return
		}
		select {
		case <-ch:
		case <-wait.C:
			s.finish(w, req, http.StatusOK, response{Result: []Update{}})
			return
		case <-r.Context().Done():
			s.record(req, 499)
			return
		}
	}
}

// call answers every method but getUpdates.
func (s *Server) call(req Request) (int, response) {
	p := req.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req.Method {
	case "getMe":
		return ok(s.Me)
	case "setWebhook":
		if p["url"] == "" {
			return bad("bad webhook: An HTTPS URL must be provided for webhook")
		}
		s.webhook, s.secret = p["url"], p["secret_token"]
		return ok(true)
	case "deleteWebhook":
		s.webhook, s.secret = "", ""
		return ok(true)
	case "setMyCommands":
		var cmds []BotCommand
		if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
			return bad("can't parse commands JSON object")
		}
		if len(cmds) > 100 {
			return bad("too many commands")
		}
		for _, c := range cmds {
			if !validCommand(c.Command) {
				return bad("BOT_COMMAND_INVALID")
			}
			if n := utf16Len(c.Description); n < 1 || n > 256 {
				return bad("BOT_COMMAND_DESCRIPTION_INVALID")
			}
		}
		s.commands[p["language_code"]] = cmds
		return ok(true)
	case "sendMessage", "sendPhoto", "sendDocument":
		return s.send(req)
	case "editMessageText", "editMessageCaption", "editMessageReplyMarkup":
		return s.edit(req)
	case "answerCallbackQuery":
		id := p["callback_query_id"]
		if id == "" || s.answered[id] {
			return bad("query is too old and response timeout expired or query ID is invalid")
		}
		if utf16Len(p["text"]) > 200 {
			return bad("MESSAGE_TOO_LONG")
		}
		s.answered[id] = true
		return ok(true)
	case "getChatAdministrators":
		chat, _ := strconv.ParseInt(p["chat_id"], 10, 64)
		if chat > 0 {
			return bad("there are no administrators in the private chat")
		}
		if to, ok := s.migrated[chat]; ok {
			return upgraded(to)
		}
		admins, known := s.admins[chat]
		if !known {
			return bad("chat not found")
		}
		out := make([]ChatMember, len(admins))
		for i, u := range admins {
			out[i] = ChatMember{Status: "administrator", User: u}
			if i == 0 {
				out[i].Status = "creator"
			}
		}
		return ok(out)
	case "setChatAdministratorCustomTitle":
		return s.setCustomTitle(p)
	case "createForumTopic":
		return s.createTopic(p)
	case "sendInvoice":
		return s.sendInvoice(req)
	case "answerPreCheckoutQuery":
		return s.answerPreCheckout(req)
	case "refundStarPayment":
		return s.refundStarPayment(req)
	case "getFile":
		id := p["file_id"]
		data, known := s.files[id]
		if !known {
			return bad("invalid file_id")
		}
		return ok(File{FileID: id, FileUniqueID: "u" + id, FileSize: len(data), FilePath: id})
	}
	return http.StatusNotFound, response{Description: "Not Found: method not found"}
}

func ok(v any) (int, response) { return http.StatusOK, response{Result: v} }

func bad(desc string) (int, response) {
	return http.StatusBadRequest, response{Description: "Bad Request: " + desc}
}

// send answers sendMessage, sendPhoto and sendDocument.
func (s *Server) send(req Request) (int, response) {
	p := req.Params
	chat, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chat == 0 {
		return bad("chat not found")
	}
	if s.blocked[chat] {
		return http.StatusForbidden, response{Description: "Forbidden: bot can't initiate conversation with a user"}
	}
	if to, ok := s.migrated[chat]; ok {
		return upgraded(to)
	}
	m := &Message{From: &s.Me, Date: time.Now().Unix(), Chat: s.chat(chat)}
	if raw := p["message_thread_id"]; raw != "" {
		thread, err := strconv.Atoi(raw)
		if err != nil || !m.Chat.IsForum || !s.topics[chat][thread] {
			return bad("message thread not found")
		}
		m.MessageThreadID, m.IsTopicMessage = thread, true
	}
	text := p["text"]
	switch req.Method {
	case "sendMessage":
		plain, err := parseText(text, p["parse_mode"])
		if err != nil {
			return bad("can't parse entities: " + err.Error())
		}
		if strings.TrimSpace(plain) == "" {
			return bad("message text is empty")
		}
		if utf16Len(plain) > 4096 {
			return bad("message is too long")
		}
		m.Text = plain
	default:
		field := "photo"
		if req.Method == "sendDocument" {
			field = "document"
		}
		f, has := req.Files[field]
		if !has || len(f.Data) == 0 {
			return bad("there is no " + field + " in the request")
		}
		plain, err := parseText(p["caption"], p["parse_mode"])
		if err != nil {
			return bad("can't parse entities: " + err.Error())
		}
		if utf16Len(plain) > 1024 {
			return bad("message caption is too long")
		}
		m.Caption = plain
		s.files["sent-"+strconv.Itoa(s.nextMsg+1)] = f.Data
		if field == "photo" {
			m.Photo = []PhotoSize{{FileID: "sent-" + strconv.Itoa(s.nextMsg+1), Width: 800, Height: 600, FileSize: len(f.Data)}}
		} else {
			m.Document = &Document{FileID: "sent-" + strconv.Itoa(s.nextMsg+1), FileName: f.Name, FileSize: len(f.Data)}
		}
	}
	markup, err := readMarkup(p["reply_markup"])
	if err != nil {
		return bad(err.Error())
	}
	if markup != nil && len(markup.InlineKeyboard) > 0 {
		m.ReplyMarkup = markup
	}
	if to, _ := strconv.Atoi(p["reply_to_message_id"]); to != 0 {
		if orig, ok := s.messages[chat][to]; ok {
			m.ReplyToMessage = orig
		}
	}
	s.nextMsg++
	m.MessageID = s.nextMsg
	if s.messages[chat] == nil {
		s.messages[chat] = map[int]*Message{}
	}
	s.messages[chat][m.MessageID] = m
	cp := *m
	return ok(&cp)
}

// AddChat makes a chat known, so that the messages sent to it carry its type and title.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[c.ID] = c
}

// AddTopic opens a topic in a forum supergroup (a chat added with IsForum), so that
// messages may be sent to it with its message_thread_id.
func (s *Server) AddTopic(chat int64, thread int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics[chat] == nil {
		s.topics[chat] = map[int]bool{}
	}
	s.topics[chat][thread] = true
}

// DenyTopics makes a forum answer createForumTopic as Telegram does when the bot is
// no administrator with can_manage_topics: 400 "not enough rights".
func (s *Server) DenyTopics(chat int64, deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noTopicRights[chat] = deny
}

// TopicName returns the name of a topic the bot created, "" for none.
func (s *Server) TopicName(chat int64, thread int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.topicNames[chat][thread]
}

// createTopic answers createForumTopic: in a forum supergroup, a topic named 1-128
// characters whose id is that of its service message (forum_topic_created), with
// the ForumTopic object.
func (s *Server) createTopic(p map[string]string) (int, response) {
	chat, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chat == 0 {
		return bad("chat not found")
	}
	c := s.chat(chat)
	switch n := len([]rune(p["name"])); {
	case !c.IsForum:
		return bad("the chat is not a forum")
	case s.noTopicRights[chat]:
		return bad("not enough rights to create a topic")
	case n < 1 || n > 128:
		return bad("TOPIC_NAME_INVALID")
	}
	s.nextMsg++
	thread := s.nextMsg
	if s.topics[chat] == nil {
		s.topics[chat] = map[int]bool{}
	}
	if s.topicNames[chat] == nil {
		s.topicNames[chat] = map[int]string{}
	}
	s.topics[chat][thread], s.topicNames[chat][thread] = true, p["name"]
	if s.messages[chat] == nil {
		s.messages[chat] = map[int]*Message{}
	}
	s.messages[chat][thread] = &Message{MessageID: thread, MessageThreadID: thread, From: &s.Me, Date: time.Now().Unix(),
		Chat: c, IsTopicMessage: true}
	return ok(ForumTopic{MessageThreadID: thread, Name: p["name"], IconColor: 7322096})
}

// Migrate upgrades a group to the supergroup to: from then on, whatever is sent to the
// group or edited in it is refused, as Telegram refuses it, with the new id in the
// answer's parameters. It returns the service messages Telegram sends to the bot,
// the group's (migrate_to_chat_id) and the supergroup's (migrate_from_chat_id).
func (s *Server) Migrate(from Chat, to Chat, by User) (Update, Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.migrated[from.ID] = to.ID
	s.chats[to.ID] = to
	date := time.Now().Unix()
	s.nextMsg++
	old := &Message{MessageID: s.nextMsg, From: &by, Date: date, Chat: from, MigrateToChatID: to.ID}
	s.nextMsg++
	next := &Message{MessageID: s.nextMsg, From: &by, Date: date, Chat: to, MigrateFromChatID: from.ID}
	return Update{Message: old}, Update{Message: next}
}

// upgraded is Telegram's refusal of a call to a group that became a supergroup.
func upgraded(to int64) (int, response) {
	return http.StatusBadRequest, response{Description: "Bad Request: group chat was upgraded to a supergroup chat",
		Parameters: &ResponseParameters{MigrateToChatID: to}}
}

// chat describes a chat id as a Chat.
func (s *Server) chat(id int64) Chat {
	if c, ok := s.chats[id]; ok {
		return c
	}
	if id > 0 {
		return Chat{ID: id, Type: "private"}
	}
	return Chat{ID: id, Type: "supergroup"}
}

// edit answers editMessageText, editMessageCaption and editMessageReplyMarkup.
func (s *Server) edit(req Request) (int, response) {
	p := req.Params
	chat, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	id, _ := strconv.Atoi(p["message_id"])
	if to, ok := s.migrated[chat]; ok {
		return upgraded(to)
	}
	m, found := s.messages[chat][id]
	if !found {
		return bad("message to edit not found")
	}
	markup, err := readMarkup(p["reply_markup"])
	if err != nil {
		return bad(err.Error())
	}
	next := *m
	next.ReplyMarkup = nil
	if markup != nil && len(markup.InlineKeyboard) > 0 {
		next.ReplyMarkup = markup
	}
	switch req.Method {
	case "editMessageText":
		if m.Text == "" {
			return bad("there is no text in the message to edit")
		}
		plain, err := parseText(p["text"], p["parse_mode"])
		if err != nil {
			return bad("can't parse entities: " + err.Error())
		}
		if strings.TrimSpace(plain) == "" {
			return bad("message text is empty")
		}
		if utf16Len(plain) > 4096 {
			return bad("MESSAGE_TOO_LONG")
		}
		next.Text = plain
	case "editMessageCaption":
		if m.Photo == nil && m.Document == nil {
			return bad("there is no caption in the message to edit")
		}
		plain, err := parseText(p["caption"], p["parse_mode"])
		if err != nil {
			return bad("can't parse entities: " + err.Error())
		}
		if utf16Len(plain) > 1024 {
			return bad("message caption is too long")
		}
		next.Caption = plain
	}
	before, _ := json.Marshal(m)
	after, _ := json.Marshal(&next)
	if bytes.Equal(before, after) {
		return bad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	*m = next
	cp := *m
	return ok(&cp)
}

// readMarkup reads a reply_markup parameter and checks its buttons.
func readMarkup(raw string) (*ReplyMarkup, error) {
	if raw == "" {
		return nil, nil
	}
	var m ReplyMarkup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, fmt.Errorf("text buttons are unallowed in the inline keyboard")
			}
			if (b.CallbackData == "") == (b.URL == "") {
				return nil, fmt.Errorf("BUTTON_TYPE_INVALID")
			}
			if len(b.CallbackData) > 64 {
				return nil, fmt.Errorf("BUTTON_DATA_INVALID")
			}
		}
	}
	return &m, nil
}

func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

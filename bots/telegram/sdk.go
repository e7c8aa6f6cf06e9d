package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// sdk implements API with github.com/go-telegram-bot-api/telegram-bot-api/v5. The SDK
// takes no context, so each call runs on a copy of the SDK's client whose HTTP
// requests carry the call's context (and whose HTTP status is kept, because the SDK
// drops it for uploads and for bodies that are not JSON).
type sdk struct {
	bot          *tgbotapi.BotAPI
	http         *http.Client
	token        string
	fileEndpoint string // the file download URL, in the form .../file/bot%s/%s
}

// Dial connects to the Bot API at endpoint (in the form https://host/bot%s/%s; ""
// for Telegram's own), checks the token with getMe and returns the API and the bot's
// own user. The token never appears in the errors it returns.
func Dial(ctx context.Context, token, endpoint string, client *http.Client) (API, User, error) {
	if endpoint == "" {
		endpoint = tgbotapi.APIEndpoint
	}
	if client == nil {
		client = &http.Client{}
	}
	s := &sdk{http: client, token: token, fileEndpoint: fileEndpoint(endpoint)}
	d := &doer{ctx: ctx, client: client}
	bot, err := tgbotapi.NewBotAPIWithClient(token, endpoint, d)
	if err != nil {
		return nil, User{}, s.fail("getMe", d, err)
	}
	s.bot = bot
	return s, bot.Self, nil
}

// fileEndpoint derives the file download URL from the API endpoint: Telegram serves
// files under /file/bot<token>/<path> next to /bot<token>/<method>.
func fileEndpoint(api string) string {
	if prefix, ok := strings.CutSuffix(api, "/bot%s/%s"); ok {
		return prefix + "/file/bot%s/%s"
	}
	return tgbotapi.FileEndpoint
}

// doer is the SDK's HTTP client for one call.
type doer struct {
	ctx    context.Context
	client *http.Client
	status int
}

// Do sends the SDK's request with the call's context and keeps the HTTP status.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req.WithContext(d.ctx))
	if resp != nil {
		d.status = resp.StatusCode
	}
	return resp, err
}

// with returns a copy of the SDK client bound to ctx.
func (s *sdk) with(ctx context.Context) (*tgbotapi.BotAPI, *doer) {
	d := &doer{ctx: ctx, client: s.http}
	b := *s.bot
	b.Client = d
	return &b, d
}

// call makes a request and returns its result.
func (s *sdk) call(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	b, d := s.with(ctx)
	resp, err := b.MakeRequest(method, params)
	if err != nil {
		return nil, s.fail(method, d, err)
	}
	return resp.Result, nil
}

// upload makes a multipart request with one file.
func (s *sdk) upload(ctx context.Context, method string, params tgbotapi.Params, field string, f Upload) (json.RawMessage, error) {
	b, d := s.with(ctx)
	resp, err := b.UploadFiles(method, params, []tgbotapi.RequestFile{{Name: field, Data: tgbotapi.FileBytes{Name: f.Name, Bytes: f.Data}}})
	if err != nil {
		return nil, s.fail(method, d, err)
	}
	return resp.Result, nil
}

// fail turns the SDK's error into an *Error when Telegram answered, or into an error
// with the token cut out when the request did not get through (its URL holds it).
func (s *sdk) fail(method string, d *doer, err error) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		status := te.Code
		if status == 0 {
			status = d.status
		}
		return &Error{Method: method, Status: status, Description: te.Message,
			RetryAfter: time.Duration(te.RetryAfter) * time.Second, MigrateTo: te.MigrateToChatID}
	}
	if d.status >= 400 {
		return &Error{Method: method, Status: d.status, Description: http.StatusText(d.status)}
	}
	msg := err.Error()
	if s.token != "" {
		msg = strings.ReplaceAll(msg, s.token, "<token>")
	}
	if cerr := d.ctx.Err(); cerr != nil {
		return fmt.Errorf("telegram %s: %w", method, cerr)
	}
	return fmt.Errorf("telegram %s: %s", method, msg)
}

// GetUpdates implements API.
func (s *sdk) GetUpdates(ctx context.Context, offset int, timeout time.Duration, allowed []string) ([]Update, error) {
	p := tgbotapi.Params{}
	p.AddNonZero("offset", offset)
	p.AddNonZero("timeout", int(timeout/time.Second))
	if len(allowed) > 0 {
		if err := p.AddInterface("allowed_updates", allowed); err != nil {
			return nil, err
		}
	}
	res, err := s.call(ctx, "getUpdates", p)
	if err != nil {
		return nil, err
	}
	var out []Update
	if err := json.Unmarshal(res, &out); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: %w", err)
	}
	return out, nil
}

// SetWebhook implements API.
func (s *sdk) SetWebhook(ctx context.Context, url, secret string, allowed []string) error {
	p := tgbotapi.Params{"url": url}
	p.AddNonEmpty("secret_token", secret)
	if len(allowed) > 0 {
		if err := p.AddInterface("allowed_updates", allowed); err != nil {
			return err
		}
	}
	_, err := s.call(ctx, "setWebhook", p)
	return err
}

// DeleteWebhook implements API.
func (s *sdk) DeleteWebhook(ctx context.Context) error {
	_, err := s.call(ctx, "deleteWebhook", tgbotapi.Params{})
	return err
}

// SetMyCommands implements API.
func (s *sdk) SetMyCommands(ctx context.Context, commands []BotCommand, languageCode string) error {
	p := tgbotapi.Params{}
	if err := p.AddInterface("commands", commands); err != nil {
		return err
	}
	p.AddNonEmpty("language_code", languageCode)
	_, err := s.call(ctx, "setMyCommands", p)
	return err
}

// params are the fields every message shares.
func (m Outgoing) params(text string) (tgbotapi.Params, error) {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(m.ChatID, 10)}
	p.AddNonZero("message_thread_id", m.ThreadID)
	if m.Text != "" {
		p[text] = m.Text
		p["parse_mode"] = tgbotapi.ModeHTML
	}
	if m.ReplyTo != 0 {
		p.AddNonZero("reply_to_message_id", m.ReplyTo)
		p.AddBool("allow_sending_without_reply", true)
	}
	var markup any
	switch {
	case m.ForceReply:
		markup = tgbotapi.ForceReply{ForceReply: true, Selective: true}
	case len(m.Keyboard) > 0:
		markup = keyboard(m.Keyboard)
	}
	if markup != nil {
		if err := p.AddInterface("reply_markup", markup); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func keyboard(rows [][]KeyButton) tgbotapi.InlineKeyboardMarkup {
	kb := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: make([][]tgbotapi.InlineKeyboardButton, 0, len(rows))}
	for _, row := range rows {
		r := make([]tgbotapi.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			if b.URL != "" {
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, r)
	}
	return kb
}

// messageID reads the id of the message a send returned.
func messageID(method string, res json.RawMessage) (int, error) {
	var m struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(res, &m); err != nil {
		return 0, fmt.Errorf("telegram %s: %w", method, err)
	}
	return m.MessageID, nil
}

// SendMessage implements API.
func (s *sdk) SendMessage(ctx context.Context, m Outgoing) (int, error) {
	p, err := m.params("text")
	if err != nil {
		return 0, err
	}
	res, err := s.call(ctx, "sendMessage", p)
	if err != nil {
		return 0, err
	}
	return messageID("sendMessage", res)
}

// SendPhoto implements API.
func (s *sdk) SendPhoto(ctx context.Context, m Outgoing, photo Upload) (int, error) {
	p, err := m.params("caption")
	if err != nil {
		return 0, err
	}
	res, err := s.upload(ctx, "sendPhoto", p, "photo", photo)
	if err != nil {
		return 0, err
	}
	return messageID("sendPhoto", res)
}

// SendDocument implements API.
func (s *sdk) SendDocument(ctx context.Context, m Outgoing, doc Upload) (int, error) {
	p, err := m.params("caption")
	if err != nil {
		return 0, err
	}
	res, err := s.upload(ctx, "sendDocument", p, "document", doc)
	if err != nil {
		return 0, err
	}
	return messageID("sendDocument", res)
}

// EditMessageText implements API.
func (s *sdk) EditMessageText(ctx context.Context, chatID int64, id int, m Outgoing) error {
	m.ChatID, m.ThreadID, m.ReplyTo, m.ForceReply = chatID, 0, 0, false
	p, err := m.params("text")
	if err != nil {
		return err
	}
	p.AddNonZero("message_id", id)
	_, err = s.call(ctx, "editMessageText", p)
	return err
}

// EditMessageCaption implements API.
func (s *sdk) EditMessageCaption(ctx context.Context, chatID int64, id int, m Outgoing) error {
	m.ChatID, m.ThreadID, m.ReplyTo, m.ForceReply = chatID, 0, 0, false
	p, err := m.params("caption")
	if err != nil {
		return err
	}
	p.AddNonZero("message_id", id)
	_, err = s.call(ctx, "editMessageCaption", p)
	return err
}

// EditMessageReplyMarkup implements API.
func (s *sdk) EditMessageReplyMarkup(ctx context.Context, chatID int64, id int, rows [][]KeyButton) error {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10)}
	p.AddNonZero("message_id", id)
	if err := p.AddInterface("reply_markup", keyboard(rows)); err != nil {
		return err
	}
	_, err := s.call(ctx, "editMessageReplyMarkup", p)
	return err
}

// AnswerCallbackQuery implements API.
func (s *sdk) AnswerCallbackQuery(ctx context.Context, id, text string, alert bool) error {
	p := tgbotapi.Params{"callback_query_id": id}
	p.AddNonEmpty("text", text)
	p.AddBool("show_alert", alert)
	_, err := s.call(ctx, "answerCallbackQuery", p)
	return err
}

// GetChatAdministrators implements API.
func (s *sdk) GetChatAdministrators(ctx context.Context, chatID int64) ([]int64, error) {
	res, err := s.call(ctx, "getChatAdministrators", tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10)})
	if err != nil {
		return nil, err
	}
	var members []tgbotapi.ChatMember
	if err := json.Unmarshal(res, &members); err != nil {
		return nil, fmt.Errorf("telegram getChatAdministrators: %w", err)
	}
	ids := make([]int64, 0, len(members))
	for _, m := range members {
		if m.User != nil && (m.Status == "creator" || m.Status == "administrator") {
			ids = append(ids, m.User.ID)
		}
	}
	return ids, nil
}

// SetChatAdministratorCustomTitle implements API.
func (s *sdk) SetChatAdministratorCustomTitle(ctx context.Context, chatID, userID int64, title string) error {
	_, err := s.call(ctx, "setChatAdministratorCustomTitle", tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10),
		"user_id": strconv.FormatInt(userID, 10), "custom_title": title})
	return err
}

// CreateForumTopic implements API.
func (s *sdk) CreateForumTopic(ctx context.Context, chatID int64, name string) (int, error) {
	res, err := s.call(ctx, "createForumTopic", tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "name": name})
	if err != nil {
		return 0, err
	}
	var topic struct {
		MessageThreadID int `json:"message_thread_id"`
	}
	if err := json.Unmarshal(res, &topic); err != nil || topic.MessageThreadID == 0 {
		return 0, fmt.Errorf("telegram createForumTopic: no topic in %s", res)
	}
	return topic.MessageThreadID, nil
}

// errTooLarge is returned for a file over the size cap.
var errTooLarge = errors.New("telegram: file too large")

// DownloadFile implements API.
func (s *sdk) DownloadFile(ctx context.Context, fileID string, max int64) ([]byte, error) {
	res, err := s.call(ctx, "getFile", tgbotapi.Params{"file_id": fileID})
	if err != nil {
		return nil, err
	}
	var f tgbotapi.File
	if err := json.Unmarshal(res, &f); err != nil {
		return nil, fmt.Errorf("telegram getFile: %w", err)
	}
	if int64(f.FileSize) > max {
		return nil, errTooLarge
	}
	if f.FilePath == "" {
		return nil, errors.New("telegram getFile: no file path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(s.fileEndpoint, s.token, f.FilePath), nil)
	if err != nil {
		return nil, errors.New("telegram download: bad file path")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		d := &doer{ctx: ctx}
		return nil, s.fail("download", d, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{Method: "download", Status: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("telegram download: %w", err)
	}
	if int64(len(data)) > max {
		return nil, errTooLarge
	}
	return data, nil
}

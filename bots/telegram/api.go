package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The payloads Telegram sends are read into the SDK's types, completed with the
// fields of later Bot API versions that the SDK lacks (forum topics); everything the
// adapter sends goes through API, whose signatures use the adapter's own types.
type (
	// Chat is a chat in an update.
	Chat = tgbotapi.Chat
	// User is a Telegram user or bot.
	User = tgbotapi.User
	// BotCommand is one entry of the bot's command menu.
	BotCommand = tgbotapi.BotCommand
)

// Update is one incoming update, of the kinds the adapter reads.
type Update struct {
	UpdateID      int                         `json:"update_id"`
	Message       *Message                    `json:"message,omitempty"`
	ChannelPost   *Message                    `json:"channel_post,omitempty"`
	CallbackQuery *CallbackQuery              `json:"callback_query,omitempty"`
	MyChatMember  *tgbotapi.ChatMemberUpdated `json:"my_chat_member,omitempty"`
	// PreCheckoutQuery asks whether a payment may go ahead (see payments.go).
	PreCheckoutQuery *PreCheckoutQuery `json:"pre_checkout_query,omitempty"`
}

// Message is a message in an update: the SDK's, with the forum fields of Bot API 6.3.
type Message struct {
	tgbotapi.Message
	// MessageThreadID is the forum topic the message is in (or, outside forums, the
	// thread of replies it belongs to).
	MessageThreadID int `json:"message_thread_id,omitempty"`
	// IsTopicMessage is true for a message sent to a forum topic.
	IsTopicMessage bool `json:"is_topic_message,omitempty"`
	// SuccessfulPayment is the service message of a payment made, read into the
	// adapter's own type (it shadows the SDK's, which lacks Stars' fields).
	SuccessfulPayment *SuccessfulPayment `json:"successful_payment,omitempty"`
	// Forum is the chat's is_forum, which the SDK's Chat lacks: a supergroup whose
	// messages are kept in topics.
	Forum bool `json:"-"`
}

// UnmarshalJSON reads a message, and its chat's is_forum besides, in one pass: the
// outer chat field shadows the SDK's.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	w := struct {
		*plain
		Chat *struct {
			Chat
			IsForum bool `json:"is_forum"`
		} `json:"chat"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	m.Chat, m.Forum = nil, false
	if w.Chat != nil {
		m.Chat, m.Forum = &w.Chat.Chat, w.Chat.IsForum
	}
	return nil
}

// topic is the forum topic a message is in, 0 for none (the General topic, or a chat
// that is no forum).
func (m *Message) topic() int {
	if m == nil || !m.IsTopicMessage {
		return 0
	}
	return m.MessageThreadID
}

// CallbackQuery is a press of an inline button.
type CallbackQuery struct {
	ID   string `json:"id"`
	From *User  `json:"from"`
	// Message is the message the button was on.
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data,omitempty"`
}

// API is the part of the Telegram Bot API the adapter calls, and nothing more, so that
// the SDK behind it can be swapped. Dial implements it with telegram-bot-api.
type API interface {
	// GetUpdates long-polls for updates from offset on, waiting up to timeout.
	GetUpdates(ctx context.Context, offset int, timeout time.Duration, allowed []string) ([]Update, error)
	// SetWebhook registers url as the webhook, with the secret token Telegram sends back.
	SetWebhook(ctx context.Context, url, secret string, allowed []string) error
	// DeleteWebhook removes the webhook so that GetUpdates works.
	DeleteWebhook(ctx context.Context) error
	// SetMyCommands sets the command menu shown to users of a language ("" for all).
	SetMyCommands(ctx context.Context, commands []BotCommand, languageCode string) error
	// SendMessage sends a text message and returns its id.
	SendMessage(ctx context.Context, m Outgoing) (int, error)
	// SendPhoto uploads a picture with m.Text as its caption and returns the message id.
	SendPhoto(ctx context.Context, m Outgoing, photo Upload) (int, error)
	// SendDocument uploads a file with m.Text as its caption and returns the message id.
	SendDocument(ctx context.Context, m Outgoing, doc Upload) (int, error)
	// EditMessageText replaces the text and keyboard of a message.
	EditMessageText(ctx context.Context, chatID int64, messageID int, m Outgoing) error
	// EditMessageCaption replaces the caption and keyboard of a photo or document.
	EditMessageCaption(ctx context.Context, chatID int64, messageID int, m Outgoing) error
	// EditMessageReplyMarkup replaces the keyboard of a message.
	EditMessageReplyMarkup(ctx context.Context, chatID int64, messageID int, keyboard [][]KeyButton) error
	// AnswerCallbackQuery answers a button press, with a toast (or an alert) when text
	// is set.
	AnswerCallbackQuery(ctx context.Context, id, text string, alert bool) error
	// GetChatAdministrators lists the user ids of a chat's administrators.
	GetChatAdministrators(ctx context.Context, chatID int64) ([]int64, error)
	// SetChatAdministratorCustomTitle sets the custom title of an administrator the
	// bot promoted in a supergroup ("" removes it).
	SetChatAdministratorCustomTitle(ctx context.Context, chatID, userID int64, title string) error
	// CreateForumTopic opens a topic in a forum supergroup and returns its
	// message_thread_id.
	CreateForumTopic(ctx context.Context, chatID int64, name string) (int, error)
	// DownloadFile fetches a file by its file_id (getFile, then the download), refusing
	// files larger than max bytes.
	DownloadFile(ctx context.Context, fileID string, max int64) ([]byte, error)
	// Payments are the calls of Telegram Stars payments.
	Payments
}

// Outgoing is a message to send or an edit to make.
type Outgoing struct {
	ChatID int64
	// ThreadID is the forum topic of the chat to send to, 0 for none.
	ThreadID int
	Text     string // in HTML parse mode, already escaped
	// ReplyTo is the id of the message this one answers, 0 for none.
	ReplyTo  int
	Keyboard [][]KeyButton
	// ForceReply asks the client to answer this message (selectively: the member
	// mentioned, or the one replied to).
	ForceReply bool
}

// KeyButton is one inline keyboard button: a callback or a link.
type KeyButton struct {
	Text string
	Data string // callback_data, at most 64 bytes
	URL  string
}

// Upload is a file the bot sends.
type Upload struct {
	Name string
	Data []byte
}

// Error is a Bot API call that Telegram (or the server in front of it) refused.
type Error struct {
	Method      string
	Status      int // Telegram's error_code, or the HTTP status when the body said nothing
	Description string
	// RetryAfter is how long Telegram asked to wait (429 Too Many Requests).
	RetryAfter time.Duration
	// MigrateTo is the new id of a group that became a supergroup.
	MigrateTo int64
}

// Error says which call failed and how; it never holds the token.
func (e *Error) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Status, e.Description)
}

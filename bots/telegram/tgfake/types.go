package tgfake

// The Bot API's objects, as the documentation (https://core.telegram.org/bots/api)
// spells them, with only the fields crowdbot reads or sends. They are the fake's own,
// not the SDK's, so a test checks that the adapter reads Telegram's real shapes.

// User is a Telegram user or bot.
type User struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	LastName                string `json:"last_name,omitempty"`
	Username                string `json:"username,omitempty"`
	LanguageCode            string `json:"language_code,omitempty"`
	CanJoinGroups           bool   `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages bool   `json:"can_read_all_group_messages,omitempty"`
}

// Chat is a private chat, a group, a supergroup or a channel.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	// IsForum is true for a supergroup whose messages are kept in topics.
	IsForum bool `json:"is_forum,omitempty"`
}

// Private returns a user's private chat with the bot.
func Private(u User) Chat {
	return Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// MessageEntity marks a command, a mention or formatting in a text.
type MessageEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Document is a general file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

// InlineKeyboardButton is a button under a message.
type InlineKeyboardButton struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`
}

// ReplyMarkup is an inline keyboard, or a request for a reply.
type ReplyMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard,omitempty"`
	ForceReply     bool                     `json:"force_reply,omitempty"`
	Selective      bool                     `json:"selective,omitempty"`
}

// Message is a message.
type Message struct {
	MessageID int `json:"message_id"`
	// MessageThreadID is the forum topic (or thread of replies) the message is in.
	MessageThreadID    int             `json:"message_thread_id,omitempty"`
	From               *User           `json:"from,omitempty"`
	SenderChat         *Chat           `json:"sender_chat,omitempty"`
	Date               int64           `json:"date"`
	Chat               Chat            `json:"chat"`
	IsTopicMessage     bool            `json:"is_topic_message,omitempty"`
	IsAutomaticForward bool            `json:"is_automatic_forward,omitempty"`
	ReplyToMessage     *Message        `json:"reply_to_message,omitempty"`
	Text               string          `json:"text,omitempty"`
	Entities           []MessageEntity `json:"entities,omitempty"`
	Caption            string          `json:"caption,omitempty"`
	CaptionEntities    []MessageEntity `json:"caption_entities,omitempty"`
	Photo              []PhotoSize     `json:"photo,omitempty"`
	Document           *Document       `json:"document,omitempty"`
	ReplyMarkup        *ReplyMarkup    `json:"reply_markup,omitempty"`
	NewChatMembers     []User          `json:"new_chat_members,omitempty"`
	// MigrateToChatID, in a group, says it became the supergroup with this id;
	// MigrateFromChatID, in that supergroup, names the group it was.
	MigrateToChatID   int64 `json:"migrate_to_chat_id,omitempty"`
	MigrateFromChatID int64 `json:"migrate_from_chat_id,omitempty"`
	// Invoice is an invoice to pay; SuccessfulPayment is the service message of a
	// payment made.
	Invoice           *Invoice           `json:"invoice,omitempty"`
	SuccessfulPayment *SuccessfulPayment `json:"successful_payment,omitempty"`
}

// ForumTopic is a topic of a forum supergroup.
type ForumTopic struct {
	MessageThreadID int    `json:"message_thread_id"`
	Name            string `json:"name"`
	IconColor       int    `json:"icon_color"`
}

// Invoice is what an invoice message shows.
type Invoice struct {
	Title          string `json:"title"`
	Description    string `json:"description"`
	StartParameter string `json:"start_parameter"`
	Currency       string `json:"currency"`
	TotalAmount    int64  `json:"total_amount"`
}

// LabeledPrice is a part of an invoice's price.
type LabeledPrice struct {
	Label  string `json:"label"`
	Amount int64  `json:"amount"`
}

// PreCheckoutQuery asks the bot whether a payment may go ahead.
type PreCheckoutQuery struct {
	ID             string `json:"id"`
	From           User   `json:"from"`
	Currency       string `json:"currency"`
	TotalAmount    int64  `json:"total_amount"`
	InvoicePayload string `json:"invoice_payload"`
}

// SuccessfulPayment is a payment made.
type SuccessfulPayment struct {
	Currency                string `json:"currency"`
	TotalAmount             int64  `json:"total_amount"`
	InvoicePayload          string `json:"invoice_payload"`
	TelegramPaymentChargeID string `json:"telegram_payment_charge_id"`
	ProviderPaymentChargeID string `json:"provider_payment_charge_id"`
}

// CallbackQuery is a press of a button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// ChatMember is someone's status in a chat.
type ChatMember struct {
	Status string `json:"status"`
	User   User   `json:"user"`
}

// ChatMemberUpdated is a change of someone's status in a chat.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// Update is one incoming update.
type Update struct {
	UpdateID      int                `json:"update_id"`
	Message       *Message           `json:"message,omitempty"`
	ChannelPost   *Message           `json:"channel_post,omitempty"`
	CallbackQuery *CallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *ChatMemberUpdated `json:"my_chat_member,omitempty"`
	// PreCheckoutQuery asks whether a payment may go ahead.
	PreCheckoutQuery *PreCheckoutQuery `json:"pre_checkout_query,omitempty"`
}

// ResponseParameters tell a client how to recover from an error.
type ResponseParameters struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

// File is a file ready to be downloaded.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// BotCommand is an entry of the command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// response is every answer of the Bot API.
type response struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *ResponseParameters `json:"parameters,omitempty"`
}

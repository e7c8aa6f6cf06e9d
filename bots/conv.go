// Package bots is the conversation every platform shares. A platform adapter turns
// what its platform sends into an Input, the Router runs it against core and answers
// with Replies, and the adapter turns those into its platform's messages. All
// behaviour lives here and in core; adapters only translate. Every adapter reaches
// this package through one port, Conversation (port.go), which the Router implements.
//
// Each area registers its commands (Spec), button actions (ActionFunc) and cards
// (CardFunc) with the Router, one file per area. Besides the kinds' areas (idea.go,
// poll.go, contest.go, fundraiser.go, task.go) there are two more:
//
//   - house (house.go): what every kind shares: help, languages, campaigns and their
//     life, earnings; its words are in the catalog area "house".
//   - spread (spread.go): what makes a campaign travel: share links, the leaderboard,
//     progress posts and reminders, the outbox's undelivered posts; catalog "spread".
//
// A card is an announcement with its kind's own shape (a poll with its vote buttons
// and live tally, a contest entry with its vote button), drawn by a CardFunc when it
// is delivered and again when a posted card is refreshed (card.go, refresh.go). A
// front, or front end, is one place people reach the bot: Telegram, Discord or the
// web, each an adapter package under bots/. docs/DESIGN.md follows one vote from a
// front through this package to the database.
package bots

import (
	"context"
	"time"

	"crowdbot/core"
)

// Input is one thing a member did, in platform-neutral form.
type Input struct {
	Platform core.Platform
	Space    core.SpaceRef
	Channel  string // the channel or chat it happened in
	Member   core.MemberRef
	// Locale is the member's language as the platform reports it ("fr-CA", "it").
	Locale string
	// Admin is the platform's own notion of admin (Discord: Manage Server or the
	// configured role; Telegram: chat administrator). Configured owners are added by
	// the Router.
	Admin bool
	// Guest is set by a front end that does not vouch for the person coming back (a
	// web visitor): no member row is made for them until they change something.
	Guest bool
	// Owner is set by a front end that has authenticated one of the deployment's
	// owners itself (the web's admin login); configured owners are added by the Router.
	Owner bool
	// UpdateID is the platform's id of this update, so that a second delivery changes
	// nothing. "" when the platform cannot deliver twice.
	UpdateID string

	// Text is what the member typed: a command line ("/idea k7Fq2 ...") or plain text
	// (an answer to a pending question).
	Text string
	// Command is set by adapters whose platform parses commands itself (Discord slash
	// commands); otherwise the Router parses Text.
	Command *Command
	// Action is the action id of a pressed button, or of the question a modal or a
	// reply answers (then Text holds the answer).
	Action string
	// ReplyTo is the platform's id of the bot's message this one replies to, in
	// Channel, "" for none: a reply to an idea's posted card is a comment on it.
	ReplyTo string
	// Thread is the discussion thread the message was posted in, where the platform
	// has them (a Discord thread, a Telegram forum topic); zero for none. A member's
	// message in an idea's thread is a comment on the idea.
	Thread ThreadRef
	// ThreadsOnly marks chat a front passes on only for the threads of ideas
	// (Discord's channel messages): it is never a command nor an answer, and a
	// message in no idea's thread is dropped before anyone is identified.
	ThreadsOnly bool
	// Threads opens an idea's thread from its card where the button was pressed,
	// when the platform can there; nil where it cannot, and 💬 Discuss then asks for
	// a comment.
	Threads ThreadOpener
	// Attachments are files sent with the message.
	Attachments []Attachment
	// Private is true in a one-to-one chat with the bot.
	Private bool
	// AdminOf, when set, reports whether the member administers another space of
	// the platform, by its id there: a private chat acting for a group (a set-up
	// started in a group and answered privately). Nil where the front cannot tell.
	AdminOf func(ctx context.Context, space string) bool
	// BasicGroup is true in a group without a supergroup's features (a Telegram
	// basic group), where administrators cannot be given custom titles.
	BasicGroup bool
	// Notices is set by a front end that cannot send a member anything between two
	// of their messages (the web): the private notices waiting for them (an idea's
	// new status, a win, a disqualification, a rejected answer) come first in the
	// replies to this input when it is a message (a button press is answered in
	// place, and leaves them for the next message).
	Notices bool
	// Payment is a payment the platform reports (Telegram Stars): a question before
	// it, or the payment made. Text and Action are empty then.
	Payment *Payment
}

// ThreadRef names a discussion thread: its id, and the channel that scopes it
// ("" where thread ids are unique on the platform, as Discord's are).
type ThreadRef struct {
	Channel string
	ID      string
}

// ThreadOpener opens an idea's discussion thread where a button was pressed on the
// idea's card: a Discord thread started from the card, a Telegram forum topic.
type ThreadOpener interface {
	// Channel is the channel the thread opens in, which scopes the idea's one
	// thread: the card's Discord channel, the Telegram chat.
	Channel() string
	// Open opens a thread named name (the front clips it to its platform's bound)
	// and returns its id; intro starts the thread where the platform does not start
	// it from the card itself. A refusal an admin can act on (a missing permission)
	// is a *core.Error with its key.
	Open(ctx context.Context, name string, intro Reply) (string, error)
	// Link is how a message links to the thread.
	Link(threadID string) string
}

// Attachment is a file a member sent, kept by reference to the platform's copy.
type Attachment struct {
	Platform    core.Platform
	FileID      string // the platform's reference (Telegram file_id, Discord attachment URL)
	URL         string // a URL to fetch it from, when the platform gives one
	Name        string
	ContentType string // MIME type, when known
	Size        int64  // bytes, when known
	Width       int
	Height      int
	// Data is the content, for small files the adapter already has (CSV imports).
	Data []byte
}

// Msg is a message key with its arguments, rendered in the member's language.
type Msg struct {
	Key  string
	Args map[string]any
}

// M returns a Msg; args alternate names and values.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: core.Args(args...)} }

// Reply is one message the bot sends back.
type Reply struct {
	Msg
	// Lines are more messages shown below the first, one per line (list items).
	Lines []Msg
	// Text is Msg and Lines rendered in the member's language, as plain text; the
	// Router fills it in. Adapters escape it for their platform.
	Text string
	// Buttons are rows of buttons under the message.
	Buttons [][]Button
	// Image is a picture to show with the message.
	Image *Image
	// File is a document to send with the message (a CSV export).
	File *File
	// Ephemeral replies are shown to the member alone where the platform can.
	Ephemeral bool
	// Edit replaces the message whose button was pressed, instead of sending a new one.
	Edit bool
	// Refresh marks an Edit that only brings a card everyone sees up to date (a poll's
	// tally after a vote in a group): a platform whose edits spend the chat's limited
	// rate may leave it out, and it never becomes a new message. The Refresher edits
	// posted cards anyway.
	Refresh bool
	// Toast, when set, is a short notice for the button press itself (Telegram shows
	// it as a callback answer, Discord as an ephemeral reply).
	Toast bool
	// Prompt asks the member for free text; their next message in this chat, or the
	// modal Discord shows, answers it.
	Prompt *Prompt
	// Private sends the reply in a private chat with the member (personal things
	// asked for in a group, such as share links).
	Private bool
	// Failure is the code of the error this reply answers ("" for none), so a front
	// end can say more than the text: the web answers EINTERNAL with 500 and
	// EUNAVAILABLE with 503.
	Failure core.Code
	// Invoice asks the member to pay (Telegram Stars); Text is its description.
	// Only the platform that reported the payment method gets one.
	Invoice *Invoice
}

// Button is a button under a message.
type Button struct {
	Msg           // the label's key
	Label  string // rendered by the Router
	Action string // the action id, at most MaxActionLen bytes
	URL    string // a link button opens a URL instead
	Style  ButtonStyle
}

// ButtonStyle hints how a button looks.
type ButtonStyle int

// Button styles.
const (
	StylePrimary ButtonStyle = iota
	StyleSecondary
	StyleSuccess
	StyleDanger
)

// MaxActionLen is the longest action id: Telegram's callback_data limit (64 bytes)
// is the tighter of the platforms'.
const MaxActionLen = 64

// Image is a picture attached to a reply.
type Image struct {
	Name string // file name, e.g. "progress.png"
	PNG  []byte // the picture, when the Router made it
	// Path is where the web serves it ("/c/k7Fq2/progress.png"), for fronts that link.
	Path string
}

// File is a document attached to a reply.
type File struct {
	Name string // e.g. "k7Fq2-answers.csv"
	Type string // MIME type, e.g. "text/csv"
	Data []byte
}

// Prompt is a question waiting for the member's free text.
type Prompt struct {
	Msg           // the question, shown as the modal's title or the reply's hint
	Text   string // Msg rendered in the member's language by the Router
	Action string // the action the answer goes to
	Long   bool   // a paragraph rather than a line
	Max    int    // the longest answer accepted, in characters
	// TTL is how long the answer is waited for; 0 for core.PromptTTL.
	TTL time.Duration
	// Modal asks at once in a modal where the front has modals and may open one,
	// though the reply has buttons (skip, cancel): those come with the question
	// where it cannot be a modal.
	Modal bool
	// Label names a button that opens the question ("Answer"), rendered by the
	// Router.
	Label string
}

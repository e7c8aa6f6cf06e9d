package telegram

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"crowdbot/bots"
	"crowdbot/core"
)

// origin is where an input came from, which is where its replies go.
type origin struct {
	chat *Chat
	// user is the member, nil when a chat spoke (a channel post, an anonymous admin).
	user *User
	// replyTo is the member's message, 0 for a button press.
	replyTo int
	// thread is the forum topic the input came from, 0 for none; replies go there.
	thread int
	// query is the button press, with the message the button was on.
	query *CallbackQuery
}

func (o origin) private() bool { return o.chat.Type == "private" }
func (o origin) channel() bool { return o.chat.Type == "channel" }

// onMessage handles a message in a private chat or a group, or a channel post.
func (b *Adapter) onMessage(ctx context.Context, update string, m *Message) {
	chat := m.Chat
	if chat == nil || m.IsAutomaticForward {
		return // a linked channel's post copied into its discussion group
	}
	// a group upgraded to a supergroup: Telegram says so in both chats
	switch {
	case m.MigrateToChatID != 0:
		b.moved(ctx, chat.ID, m.MigrateToChatID)
		return
	case m.MigrateFromChatID != 0:
		b.moved(ctx, m.MigrateFromChatID, chat.ID)
		return
	}
	if m.From != nil && m.From.IsBot && m.SenderChat == nil {
		return // another bot
	}
	if m.SuccessfulPayment != nil {
		b.onPayment(ctx, update, m)
		return
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if cmd, ok := bots.ParseCommand(text); ok && cmd.Bot != "" && !strings.EqualFold(cmd.Bot, b.me.UserName) {
		return // /cmd@otherbot is for another bot
	}
	if strings.TrimSpace(text) == "" && len(m.Photo) == 0 && m.Document == nil {
		return // a service message (joins, pins, titles): nothing to say
	}
	in := bots.Input{
		Platform: core.Telegram,
		Channel:  channelOf(chat.ID, m.topic()),
		UpdateID: update,
		Text:     text,
		Private:  chat.Type == "private",
		// a basic group has no custom titles: Telegram makes it a supergroup when
		// it goes public or shows its history
		BasicGroup: chat.Type == "group",
	}
	if topic := m.topic(); topic != 0 && m.Forum {
		// a message in a forum topic: in an idea's topic, it is a comment
		in.Thread = bots.ThreadRef{Channel: chatID(chat.ID), ID: strconv.Itoa(topic)}
	}
	if rt := m.ReplyToMessage; rt != nil && rt.From != nil && rt.From.ID == b.me.ID {
		// a reply to one of the bot's posts: to an idea's card, it is a comment
		in.ReplyTo = strconv.Itoa(rt.MessageID)
	}
	o := origin{chat: chat, replyTo: m.MessageID, thread: m.topic()}
	switch {
	case m.SenderChat != nil:
		// a channel post, or a group message sent as a chat: the chat itself speaks,
		// and it is an admin only when it is this very chat (the channel, or the
		// group's anonymous admins)
		in.Member = core.MemberRef{Platform: core.Telegram, ExternalID: chatID(m.SenderChat.ID), Name: chatTitle(m.SenderChat)}
		in.Admin = m.SenderChat.ID == chat.ID
	case m.From != nil:
		in.Member = memberRef(m.From)
		in.Locale = m.From.LanguageCode
		o.user = m.From
		if in.Private {
			b.noDM.forget(m.From.ID) // they wrote to the bot: it can write back
			in.AdminOf = b.adminOf(m.From.ID)
		} else {
			in.Admin = b.isAdmin(ctx, chat.ID, m.From.ID)
		}
	default:
		return
	}
	in.Space = spaceRef(chat, o.user)
	in.Attachments = b.attachments(ctx, m)
	b.deliver(ctx, o, b.conv.Handle(ctx, in))
}

// onCallback handles a button press. Every press is answered, with a toast when a
// reply asks for one; the answer needs no state from before, so buttons keep working
// across restarts.
func (b *Adapter) onCallback(ctx context.Context, update string, q *CallbackQuery) {
	if q.Message == nil || q.Message.Chat == nil || q.From == nil || q.Data == "" {
		b.answer(ctx, q.ID, "", false)
		return
	}
	chat := q.Message.Chat
	in := bots.Input{
		Platform: core.Telegram,
		Space:    spaceRef(chat, q.From),
		Channel:  channelOf(chat.ID, q.Message.topic()),
		Member:   memberRef(q.From),
		Locale:   q.From.LanguageCode,
		UpdateID: update,
		Action:   q.Data,
		Threads:  b.topicOpener(q.Message),
		Private:  chat.Type == "private",
		// a basic group has no custom titles: Telegram makes it a supergroup when
		// it goes public or shows its history
		BasicGroup: chat.Type == "group",
	}
	if !in.Private {
		in.Admin = b.isAdmin(ctx, chat.ID, q.From.ID)
	} else {
		in.AdminOf = b.adminOf(q.From.ID)
	}
	b.deliver(ctx, origin{chat: chat, user: q.From, thread: q.Message.topic(), query: q}, b.conv.Handle(ctx, in))
}

// onMembership follows the bot being added to a chat or removed from it.
func (b *Adapter) onMembership(ctx context.Context, u *tgbotapi.ChatMemberUpdated) {
	switch u.NewChatMember.Status {
	case "left", "kicked":
		if u.Chat.Type == "private" {
			b.noDM.add(u.Chat.ID, b.now()) // the member blocked the bot
		}
		if err := b.conv.LeaveSpace(ctx, core.Telegram, chatID(u.Chat.ID)); err != nil {
			b.log.Error("leave space", "chat", u.Chat.ID, "err", err)
			return
		}
		b.log.Info("removed from chat", "chat", u.Chat.ID)
	default:
		if u.Chat.Type == "private" {
			b.noDM.forget(u.Chat.ID)
		}
		if err := b.conv.JoinSpace(ctx, spaceRef(&u.Chat, &u.From), memberRef(&u.From)); err != nil {
			b.log.Error("join space", "chat", u.Chat.ID, "err", err)
			return
		}
		b.log.Info("added to chat", "chat", u.Chat.ID, "type", u.Chat.Type, "status", u.NewChatMember.Status)
	}
}

// moved follows a group that became a supergroup to its new chat id: its space, the
// campaigns' links to it and the posts not sent yet move there, once however often
// Telegram says so.
func (b *Adapter) moved(ctx context.Context, from, to int64) {
	moved, err := b.conv.MoveSpace(ctx, core.Telegram, chatID(from), chatID(to))
	if err != nil {
		b.log.Error("move chat", "from", from, "to", to, "err", err)
		return
	}
	if moved {
		b.log.Info("group upgraded to a supergroup", "from", from, "to", to)
	}
}

func chatID(id int64) string { return strconv.FormatInt(id, 10) }

// channelOf names where a message was: its chat and, for a forum topic, the topic
// after a slash ("-1001234567890/42"). A campaign linked there posts to the topic,
// and a question asked there waits for its answer there.
func channelOf(chat int64, topic int) string {
	if topic == 0 {
		return chatID(chat)
	}
	return chatID(chat) + "/" + strconv.Itoa(topic)
}

// parseChannel reads a channel named by channelOf.
func parseChannel(s string) (chat int64, topic int, ok bool) {
	c, t, hasTopic := strings.Cut(s, "/")
	chat, err := strconv.ParseInt(c, 10, 64)
	if err != nil || chat == 0 {
		return 0, 0, false
	}
	if hasTopic {
		topic, err = strconv.Atoi(t)
		if err != nil || topic <= 0 {
			return 0, 0, false
		}
	}
	return chat, topic, true
}

// spaceRef is the space a chat is; a private chat takes its member's language.
func spaceRef(c *Chat, u *User) core.SpaceRef {
	ref := core.SpaceRef{Platform: core.Telegram, ExternalID: chatID(c.ID), Title: chatTitle(c)}
	if c.Type == "private" && u != nil {
		ref.Locale = core.NormalizeLocale(u.LanguageCode)
	}
	return ref
}

// chatTitle names a chat: its title, or its person's name for a private chat.
func chatTitle(c *Chat) string {
	if c.Title != "" {
		return c.Title
	}
	if name := strings.TrimSpace(c.FirstName + " " + c.LastName); name != "" {
		return name
	}
	return c.UserName
}

func memberRef(u *User) core.MemberRef {
	return core.MemberRef{Platform: core.Telegram, ExternalID: chatID(u.ID), Name: userName(u)}
}

// userName is how a member is shown: their name, or their @username.
func userName(u *User) string {
	if name := strings.TrimSpace(u.FirstName + " " + u.LastName); name != "" {
		return name
	}
	return u.UserName
}

// attachments lists the photo and document of a message. The largest size of a photo
// is kept; a small CSV document is fetched, so that imports need no second trip.
func (b *Adapter) attachments(ctx context.Context, m *Message) []bots.Attachment {
	var out []bots.Attachment
	if len(m.Photo) > 0 {
		p := m.Photo[0]
		for _, s := range m.Photo[1:] {
			if s.Width*s.Height > p.Width*p.Height {
				p = s
			}
		}
		out = append(out, bots.Attachment{Platform: core.Telegram, FileID: p.FileID, Name: "photo.jpg",
			ContentType: "image/jpeg", Size: int64(p.FileSize), Width: p.Width, Height: p.Height})
	}
	if d := m.Document; d != nil {
		a := bots.Attachment{Platform: core.Telegram, FileID: d.FileID, Name: d.FileName, ContentType: d.MimeType, Size: int64(d.FileSize)}
		if isCSV(d.FileName, d.MimeType) && a.Size <= b.opts.MaxDownload {
			data, err := b.api.DownloadFile(ctx, d.FileID, b.opts.MaxDownload)
			if err != nil {
				b.log.Warn("download document", "file", d.FileName, "err", err)
			} else {
				a.Data = data
			}
		}
		out = append(out, a)
	}
	return out
}

// isCSV tells a CSV document by its type or its name.
func isCSV(name, mime string) bool {
	mime, _, _ = strings.Cut(strings.ToLower(mime), ";")
	switch strings.TrimSpace(mime) {
	case "text/csv", "application/csv", "text/comma-separated-values", "text/x-csv":
		return true
	}
	return strings.HasSuffix(strings.ToLower(name), ".csv")
}

// isAdmin reports whether a user administers a chat, from a list kept AdminTTL. A
// chat whose list cannot be read (the bot is not allowed to) has no admins for a
// short while; configured owners are admins everywhere anyway (the Router adds them).
func (b *Adapter) isAdmin(ctx context.Context, chat, user int64) bool {
	now := b.now()
	if ids, ok := b.admins.get(chat, now); ok {
		return ids[user]
	}
	ttl := b.opts.AdminTTL
	list, err := b.api.GetChatAdministrators(ctx, chat)
	if err != nil {
		b.log.Warn("get chat administrators", "chat", chat, "err", err)
		ttl = min(ttl, 30*time.Second)
	}
	ids := make(map[int64]bool, len(list))
	for _, id := range list {
		ids[id] = true
	}
	b.admins.put(chat, ids, now.Add(ttl))
	return ids[user]
}

// adminOf reports, for a private chat acting for a group or a channel, whether the
// user administers that chat (Input.AdminOf).
func (b *Adapter) adminOf(user int64) func(ctx context.Context, space string) bool {
	return func(ctx context.Context, space string) bool {
		chat, err := strconv.ParseInt(space, 10, 64)
		return err == nil && chat != 0 && b.isAdmin(ctx, chat, user)
	}
}

// adminCache keeps each chat's administrators for a while.
type adminCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	chats map[int64]adminEntry
}

type adminEntry struct {
	ids   map[int64]bool
	until time.Time
}

func (c *adminCache) get(chat int64, now time.Time) (map[int64]bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.chats[chat]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.ids, true
}

func (c *adminCache) put(chat int64, ids map[int64]bool, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.chats) > 10000 {
		now := until.Add(-c.ttl)
		for id, e := range c.chats {
			if !now.Before(e.until) {
				delete(c.chats, id)
			}
		}
	}
	c.chats[chat] = adminEntry{ids: ids, until: until}
}

// expiring is a set of ids that each leave it after a while.
type expiring struct {
	mu    sync.Mutex
	ttl   time.Duration
	until map[int64]time.Time
}

func (e *expiring) has(id int64, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.until[id]
	return ok && now.Before(t)
}

func (e *expiring) add(id int64, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.until) > 10000 {
		for k, t := range e.until {
			if !now.Before(t) {
				delete(e.until, k)
			}
		}
	}
	e.until[id] = now.Add(e.ttl)
}

func (e *expiring) forget(id int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.until, id)
}

// recent remembers the last n update ids.
type recent struct {
	mu   sync.Mutex
	ids  map[int]bool
	ring []int
	next int
}

func newRecent(n int) *recent { return &recent{ids: map[int]bool{}, ring: make([]int, 0, n)} }

// add records id and reports whether it is new.
func (r *recent) add(id int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids[id] {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.ids, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.ids[id] = true
	return true
}

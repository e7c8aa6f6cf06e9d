package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"crowdbot/bots"
	"crowdbot/bots/internal/units"
	"crowdbot/core"
)

// maxTopicName bounds a forum topic's name, in characters.
const maxTopicName = 128

// topicOpener opens an idea's forum topic in a forum supergroup; nil in any other
// chat, where 💬 Discuss asks for a comment and a reply to the card is one.
func (b *Adapter) topicOpener(m *Message) bots.ThreadOpener {
	if m == nil || m.Chat == nil || !m.Forum || m.Chat.Type != "supergroup" {
		return nil
	}
	return &topics{b: b, chat: m.Chat.ID}
}

type topics struct {
	b    *Adapter
	chat int64
}

// Channel implements bots.ThreadOpener: one topic per idea in the whole forum.
func (t *topics) Channel() string { return chatID(t.chat) }

// Open implements bots.ThreadOpener: createForumTopic, then the intro posted in the
// topic, for the topic shows nothing of the card. A bot without the right to
// manage topics is told "not enough rights", which an admin can give.
func (t *topics) Open(ctx context.Context, name string, intro bots.Reply) (string, error) {
	name = units.Clip(strings.Join(strings.Fields(name), " "), maxTopicName)
	var thread int
	err := t.b.do(ctx, t.chat, replyWait, func(ctx context.Context) error {
		var err error
		thread, err = t.b.api.CreateForumTopic(ctx, t.chat, name)
		return err
	})
	var ae *Error
	switch {
	case errors.As(err, &ae) && strings.Contains(strings.ToLower(ae.Description), "not enough rights"):
		return "", core.Errorf(core.EFORBIDDEN, "error.thread_forbidden_telegram")
	case err != nil:
		return "", err
	}
	t.b.sendLogged(ctx, target{chat: t.chat, thread: thread}, intro)
	return strconv.Itoa(thread), nil
}

// Link implements bots.ThreadOpener: the topic's link, which a supergroup's
// members open (https://t.me/c/<the chat's id without -100>/<topic>).
func (t *topics) Link(threadID string) string {
	return "https://t.me/c/" + strings.TrimPrefix(chatID(t.chat), "-100") + "/" + threadID
}

package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"crowdbot/bots"
	"crowdbot/bots/internal/units"
)

// Post implements bots.Poster: it sends an announcement to a chat (a group or a
// channel, or a topic of a forum), or privately to a member when the destination has
// no channel, and returns the id of the message that carries its buttons. A post to a
// group that became a supergroup goes to the supergroup, and the move is recorded.
func (b *Adapter) Post(ctx context.Context, to bots.Destination, r bots.Reply) (string, error) {
	chat, topic, err := destination(to)
	if err != nil {
		return "", err
	}
	id, err := b.send(ctx, target{chat: chat, thread: topic}, r, postWait)
	if err != nil {
		return "", permanence(err)
	}
	if id == 0 {
		return "", &bots.PermanentError{Err: errors.New("telegram: the announcement has nothing to show")}
	}
	return strconv.Itoa(id), nil
}

// Edit implements bots.Poster: it replaces the text (or the caption, for a post with
// a picture or a document) and the buttons of a message posted earlier. A new
// picture is not uploaded again.
func (b *Adapter) Edit(ctx context.Context, to bots.Destination, messageID string, r bots.Reply) error {
	chat, _, err := destination(to)
	if err != nil {
		return err
	}
	id, err := strconv.Atoi(messageID)
	if err != nil || id <= 0 {
		return &bots.PermanentError{Err: fmt.Errorf("telegram: bad message id %q", messageID)}
	}
	kb := buttons(r.Buttons)
	heading := len(r.Lines) > 0
	captioned := (r.Image != nil && len(r.Image.PNG) > 0 || r.File != nil && len(r.File.Data) > 0) && units.Len(r.Text) <= maxCaption
	err = b.do(ctx, chat, postWait, func(ctx context.Context) error {
		switch {
		case r.Text == "":
			return b.api.EditMessageReplyMarkup(ctx, chat, id, kb)
		case captioned:
			return b.api.EditMessageCaption(ctx, chat, id, Outgoing{Text: formatHTML(r.Text, heading, nil), Keyboard: kb})
		default:
			return b.api.EditMessageText(ctx, chat, id, Outgoing{Text: formatHTML(units.Clip(r.Text, maxText), heading, nil), Keyboard: kb})
		}
	})
	if to := migratedTo(err); to != 0 {
		b.moved(ctx, chat, to) // the message stays in the old group, for good
	}
	if err != nil && !notModified(err) {
		return permanence(err)
	}
	return nil
}

// destination reads the chat of a Destination, and its forum topic (0 for none).
func destination(to bots.Destination) (int64, int, error) {
	if to.ChannelID != "" {
		if chat, topic, ok := parseChannel(to.ChannelID); ok {
			return chat, topic, nil
		}
	} else if id, err := strconv.ParseInt(to.UserID, 10, 64); err == nil && id != 0 {
		return id, 0, nil
	}
	return 0, 0, &bots.PermanentError{Err: fmt.Errorf("telegram: bad destination %+v", to)}
}

// permanence marks the errors no retry will cure: the bot was removed or blocked
// (403), the chat is gone or the message malformed (400).
func permanence(err error) error {
	var ae *Error
	if errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 403) {
		return &bots.PermanentError{Err: err}
	}
	return err
}

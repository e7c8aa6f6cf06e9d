package telegram

import (
	"context"
	"errors"
	"strings"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/internal/units"
)

// Telegram's limits, in characters (UTF-16 code units) of the text as shown.
const (
	maxText     = 4096 // a message
	maxCaption  = 1024 // a photo's or document's caption
	maxToast    = 200  // a callback answer
	maxCallback = 64   // callback_data, in bytes
)

// deliver sends the replies to an input. A button press is always answered: with the
// first short Toast reply as its toast, or, for a channel subscriber the bot cannot
// write to privately, with an alert carrying the reply meant for them alone.
func (b *Adapter) deliver(ctx context.Context, o origin, replies []bots.Reply) {
	var toast string
	rest := make([]bots.Reply, 0, len(replies))
	for _, r := range replies {
		if o.query != nil && toast == "" && r.Toast && toastable(r) {
			toast = r.Text
			continue
		}
		rest = append(rest, r)
	}
	if o.query != nil && len(rest) == 0 {
		b.answer(ctx, o.query.ID, toast, false)
		return
	}
	var alert string
	for _, r := range rest {
		if a := b.deliverOne(ctx, o, r); a != "" && alert == "" && toast == "" {
			alert = a
		}
	}
	if o.query != nil {
		if alert != "" {
			b.answer(ctx, o.query.ID, alert, true)
		} else {
			b.answer(ctx, o.query.ID, toast, false)
		}
	}
}

// toastable reports whether a reply fits in a callback answer: short text and nothing
// else.
func toastable(r bots.Reply) bool {
	return r.Text != "" && units.Len(r.Text) <= maxToast && len(r.Buttons) == 0 && r.Image == nil && r.File == nil && r.Prompt == nil
}

// answer answers a button press; Telegram wants it even when there is nothing to say.
func (b *Adapter) answer(ctx context.Context, id, text string, alert bool) {
	if id == "" {
		return
	}
	text = units.Clip(text, maxToast)
	if answerInWebhook(ctx, id, text, alert) {
		return
	}
	err := b.do(ctx, 0, replyWait, func(ctx context.Context) error { return b.api.AnswerCallbackQuery(ctx, id, text, alert) })
	if err != nil {
		// a press answered already (a redelivery) or too old: nothing to do
		b.log.Debug("answer callback", "err", err)
	}
}

// target is where one reply goes and how.
type target struct {
	chat int64
	// thread is the chat's forum topic, 0 for none
	thread  int
	replyTo int
	// mention names the member at the start of the text, so that a selective force
	// reply reaches them when there is no message of theirs to answer
	mention *User
	prompt  bool
}

// deliverOne sends one reply where it belongs. It returns the reply's text when it
// was meant for a channel subscriber alone and could not reach them privately, for
// the callback answer to carry.
func (b *Adapter) deliverOne(ctx context.Context, o origin, r bots.Reply) string {
	here := target{chat: o.chat.ID, thread: o.thread, replyTo: o.replyTo}
	if o.channel() || o.private() {
		here.replyTo = 0 // quoting helps only where many speak
	}
	switch {
	case r.Edit && o.query != nil && o.query.Message != nil:
		b.edit(ctx, o, r)
		return ""
	case r.Prompt != nil && o.channel() && o.user != nil:
		// channel subscribers cannot write in the channel: they are asked in their
		// private chat (the Router waits for the answer in the channel, though, so
		// their private answer is not taken yet)
		if b.privately(ctx, o, target{chat: o.user.ID, prompt: true}, r) {
			return ""
		}
		return alertText(o, r)
	case r.Prompt != nil:
		// the answer must come in the chat the question was asked in, where the
		// Router waits for it: a selective force reply asks the member alone. A
		// private chat's every message reaches the bot, so a question with buttons
		// (an item to answer or skip) keeps them there instead
		here.prompt = !o.private() || len(r.Buttons) == 0
		if !o.private() && here.replyTo == 0 && o.user != nil {
			here.mention = o.user
		}
		b.sendLogged(ctx, here, r)
		return ""
	case (r.Private || r.Ephemeral) && !o.private() && o.user != nil:
		if b.privately(ctx, o, target{chat: o.user.ID}, r) {
			return ""
		}
		// Telegram has no message for one member of a group: answer in the chat,
		// naming them; in a channel that would be a post to every subscriber, so the
		// press's alert carries it instead
		if o.channel() {
			return alertText(o, r)
		}
		if here.replyTo == 0 {
			here.mention = o.user
		}
		b.sendLogged(ctx, here, r)
		return ""
	default:
		b.sendLogged(ctx, here, r)
		return ""
	}
}

// privately sends a reply to the member's private chat and reports whether it got
// there. Members the bot cannot write to are remembered for a while, so that it does
// not try on every reply.
func (b *Adapter) privately(ctx context.Context, o origin, t target, r bots.Reply) bool {
	if b.noDM.has(o.user.ID, b.now()) {
		return false
	}
	_, err := b.send(ctx, t, r, replyWait)
	switch {
	case err == nil:
		return true
	case cannotWrite(err):
		b.noDM.add(o.user.ID, b.now())
	default:
		b.log.Warn("send private reply", "member", o.user.ID, "err", err)
	}
	return false
}

// alertText is what a channel subscriber's press is answered with when the reply
// meant for them cannot reach them privately; "" when there is no press to answer.
func alertText(o origin, r bots.Reply) string {
	if o.query == nil || r.Text == "" {
		return ""
	}
	return r.Text // trimmed to the alert's length by answer
}

// cannotWrite tells the errors of writing to someone who never started the bot (or
// blocked it).
func cannotWrite(err error) bool {
	var ae *Error
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Status == 403 || ae.Status == 400 && strings.Contains(strings.ToLower(ae.Description), "chat not found")
}

func (b *Adapter) sendLogged(ctx context.Context, t target, r bots.Reply) {
	if _, err := b.send(ctx, t, r, replyWait); err != nil {
		b.log.Error("send reply", "chat", t.chat, "key", r.Key, "err", err)
	}
}

// send delivers a reply as one or more messages: a picture and a document when it has
// them, the text as their caption when it fits or else as messages of its own (split
// at 4096 characters), and the buttons (or the request for an answer) on the last
// message. It returns the id of that last message. A group that Telegram says became
// a supergroup is followed to its new chat, and the rest is sent there.
func (b *Adapter) send(ctx context.Context, t target, r bots.Reply, wait time.Duration) (int, error) {
	if r.Invoice != nil {
		return b.sendInvoice(ctx, t, r, wait)
	}
	msgs := layout(t, r)
	last, chat, followed := 0, t.chat, false
	for i := 0; i < len(msgs); i++ {
		m := msgs[i]
		var id int
		err := b.do(ctx, chat, wait, func(ctx context.Context) error {
			var err error
			switch {
			case m.photo != nil:
				id, err = b.api.SendPhoto(ctx, m.out, *m.photo)
			case m.doc != nil:
				id, err = b.api.SendDocument(ctx, m.out, *m.doc)
			default:
				id, err = b.api.SendMessage(ctx, m.out)
			}
			return err
		})
		if to := migratedTo(err); to != 0 && to != chat && !followed {
			b.moved(ctx, chat, to)
			followed, chat = true, to
			for j := i; j < len(msgs); j++ {
				// a basic group has no topics, and its messages stay behind
				msgs[j].out.ChatID, msgs[j].out.ThreadID, msgs[j].out.ReplyTo = to, 0, 0
			}
			i--
			continue
		}
		if err != nil {
			return last, err
		}
		last = id
	}
	return last, nil
}

// migratedTo is the new chat id Telegram gives when it refuses a message to a group
// that became a supergroup, 0 for any other answer.
func migratedTo(err error) int64 {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.MigrateTo
	}
	return 0
}

// outgoing is one message of a reply.
type outgoing struct {
	out   Outgoing
	photo *Upload
	doc   *Upload
}

// layout turns a reply into the messages that carry it.
func layout(t target, r bots.Reply) []outgoing {
	var msgs []outgoing
	if r.Image != nil && len(r.Image.PNG) > 0 {
		name := r.Image.Name
		if name == "" {
			name = "image.png"
		}
		msgs = append(msgs, outgoing{out: Outgoing{ChatID: t.chat, ThreadID: t.thread}, photo: &Upload{Name: name, Data: r.Image.PNG}})
	}
	if r.File != nil && len(r.File.Data) > 0 {
		msgs = append(msgs, outgoing{out: Outgoing{ChatID: t.chat, ThreadID: t.thread}, doc: &Upload{Name: r.File.Name, Data: r.File.Data}})
	}
	mention := ""
	if t.mention != nil {
		mention = userName(t.mention) + ", "
	}
	heading := len(r.Lines) > 0
	switch {
	case r.Text == "":
	case len(msgs) > 0 && units.Len(mention+r.Text) <= maxCaption:
		msgs[len(msgs)-1].out.Text = formatHTML(r.Text, heading, t.mention)
	default:
		for i, part := range split(r.Text, maxText-units.Len(mention)) {
			m := outgoing{out: Outgoing{ChatID: t.chat, ThreadID: t.thread}}
			if i == 0 {
				m.out.Text = formatHTML(part, heading, t.mention)
			} else {
				m.out.Text = formatHTML(part, false, nil)
			}
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	msgs[0].out.ReplyTo = t.replyTo
	last := &msgs[len(msgs)-1].out
	if t.prompt {
		last.ForceReply = true
	} else {
		last.Keyboard = buttons(r.Buttons)
	}
	return msgs
}

// buttons is the inline keyboard of a reply. A button whose action Telegram would
// refuse (over 64 bytes) is left out rather than losing the whole message.
func buttons(rows [][]bots.Button) [][]KeyButton {
	var out [][]KeyButton
	for _, row := range rows {
		var r []KeyButton
		for _, b := range row {
			label := units.Clip(b.Label, 64)
			switch {
			case b.URL != "":
				r = append(r, KeyButton{Text: label, URL: b.URL})
			case b.Action != "" && len(b.Action) <= maxCallback:
				r = append(r, KeyButton{Text: label, Data: b.Action})
			}
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// edit replaces the message whose button was pressed: its text and keyboard, its
// caption when it is a picture or a document, or only its keyboard when the reply
// has no text. A message that cannot be edited gets the reply as a new message.
func (b *Adapter) edit(ctx context.Context, o origin, r bots.Reply) {
	msg := o.query.Message
	chat := msg.Chat.ID
	kb := buttons(r.Buttons)
	if r.Refresh && !o.private() {
		b.refresh(ctx, msg, r, kb)
		return
	}
	var err error
	switch {
	case r.Text == "":
		err = b.do(ctx, chat, replyWait, func(ctx context.Context) error {
			return b.api.EditMessageReplyMarkup(ctx, chat, msg.MessageID, kb)
		})
	case msg.Text != "":
		out := Outgoing{Text: formatHTML(units.Clip(r.Text, maxText), len(r.Lines) > 0, nil), Keyboard: kb}
		err = b.do(ctx, chat, replyWait, func(ctx context.Context) error {
			return b.api.EditMessageText(ctx, chat, msg.MessageID, out)
		})
	case len(msg.Photo) > 0 || msg.Document != nil:
		out := Outgoing{Text: formatHTML(units.Clip(r.Text, maxCaption), len(r.Lines) > 0, nil), Keyboard: kb}
		err = b.do(ctx, chat, replyWait, func(ctx context.Context) error {
			return b.api.EditMessageCaption(ctx, chat, msg.MessageID, out)
		})
	default:
		err = errNotEditable
	}
	if err == nil || notModified(err) {
		return
	}
	b.log.Info("edit failed; sending a new message", "chat", chat, "err", err)
	r.Edit = false
	b.sendLogged(ctx, target{chat: chat, thread: o.thread}, r)
}

// refresh brings a card everyone in a group sees up to date after a press, when the
// chat's budgets have room for it right now: a burst of presses must not hold up
// their answers nor the chat's other messages, and the Refresher edits posted cards
// in coalesced passes anyway. It never sends a new message.
func (b *Adapter) refresh(ctx context.Context, msg *Message, r bots.Reply, kb [][]KeyButton) {
	chat := msg.Chat.ID
	if msg.Text == "" || r.Text == "" || !b.limits.take(chat, b.now()) {
		return
	}
	err := b.api.EditMessageText(ctx, chat, msg.MessageID, Outgoing{Text: formatHTML(units.Clip(r.Text, maxText), len(r.Lines) > 0, nil), Keyboard: kb})
	var ae *Error
	switch {
	case err == nil || notModified(err):
	case errors.As(err, &ae) && (ae.Status == 429 || ae.RetryAfter > 0):
		b.limits.block(chat, b.now().Add(max(ae.RetryAfter, time.Second)))
	default:
		b.log.Debug("refresh card after a press", "chat", chat, "err", err)
	}
}

var errNotEditable = errors.New("message cannot be edited")

// notModified tells Telegram's refusal of an edit that changes nothing.
func notModified(err error) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.Status == 400 && strings.Contains(ae.Description, "message is not modified")
}

// htmlEscaper escapes what Telegram's HTML parse mode reads as markup.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes plain text safe in HTML parse mode. Every reply text is plain text
// made of user-supplied strings, so all of it goes through here.
func escape(s string) string { return htmlEscaper.Replace(s) }

// formatHTML renders plain text as HTML: escaped, with its first line bold when it
// heads a list, after a mention of the member when one is given.
func formatHTML(text string, heading bool, mention *User) string {
	var b strings.Builder
	if mention != nil {
		b.WriteString(`<a href="tg://user?id=`)
		b.WriteString(chatID(mention.ID))
		b.WriteString(`">`)
		b.WriteString(escape(userName(mention)))
		b.WriteString("</a>, ")
	}
	if heading {
		head, rest, found := strings.Cut(text, "\n")
		if strings.TrimSpace(head) != "" {
			b.WriteString("<b>")
			b.WriteString(escape(head))
			b.WriteString("</b>")
			if found {
				b.WriteString("\n")
				b.WriteString(escape(rest))
			}
			return b.String()
		}
	}
	b.WriteString(escape(text))
	return b.String()
}

// split cuts text into parts of at most max UTF-16 code units, at a line break when
// there is one in the second half of a part, else at a space, else anywhere between
// two characters.
func split(text string, max int) []string {
	var parts []string
	for units.Len(text) > max {
		cut := units.Fit(text, max) // bytes that fit
		at := strings.LastIndexByte(text[:cut], '\n')
		if at < cut/2 {
			at = strings.LastIndexByte(text[:cut], ' ')
		}
		if at < cut/2 {
			at = cut
		}
		parts = append(parts, strings.TrimRight(text[:at], " \n"))
		text = strings.TrimLeft(text[at:], " \n")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

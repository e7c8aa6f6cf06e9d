package telegram_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/bots/telegram/tgfake"
)

// call is a Bot API call a step expects: its method, the chat it went to (0 for
// calls to no chat, such as callback answers) and the HTTP status the fake gave it
// (0 for 200).
type call struct {
	method string
	chat   int64
	status int
}

func send(chat int64) call { return call{method: "sendMessage", chat: chat} }

var answered = call{method: "answerCallbackQuery"}

// lookups are the calls that only read; steps do not list them.
var lookups = map[string]bool{"getChatAdministrators": true, "getFile": true}

// step is one thing a member does in a conversation and what must follow: the keys
// the Router answers with, and the Bot API calls that carry them.
type step struct {
	name string
	who  tgfake.User
	in   tgfake.Chat // where; the group when zero
	say  string      // a message; {name} is replaced by a saved variable
	// post: the chat itself speaks (a channel post, or a group's anonymous admin)
	post bool
	// press: the button whose callback data starts with this, on the bot's last
	// message in the chat that has one; data, when set, is sent instead
	press, data string
	// answer: say as a reply to the bot's last message in the chat
	answer bool
	// again: deliver the last update again, to the same bot ("same") or to a new one
	// ("restart")
	again string
	// restart the bot before the step
	restart bool
	// member: the bot's new status in the chat (my_chat_member), by who
	member string
	// photo and doc go with the message, say being their caption
	photo []tgfake.PhotoSize
	doc   *tgfake.Document
	// before runs first: time passes, announcements are posted
	before func(h *harness)
	// ignored: the Router must not see the update at all
	ignored bool
	keys    []string
	calls   []call
	// save: variable name -> argument of the first reply
	save  map[string]string
	check func(t *testing.T, h *harness, reqs []tgfake.Request, replies []bots.Reply)
}

// run plays a script and checks every step.
func (h *harness) run(steps []step) {
	t := h.t
	t.Helper()
	for i, s := range steps {
		if s.restart || s.again == "restart" {
			h.restart()
		}
		if s.before != nil {
			s.before(h)
		}
		chat := s.in
		if chat.ID == 0 {
			chat = group
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("step %d (%s): %s", i+1, s.name, fmt.Sprintf(format, args...))
		}
		mark := h.fake.Mark()
		in0, out0 := h.rec.mark()
		text := h.sub(s.say)
		switch {
		case s.again != "":
			h.redeliver()
		case s.member != "":
			old := "left"
			if s.member == "left" || s.member == "kicked" {
				old = "administrator"
			}
			h.push(membership(s.who, chat, old, s.member, h.fake.Me))
		case s.press != "":
			prefix := h.sub(s.press)
			msg, ok := h.fake.LastMessage(chat.ID, prefix)
			if !ok {
				fail("no message in chat %d has a button %s", chat.ID, prefix)
			}
			data, _ := tgfake.Button(msg, prefix)
			if s.data != "" {
				data = h.sub(s.data)
			}
			h.push(press(s.who, msg, data))
		case s.answer:
			msg, ok := h.fake.LastMessage(chat.ID, "")
			if !ok {
				fail("the bot said nothing in chat %d", chat.ID)
			}
			h.push(attach(replyTo(s.who, msg, text), s.photo, s.doc))
		case s.post && chat.Type == "channel":
			h.push(channelPost(chat, text))
		case s.post:
			h.push(asChat(chat, text))
		default:
			h.push(attach(textMessage(s.who, chat, text), s.photo, s.doc))
		}
		reqs := h.fake.Since(mark)
		ins, replies := h.rec.since(in0, out0)
		if s.ignored && len(ins) > 0 {
			fail("the Router saw it: %+v", ins)
		}
		if keys := botstest.Keys(replies); !slices.Equal(keys, s.keys) {
			fail("replies %v, want %v; texts %q", keys, s.keys, texts(replies))
		}
		botstest.CheckRendered(t, replies)
		var got []call
		for _, r := range reqs {
			if lookups[r.Method] {
				continue
			}
			c := call{method: r.Method, chat: chatOf(r), status: r.Status}
			if c.status == 200 {
				c.status = 0
			}
			got = append(got, c)
		}
		if !slices.Equal(got, s.calls) {
			fail("Bot API calls %v, want %v\n%s", got, s.calls, describe(reqs))
		}
		for name, arg := range s.save {
			if len(replies) == 0 {
				fail("nothing to save %s from", name)
			}
			h.vars[name] = fmt.Sprint(replies[0].Args[arg])
		}
		if s.check != nil {
			s.check(t, h, reqs, replies)
			if t.Failed() {
				fail("check failed")
			}
		}
	}
}

func chatOf(r tgfake.Request) int64 {
	id, _ := strconv.ParseInt(r.Params["chat_id"], 10, 64)
	return id
}

func texts(rs []bots.Reply) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

func describe(reqs []tgfake.Request) string {
	var b strings.Builder
	for _, r := range reqs {
		params := map[string]string{}
		for k, v := range r.Params {
			if len(v) > 300 {
				v = v[:300] + "…"
			}
			params[k] = v
		}
		fmt.Fprintf(&b, "  %s %d %v\n", r.Method, r.Status, params)
	}
	return b.String()
}

func keys(k ...string) []string { return k }
func calls(c ...call) []call    { return c }

// houseAndIdeas is a whole ideas campaign and the house commands, in a group, a
// channel and private chats.
func houseAndIdeas() []step {
	G, C := group.ID, channel.ID
	return []step{
		{name: "help in the group", who: ada, say: "/help", keys: keys("help.title"), calls: calls(send(G)), check: repliesToTheMember},
		{name: "a member may not create; told privately", who: bob, say: "/campaign new ideas Nope", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "one who never started the bot is told in the group", who: dan, say: "/campaign new ideas Nope", keys: keys("error.admin_only"),
			calls: calls(call{"sendMessage", dan.ID, 403}, send(G)), check: repliesToTheMember},
		{name: "the admin creates, with a hostile title", who: ada, say: `/campaign@CrowdBot new ideas "Next <b>flavour</b> & co" Tell us </pre> &amp; closes=7d`,
			keys: keys("campaign.created"), calls: calls(send(G)), save: map[string]string{"code": "code"},
			check: escapes(`Next <b>flavour</b> & co`)},
		{name: "a command for another bot", who: bob, say: "/idea@otherbot {code} hi", ignored: true},
		{name: "an idea", who: bob, say: "/idea {code} Pistachio & <lemon>", keys: keys("idea.added"), calls: calls(send(G)), save: map[string]string{"idea": "id"}},
		{name: "the same update again, to the same bot", again: "same", ignored: true},
		{name: "the same update again, to a new bot", again: "restart"},
		{name: "an idea in French", who: carol, say: "/idea {code} Sorbet à la mangue 🥭", keys: keys("idea.added"), calls: calls(send(G)), check: says("idée")},
		{name: "the board", who: carol, say: "/ideas {code}", keys: keys("ideas.title"), calls: calls(send(G)), check: board(2)},
		{name: "a vote", who: carol, press: "iv:{idea}", keys: keys("idea.voted"), calls: calls(answered), check: toast},
		{name: "not for one's own idea", who: bob, press: "iv:{idea}", keys: keys("error.idea_own_vote"), calls: calls(answered), check: toast},
		{name: "a page button edits the board", who: ada, press: "iv:", data: "il:{code}:new:1", keys: keys("ideas.title"),
			calls: calls(call{method: "editMessageText", chat: G}, answered)},
		{name: "the same page changes nothing", who: ada, press: "iv:", data: "il:{code}:new:1", keys: keys("ideas.title"),
			calls: calls(call{"editMessageText", G, 400}, answered)},
		{name: "suggest by button: the member is asked to reply", who: bob, press: "ia:", keys: keys("idea.prompt"), calls: calls(send(G), answered), check: asks(bob)},
		{name: "chat from another member is no answer", who: carol, say: "lol"},
		{name: "the reply is the idea", who: bob, answer: true, say: "A rooftop concert", keys: keys("idea.added"), calls: calls(send(G)),
			save: map[string]string{"rooftop": "id"}},
		{name: "a status", who: ada, say: "/idea status {code} {idea} planned", keys: keys("idea.status_set"), calls: calls(send(G))},
		{name: "a tag", who: ada, say: "/idea tag {code} {idea} summer", keys: keys("idea.tagged"), calls: calls(send(G))},
		{name: "a comment on the idea", who: carol, say: "/comment {code} {idea} I can draw the <label> & more", keys: keys("comment.added"), calls: calls(send(G))},
		{name: "the comments, escaped", who: bob, say: "/comments {code} {idea}", keys: keys("comments.title"), calls: calls(send(G)),
			check: says("I can draw the <label> & more")},
		{name: "a member may not hide a comment", who: bob, say: "/comment hide {code} {idea} 1", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "a comment hidden", who: ada, say: "/comment hide {code} {idea} 1", keys: keys("comment.hidden"), calls: calls(send(G))},
		{name: "and shown again", who: ada, say: "/comment unhide {code} {idea} 1", keys: keys("comment.unhidden"), calls: calls(send(G))},
		{name: "the list", who: bob, say: "/campaign list", keys: keys("campaign.list_title"), calls: calls(send(G)), check: says("Next <b>flavour</b> & co")},
		{name: "a button from before a restart", restart: true, who: carol, press: "iv:{idea}", keys: keys("idea.unvoted"), calls: calls(answered)},
		{name: "an anonymous admin speaks as the group", post: true, say: `/campaign schedule {code} "0 18 * * *"`, keys: keys("campaign.scheduled"), calls: calls(send(G))},
		{name: "another group's admin may not run it", in: rivals, who: mallory, say: "/campaign close {code}", keys: keys("error.not_your_campaign"), calls: calls(send(mallory.ID))},
		{name: "nor link it to her group", in: rivals, who: mallory, say: "/campaign link {code}", keys: keys("error.link_needs_key"), calls: calls(send(mallory.ID))},
		{name: "the group's admin asks for a link key, told privately", who: ada, say: "/campaign invite {code}", keys: keys("campaign.invite"), calls: calls(send(ada.ID)),
			save: map[string]string{"key": "key"}},
		{name: "the channel cannot link itself without the key", in: channel, post: true, say: "/campaign link {code}", keys: keys("error.link_needs_key"), calls: calls(send(C))},
		{name: "the channel links itself with the key", in: channel, post: true, say: "/campaign link {code} key={key}", keys: keys("campaign.linked"), calls: calls(send(C))},
		{name: "the board in the channel", in: channel, post: true, say: "/ideas {code}", keys: keys("ideas.title"), calls: calls(send(C)), check: board(3)},
		{name: "a subscriber votes under the post", in: channel, who: eve, press: "iv:{idea}", keys: keys("idea.voted"), calls: calls(answered)},
		{name: "a subscriber suggests: asked privately", in: channel, who: eve, press: "ia:", keys: keys("idea.prompt"), calls: calls(send(eve.ID), answered)},
		{name: "a subscriber the bot cannot write to gets an alert", in: channel, who: frank, press: "ia:", keys: keys("idea.prompt"),
			calls: calls(call{"sendMessage", frank.ID, 403}, answered), check: alert},
		{name: "a subscriber is no admin", in: channel, who: eve, press: "iv:", data: "zz:1", keys: keys("error.unknown_action"), calls: calls(answered), check: notAdmin},
		{name: "a deep link", in: tgfake.Private(eve), who: eve, say: "/start ref-k7Fq2", keys: keys("start.welcome"), calls: calls(send(eve.ID))},
		{name: "a private chat", in: tgfake.Private(bob), who: bob, say: "/start", keys: keys("start.welcome"), calls: calls(send(bob.ID)), check: privately},
		{name: "earnings go privately", who: bob, say: "/earnings", keys: keys("earnings.none"), calls: calls(send(bob.ID))},
		{name: "earnings in the group for who never started the bot", who: dan, say: "/earnings", keys: keys("earnings.none"), calls: calls(call{"sendMessage", dan.ID, 403}, send(G))},
		{name: "which the bot remembers", who: dan, say: "/lang fr", keys: keys("lang.set"), calls: calls(send(G)), check: says("français")},
		{name: "a language", who: carol, say: "/lang it", keys: keys("lang.set"), calls: calls(send(carol.ID)), check: says("italiano")},
		{name: "an unknown command", who: bob, say: "/frobnicate", keys: keys("error.unknown_command"), calls: calls(send(bob.ID))},
		{name: "a long campaign", who: ada, say: `/campaign new ideas "Long" ` + strings.Repeat("🍦🍦🍦 ", 990), keys: keys("campaign.created"), calls: calls(send(G)),
			save: map[string]string{"long": "code"}},
		{name: "a long text is split", who: ada, say: "/campaign show {long}", keys: keys("campaign.show"), calls: calls(send(G), send(G)), check: splits},
		{name: "a member may not hide", who: bob, say: "/idea hide {code} {rooftop}", keys: keys("error.admin_only"), calls: calls(send(bob.ID))},
		{name: "a hide", who: ada, say: "/idea hide {code} {rooftop}", keys: keys("idea.hidden"), calls: calls(send(G))},
		{name: "an unhide", who: ada, say: "/idea unhide {code} {rooftop}", keys: keys("idea.unhidden"), calls: calls(send(G))},
		{name: "a merge", who: ada, say: "/idea merge {code} {rooftop} {idea}", keys: keys("idea.merged"), calls: calls(send(G))},
		{name: "a spare campaign", who: ada, say: `/campaign new ideas "Spare"`, keys: keys("campaign.created"), calls: calls(send(G)),
			save: map[string]string{"spare": "code"}},
		{name: "its cancel asks first", who: ada, say: "/campaign cancel {spare}", keys: keys("campaign.confirm_cancel"), calls: calls(send(G)), check: keyboard("cx:{spare}:", 2)},
		{name: "the answer cancels, in place of the question", who: ada, press: "cx:", data: "cx:{spare}:cancel", keys: keys("campaign.cancelled"),
			calls: calls(call{method: "editMessageText", chat: G}, answered)},
		{name: "the close", who: ada, say: "/campaign close {code} confirm", keys: keys("campaign.closed"), calls: calls(send(G))},
		{name: "closed", who: carol, press: "iv:{idea}", keys: keys("error.campaign_closed"), calls: calls(answered)},
		{name: "the bot is added to a group", in: newGroup, who: ada, member: "administrator", check: joined(newGroup)},
		{name: "the bot is removed from it", in: newGroup, who: ada, member: "kicked", check: retired(newGroup)},
	}
}

var newGroup = tgfake.Chat{ID: -1005555, Type: "group", Title: "Brand new"}

// TestConversations runs the scripts in polling and in webhook mode.
func TestConversations(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode)
			h.run(houseAndIdeas())
			h.run(polls())
			h.run(contests())
			h.run(fundraisers())
			h.run(spreading())
			h.run(tasks())
			h.covered(t)
		})
	}
}

// The checks steps make.

// repliesToTheMember: the answer in a group replies to the member's message.
func repliesToTheMember(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
	last := reqs[len(reqs)-1]
	if want := strconv.Itoa(h.last.Message.MessageID); last.Params["reply_to_message_id"] != want {
		t.Errorf("reply_to_message_id = %q, want %s", last.Params["reply_to_message_id"], want)
	}
}

// privately: in a private chat the bot does not quote the member.
func privately(t *testing.T, _ *harness, reqs []tgfake.Request, _ []bots.Reply) {
	if r := reqs[0].Params["reply_to_message_id"]; r != "" {
		t.Errorf("a private answer quotes message %s", r)
	}
}

// escapes: a hostile string reached the member as it was typed, escaped for HTML.
func escapes(raw string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		p := reqs[0].Params
		if p["parse_mode"] != "HTML" {
			t.Errorf("parse_mode %q", p["parse_mode"])
		}
		if strings.Contains(p["text"], raw) || !strings.Contains(p["text"], strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(raw)) {
			t.Errorf("text not escaped: %q", p["text"])
		}
		m, _ := h.fake.LastMessage(chatOf(reqs[0]), "")
		if !strings.Contains(m.Text, raw) {
			t.Errorf("the member sees %q, want it to hold %q", m.Text, raw)
		}
	}
}

// says: the member sees text (after Telegram parsed the HTML).
func says(text string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		r := reqs[len(reqs)-1]
		m, ok := h.fake.LastMessage(chatOf(r), "")
		if !ok || !strings.Contains(m.Text, text) {
			t.Errorf("the member sees %q, want it to hold %q", m.Text, text)
		}
	}
}

// board: the board has a vote button per idea and a suggest button.
func board(ideas int) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		var mk tgfake.ReplyMarkup
		if err := json.Unmarshal([]byte(reqs[0].Params["reply_markup"]), &mk); err != nil {
			t.Fatalf("reply_markup %q: %v", reqs[0].Params["reply_markup"], err)
		}
		votes, suggest := 0, 0
		for _, row := range mk.InlineKeyboard {
			for _, b := range row {
				switch {
				case strings.HasPrefix(b.CallbackData, "iv:"):
					votes++
				case strings.HasPrefix(b.CallbackData, "ia:"):
					suggest++
				}
				if len(b.CallbackData) > 64 || b.Text == "" {
					t.Errorf("button %+v", b)
				}
			}
		}
		if votes != ideas || suggest != 1 {
			t.Errorf("keyboard %+v: %d vote buttons, %d suggest", mk, votes, suggest)
		}
		if !strings.HasPrefix(reqs[0].Params["text"], "<b>") {
			t.Errorf("the board's heading is not bold: %q", reqs[0].Params["text"])
		}
	}
}

// toast: the button press was answered with the reply as a toast.
func toast(t *testing.T, _ *harness, reqs []tgfake.Request, replies []bots.Reply) {
	i := slices.IndexFunc(reqs, func(r tgfake.Request) bool { return r.Method == "answerCallbackQuery" })
	if i < 0 {
		t.Fatalf("no callback answer")
	}
	want := replies[0]
	if j := slices.IndexFunc(replies, func(r bots.Reply) bool { return r.Toast }); j >= 0 {
		want = replies[j]
	}
	if got := reqs[i].Params["text"]; got == "" || got != want.Text || reqs[i].Params["show_alert"] == "true" {
		t.Errorf("toast %q, want %q", got, want.Text)
	}
}

// alert: the press was answered with an alert holding the reply.
func alert(t *testing.T, _ *harness, reqs []tgfake.Request, replies []bots.Reply) {
	p := reqs[len(reqs)-1].Params
	if p["show_alert"] != "true" || p["text"] == "" || !strings.HasPrefix(replies[0].Text, strings.TrimSuffix(p["text"], "…")) {
		t.Errorf("alert %v for %q", p, replies[0].Text)
	}
}

// asks: the question forces a reply from the member it mentions.
func asks(who tgfake.User) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		p := reqs[0].Params
		var mk tgfake.ReplyMarkup
		_ = json.Unmarshal([]byte(p["reply_markup"]), &mk)
		if !mk.ForceReply || !mk.Selective {
			t.Errorf("reply_markup %q does not force a selective reply", p["reply_markup"])
		}
		if want := fmt.Sprintf(`<a href="tg://user?id=%d">`, who.ID); !strings.HasPrefix(p["text"], want) {
			t.Errorf("the question does not mention the member: %q", p["text"])
		}
	}
}

// notAdmin: the Router was told the member is no admin.
func notAdmin(t *testing.T, h *harness, _ []tgfake.Request, _ []bots.Reply) {
	ins, _ := h.rec.since(0, 0)
	if in := ins[len(ins)-1]; in.Admin {
		t.Errorf("a subscriber counted as admin: %+v", in)
	}
}

// splits: a text over 4096 characters came as several messages that each fit and
// together say it all.
func splits(t *testing.T, h *harness, reqs []tgfake.Request, replies []bots.Reply) {
	var all []string
	for _, r := range reqs {
		m, ok := h.fake.Message(chatOf(r), r.MessageID)
		if !ok {
			t.Fatalf("message not kept")
		}
		all = append(all, m.Text)
	}
	if got, want := strings.Join(strings.Fields(strings.Join(all, " ")), " "), strings.Join(strings.Fields(replies[0].Text), " "); got != want {
		t.Errorf("the parts do not add up to the text:\n%q\n%q", got, want)
	}
	if reqs[0].Params["reply_to_message_id"] == "" || reqs[1].Params["reply_to_message_id"] != "" {
		t.Errorf("only the first part should quote the command")
	}
}

func joined(c tgfake.Chat) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, _ []tgfake.Request, _ []bots.Reply) {
		j, _ := h.store.events()
		if !slices.Contains(j, strconv.FormatInt(c.ID, 10)+" "+c.Title) {
			t.Errorf("the space was not made: %v", j)
		}
	}
}

func retired(c tgfake.Chat) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, _ []tgfake.Request, _ []bots.Reply) {
		_, r := h.store.events()
		if !slices.Equal(r, []string{strconv.FormatInt(c.ID, 10)}) {
			t.Errorf("retired %v", r)
		}
	}
}

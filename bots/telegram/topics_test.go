package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// A forum supergroup, with its topics 42 ("Ideas") and 43 ("Polls").
var forum = tgfake.Chat{ID: -1007770001, Type: "supergroup", Title: "Forum", IsForum: true}

// inTopic is a message sent to a forum topic, as Telegram delivers it.
func inTopic(from tgfake.User, chat tgfake.Chat, topic int, text string) tgfake.Update {
	u := textMessage(from, chat, text)
	u.Message.MessageThreadID, u.Message.IsTopicMessage = topic, true
	return u
}

// withForum adds the forum, administered by Ada, to the fake.
func withForum(s *tgfake.Server) {
	s.AddChat(forum)
	s.SetAdmins(forum.ID, ada)
	s.AddTopic(forum.ID, 42)
	s.AddTopic(forum.ID, 43)
}

// sends are the messages a list of requests sent.
func sends(reqs []tgfake.Request) []tgfake.Request {
	var out []tgfake.Request
	for _, r := range reqs {
		if strings.HasPrefix(r.Method, "send") {
			out = append(out, r)
		}
	}
	return out
}

// codeOf returns the code of the campaign a reply created.
func codeOf(t *testing.T, h *harness, in, out int) string {
	t.Helper()
	_, replies := h.rec.since(in, out)
	for _, r := range replies {
		if r.Key == "campaign.created" {
			return fmt.Sprint(r.Args["code"])
		}
	}
	t.Fatalf("no campaign created: %v", texts(replies))
	return ""
}

// A campaign made in a forum topic is linked to that topic: the replies, and every
// post the campaign makes there, carry the topic's message_thread_id.
func TestForumTopic(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode, withFake(withForum))
			ctx := context.Background()
			svc := h.rec.Service()

			mark := h.fake.Mark()
			in0, out0 := h.rec.mark()
			h.push(inTopic(ada, forum, 42, `/campaign new ideas "Forum flavours"`))
			code := codeOf(t, h, in0, out0)
			reqs := sends(h.fake.Since(mark))
			if len(reqs) != 1 || chatOf(reqs[0]) != forum.ID || reqs[0].Params["message_thread_id"] != "42" || reqs[0].Status != 200 {
				t.Fatalf("the reply in the topic: %s", describe(reqs))
			}
			if m, _ := h.fake.Message(forum.ID, reqs[0].MessageID); m.MessageThreadID != 42 || !m.IsTopicMessage {
				t.Fatalf("the reply is not in the topic: %+v", m)
			}
			c, err := svc.Campaign(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			links, err := h.store.ChannelLinks(ctx, c.ID)
			if err != nil || len(links) != 1 || links[0].ChannelID != strconv.FormatInt(forum.ID, 10)+"/42" {
				t.Fatalf("links %+v, %v", links, err)
			}

			// an idea in the topic; the board in the General topic, which has no thread
			mark = h.fake.Mark()
			h.push(inTopic(bob, forum, 42, "/idea "+code+" Pistachio"))
			h.push(textMessage(bob, forum, "/ideas "+code))
			reqs = sends(h.fake.Since(mark))
			if len(reqs) != 2 || reqs[0].Params["message_thread_id"] != "42" || reqs[1].Params["message_thread_id"] != "" || reqs[1].Status != 200 {
				t.Fatalf("replies in the topic and in General: %s", describe(reqs))
			}
			// a button pressed in the topic answers there
			board, ok := h.fake.LastMessage(forum.ID, "ia:")
			if !ok {
				t.Fatal("no board with a suggest button")
			}
			board.MessageThreadID, board.IsTopicMessage = 42, true
			mark = h.fake.Mark()
			h.push(press(bob, board, "ia:"+code))
			reqs = sends(h.fake.Since(mark))
			if len(reqs) != 1 || reqs[0].Params["message_thread_id"] != "42" || reqs[0].Status != 200 {
				t.Fatalf("the question after a press in the topic: %s", describe(reqs))
			}
			// the answer is awaited in the topic: said in General it is no answer
			question, _ := h.fake.Message(forum.ID, reqs[0].MessageID)
			in0, out0 = h.rec.mark()
			h.push(textMessage(bob, forum, "A rooftop concert"))
			answer := replyTo(bob, question, "A rooftop concert")
			answer.Message.MessageThreadID, answer.Message.IsTopicMessage = 42, true
			h.push(answer)
			if _, replies := h.rec.since(in0, out0); len(replies) != 1 || replies[0].Key != "idea.added" {
				t.Fatalf("replies to the answer: %v", texts(replies))
			}

			// linked in a second topic too; each post goes to its topic
			h.push(inTopic(ada, forum, 43, "/campaign link "+code))
			if links, _ := h.store.ChannelLinks(ctx, c.ID); len(links) != 2 || links[1].ChannelID != strconv.FormatInt(forum.ID, 10)+"/43" {
				t.Fatalf("links %+v", links)
			}
			h.push(inTopic(ada, forum, 42, "/campaign close "+code+" confirm"))
			mark = h.fake.Mark()
			announce("announce.closed")(h)
			var topics []string
			for _, r := range sends(h.fake.Since(mark)) {
				if chatOf(r) != forum.ID || r.Status != 200 {
					t.Fatalf("post %s", describe([]tgfake.Request{r}))
				}
				topics = append(topics, r.Params["message_thread_id"])
			}
			slices.Sort(topics)
			// the two ideas' cards went to topic 42, linked when they came
			if !slices.Equal(topics, []string{"42", "42", "42", "43"}) {
				t.Fatalf("posts went to topics %q, want two idea cards and the close in 42, the close in 43", topics)
			}

			// a progress post's picture goes to the topic too
			mark = h.fake.Mark()
			to := bots.Destination{ChannelID: strconv.FormatInt(forum.ID, 10) + "/42"}
			id, err := h.bot.Post(ctx, to, bots.Reply{Text: "Progress: 40%", Image: &bots.Image{Name: "progress.png", PNG: []byte("\x89PNG\r\n\x1a\nfake")}})
			if err != nil {
				t.Fatal(err)
			}
			reqs = h.fake.Since(mark)
			if len(reqs) != 1 || reqs[0].Method != "sendPhoto" || reqs[0].Params["message_thread_id"] != "42" {
				t.Fatalf("progress picture: %s", describe(reqs))
			}
			// and it is edited like any post
			if err := h.bot.Edit(ctx, to, id, bots.Reply{Text: "Progress: 50%", Image: &bots.Image{PNG: []byte("\x89PNG\r\n\x1a\nfake")}}); err != nil {
				t.Fatal(err)
			}
			n, _ := strconv.Atoi(id)
			if m, _ := h.fake.Message(forum.ID, n); m.Caption != "Progress: 50%" || m.MessageThreadID != 42 {
				t.Fatalf("edited %+v", m)
			}
		})
	}
}

// A thread of replies in a supergroup that is no forum is no topic: the bot answers
// in the chat, without a message_thread_id Telegram would refuse.
func TestReplyThreadIsNoTopic(t *testing.T) {
	h := newHarness(t, telegram.ModePolling)
	u := textMessage(bob, group, "/help")
	u.Message.MessageThreadID = 7 // the message it answers, in the thread of replies
	mark := h.fake.Mark()
	h.push(u)
	reqs := sends(h.fake.Since(mark))
	if len(reqs) != 1 || reqs[0].Params["message_thread_id"] != "" || reqs[0].Status != 200 {
		t.Fatalf("reply: %s", describe(reqs))
	}
	ins, _ := h.rec.since(0, 0)
	if got := ins[len(ins)-1].Channel; got != strconv.FormatInt(group.ID, 10) {
		t.Fatalf("channel %q", got)
	}
}

// A bad topic in a destination is refused for good, not sent to the whole chat.
func TestBadTopicDestination(t *testing.T) {
	h := newHarness(t, telegram.ModePolling, withFake(withForum))
	var perm *bots.PermanentError
	for _, ch := range []string{"-1007770001/", "-1007770001/x", "-1007770001/-3", "/42"} {
		if _, err := h.bot.Post(context.Background(), bots.Destination{ChannelID: ch}, bots.Reply{Text: "hi"}); !errors.As(err, &perm) {
			t.Errorf("%q: %v", ch, err)
		}
	}
	// a topic that was deleted: Telegram refuses, and so does the poster, for good
	if _, err := h.bot.Post(context.Background(), bots.Destination{ChannelID: "-1007770001/99"}, bots.Reply{Text: "hi"}); !errors.As(err, &perm) {
		t.Errorf("a deleted topic: %v", err)
	}
}

// club is a basic group, which Telegram upgrades to the supergroup bigClub.
var (
	club    = tgfake.Chat{ID: -4001, Type: "group", Title: "Club"}
	bigClub = tgfake.Chat{ID: -1004001, Type: "supergroup", Title: "Club"}
)

func withClub(s *tgfake.Server) {
	s.AddChat(club)
	s.SetAdmins(club.ID, ada)
	// after the upgrade Bob administers the supergroup, and created nothing
	s.SetAdmins(bigClub.ID, bob)
}

// When a group becomes a supergroup, its space, links and unsent posts move to the
// new chat, once, although Telegram says so twice (in each chat) and may deliver each
// twice.
func TestGroupUpgrade(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, mode, withFake(withClub))
			ctx := context.Background()
			in0, out0 := h.rec.mark()
			h.push(textMessage(ada, club, `/campaign new ideas "Club ideas"`))
			code := codeOf(t, h, in0, out0)
			c, _ := h.rec.Service().Campaign(ctx, code)
			// a campaign closed, whose farewell is not posted yet
			in0, out0 = h.rec.mark()
			h.push(textMessage(ada, club, `/campaign new ideas "Spare"`))
			spareCode := codeOf(t, h, in0, out0)
			h.push(textMessage(ada, club, "/campaign close "+spareCode+" confirm"))
			spare, _ := h.rec.Service().Campaign(ctx, spareCode)

			toOld, toNew := h.fake.Migrate(club, bigClub, ada)
			in0, _ = h.rec.mark()
			mark := h.fake.Mark()
			h.push(toOld)
			h.redeliver()
			// to a new bot, which has not seen it: the database knows the move
			h.restart()
			h.redeliver()
			h.push(toNew)
			if ins, _ := h.rec.since(in0, 0); len(ins) != 0 {
				t.Fatalf("the Router saw the service messages: %+v", ins)
			}
			if reqs := sends(h.fake.Since(mark)); len(reqs) != 0 {
				t.Fatalf("the bot said something: %s", describe(reqs))
			}
			if n := strings.Count(h.logs.String(), "group upgraded to a supergroup"); n != 1 {
				t.Fatalf("moved %d times", n)
			}
			big := strconv.FormatInt(bigClub.ID, 10)
			for _, id := range []int64{c.ID, spare.ID} {
				if links, _ := h.store.ChannelLinks(ctx, id); len(links) != 1 || links[0].ChannelID != big {
					t.Fatalf("links %+v", links)
				}
			}
			pending, _ := h.store.Outbox(ctx, core.OutboxPending, 100)
			waiting := 0
			for _, it := range pending {
				if it.Announcement.CampaignID == spare.ID {
					waiting++
					if it.ChannelID != big {
						t.Fatalf("a post still waits for the old group: %+v", it)
					}
				}
			}
			if waiting == 0 {
				t.Fatal("no post waits")
			}
			// the post goes to the supergroup
			mark = h.fake.Mark()
			announce("announce.closed")(h)
			if reqs := sends(h.fake.Since(mark)); len(reqs) != 1 || chatOf(reqs[0]) != bigClub.ID || reqs[0].Status != 200 {
				t.Fatalf("post: %s", describe(reqs))
			}
			// the supergroup's admin runs the group's campaigns: it is the same space
			in0, out0 = h.rec.mark()
			h.push(textMessage(bob, bigClub, "/campaign list"))
			if _, replies := h.rec.since(in0, out0); len(replies) != 1 || !strings.Contains(replies[0].Text, "Club ideas") {
				t.Fatalf("list in the supergroup: %q", texts(replies))
			}
			in0, out0 = h.rec.mark()
			h.push(textMessage(bob, bigClub, `/campaign new ideas "More"`))
			more := codeOf(t, h, in0, out0)
			m, _ := h.rec.Service().Campaign(ctx, more)
			if m.SpaceID != c.SpaceID {
				t.Fatalf("the supergroup's space %d, the group's %d", m.SpaceID, c.SpaceID)
			}
		})
	}
}

// A post to a group that Telegram upgraded before the bot heard of it is refused with
// the supergroup's id: the poster sends it there, and the move is recorded.
func TestPostToUpgradedGroup(t *testing.T) {
	h := newHarness(t, telegram.ModePolling, withFake(withClub))
	ctx := context.Background()
	in0, out0 := h.rec.mark()
	h.push(textMessage(ada, club, `/campaign new ideas "Club ideas"`))
	code := codeOf(t, h, in0, out0)
	h.push(textMessage(ada, club, "/campaign close "+code+" confirm"))
	c, _ := h.rec.Service().Campaign(ctx, code)
	toOld, toNew := h.fake.Migrate(club, bigClub, ada)

	// the outbox's dispatcher posts the farewell
	d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: h.store, Router: h.rec.get(), Posters: []bots.Poster{h.bot},
		Clock: h.clock, Sleep: func(context.Context, time.Duration) error { return nil }})
	mark := h.fake.Mark()
	if n, err := d.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("dispatched %d, %v", n, err)
	}
	reqs := h.fake.Since(mark)
	if len(reqs) != 2 || chatOf(reqs[0]) != club.ID || reqs[0].Status != 400 || chatOf(reqs[1]) != bigClub.ID || reqs[1].Status != 200 {
		t.Fatalf("post: %s", describe(reqs))
	}
	big := strconv.FormatInt(bigClub.ID, 10)
	// recorded where it went, so that later edits find it
	if sent, _ := h.store.Outbox(ctx, core.OutboxSent, 10); len(sent) != 1 || sent[0].MessageID != strconv.Itoa(reqs[1].MessageID) || sent[0].ChannelID != big {
		t.Fatalf("sent %+v", sent)
	}
	if links, _ := h.store.ChannelLinks(ctx, c.ID); len(links) != 1 || links[0].ChannelID != big {
		t.Fatalf("links %+v", links)
	}
	// the service messages come late: nothing more moves
	h.push(toOld)
	h.push(toNew)
	if n := strings.Count(h.logs.String(), "group upgraded to a supergroup"); n != 1 {
		t.Fatalf("moved %d times", n)
	}
	// an edit of a post left in the old group is refused for good
	var perm *bots.PermanentError
	if err := h.bot.Edit(ctx, bots.Destination{ChannelID: strconv.FormatInt(club.ID, 10)}, "1", bots.Reply{Text: "x"}); !errors.As(err, &perm) {
		t.Fatalf("edit in the old group: %v", err)
	}
}

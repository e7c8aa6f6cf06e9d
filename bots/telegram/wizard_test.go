package telegram_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// setupLink saves, as the variable name, the start payload of the URL button of
// the message the step sent: a deep link to the bot's private chat.
func setupLink(name string) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		var mk tgfake.ReplyMarkup
		sent := sends(reqs)
		if err := json.Unmarshal([]byte(sent[0].Params["reply_markup"]), &mk); err != nil || len(mk.InlineKeyboard) != 1 || len(mk.InlineKeyboard[0]) != 1 {
			t.Fatalf("reply_markup %q: %v", sent[0].Params["reply_markup"], err)
		}
		b := mk.InlineKeyboard[0][0]
		u, err := url.Parse(b.URL)
		if err != nil || b.CallbackData != "" || u.Scheme != "https" || u.Host != "t.me" || u.Path != "/"+botName {
			t.Fatalf("the button is not a link to the bot: %+v", b)
		}
		payload := u.Query().Get("start")
		if len(payload) > core.MaxStartPayload || strings.Trim(payload, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" || !strings.HasPrefix(payload, "wz_") {
			t.Fatalf("start payload %q", payload)
		}
		h.vars[name] = payload
	}
}

// asksPrivately: the question went to the member's private chat, with the set-up's
// buttons under it, and nothing went to the group.
func asksPrivately(who tgfake.User) func(*testing.T, *harness, []tgfake.Request, []bots.Reply) {
	return func(t *testing.T, h *harness, reqs []tgfake.Request, _ []bots.Reply) {
		for _, r := range reqs {
			if r.Method == "sendMessage" && chatOf(r) != who.ID {
				t.Errorf("a question went to chat %d", chatOf(r))
			}
		}
		sent := sends(reqs)
		last := sent[len(sent)-1]
		if !strings.Contains(last.Params["reply_markup"], `"callback_data":"wz:`) {
			t.Errorf("the question has no set-up buttons: %q", last.Params["reply_markup"])
		}
	}
}

// TestWizardPrivateChat: /campaign new in the group answers there with a link to
// the bot's private chat; a stranger opening the link is refused; the admin who
// started it answers every question privately, and the campaign is made in the
// group's space and linked to the group. A link that outlived its set-up is refused
// too, and a channel's own set-up goes to the private chat of an admin of it. A
// create refused (its deadline passed) asks again in the private chat, and an admin
// who is one no more in the group creates nothing.
func TestWizardPrivateChat(t *testing.T) {
	h := newHarness(t, "polling")
	adaDM, malloryDM, bobDM := tgfake.Private(ada), tgfake.Private(mallory), tgfake.Private(bob)
	h.run([]step{
		{name: "started in the group", who: ada, say: "/campaign new", keys: keys("wizard.go_private"), calls: calls(send(group.ID)),
			check: setupLink("wz")},
		{name: "a stranger's /start with it", in: malloryDM, who: mallory, say: "/start {wz}", keys: keys("wizard.not_yours"), calls: calls(send(mallory.ID))},
		{name: "the admin's /start with it", in: adaDM, who: ada, say: "/start {wz}", keys: keys("wizard.resumed", "wizard.kind"),
			calls: calls(send(ada.ID), send(ada.ID)), check: asksPrivately(ada)},
		{name: "the kind", in: adaDM, who: ada, press: "wz:", keys: keys("wizard.ask.title"), calls: calls(send(ada.ID), answered), check: asksPrivately(ada)},
		{name: "the title, typed", in: adaDM, who: ada, say: "Better buses", keys: keys("wizard.ask.description"), calls: calls(send(ada.ID)),
			check: asksPrivately(ada)},
		{name: "no description", in: adaDM, who: ada, press: "wz:", keys: keys("wizard.ask.closes"), calls: calls(send(ada.ID), answered)},
		{name: "a refused deadline", in: adaDM, who: ada, say: "yesterday", keys: keys("error.bad_deadline", "wizard.ask.closes"),
			calls: calls(send(ada.ID), send(ada.ID))},
		{name: "the deadline", in: adaDM, who: ada, say: "48h", keys: keys("wizard.preview"), calls: calls(send(ada.ID))},
		{name: "nothing in the group meanwhile", who: ada, say: "Hello all", calls: calls()},
		{name: "created", in: adaDM, who: ada, press: "wz:", keys: keys("campaign.created"), calls: calls(send(ada.ID), answered),
			check: func(t *testing.T, h *harness, _ []tgfake.Request, _ []bots.Reply) {
				ctx := context.Background()
				list, err := h.rec.Service().Campaigns(ctx, core.CampaignFilter{})
				if err != nil || len(list) != 1 || list[0].Title != "Better buses" {
					t.Fatalf("campaigns %+v, %v", list, err)
				}
				sp, err := h.store.DB.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: chatIDOf(tgfake.User{ID: group.ID})}, h.clock.Now())
				if err != nil || list[0].SpaceID != sp.ID {
					t.Fatalf("made in space %d, not the group's %+v (%v)", list[0].SpaceID, sp, err)
				}
				links, err := h.store.DB.ChannelLinks(ctx, list[0].ID)
				if err != nil || len(links) != 1 || links[0].ChannelID != chatIDOf(tgfake.User{ID: group.ID}) {
					t.Fatalf("linked to %+v, %v", links, err)
				}
			}},
		{name: "the link again: the set-up is over", in: adaDM, who: ada, say: "/start {wz}", keys: keys("wizard.link_expired"), calls: calls(send(ada.ID))},

		{name: "another set-up", who: ada, say: "/campaign new", keys: keys("wizard.go_private"), calls: calls(send(group.ID)), check: setupLink("wz2")},
		{name: "its link, too late", in: adaDM, who: ada, say: "/start {wz2}", keys: keys("wizard.link_expired"), calls: calls(send(ada.ID)),
			before: func(h *harness) { h.clock.Advance(core.WizardTTL + time.Minute) }},

		{name: "a channel's own set-up", in: channel, post: true, say: "/campaign new", keys: keys("wizard.go_private"), calls: calls(send(channel.ID)),
			check: setupLink("wz3")},
		{name: "a subscriber with its link", in: bobDM, who: bob, say: "/start {wz3}", keys: keys("wizard.not_yours"), calls: calls(send(bob.ID))},
		{name: "the channel's admin with its link", in: adaDM, who: ada, say: "/start {wz3}", keys: keys("wizard.resumed", "wizard.kind"),
			calls: calls(send(ada.ID), send(ada.ID))},
		{name: "the channel's admin cancels", in: adaDM, who: ada, say: "/cancel", keys: keys("wizard.cancelled"), calls: calls(send(ada.ID))},

		{name: "a last set-up", who: ada, say: "/campaign new", keys: keys("wizard.go_private"), calls: calls(send(group.ID)), check: setupLink("wz4")},
		{name: "taken to the private chat", in: adaDM, who: ada, say: "/start {wz4}", keys: keys("wizard.resumed", "wizard.kind"),
			calls: calls(send(ada.ID), send(ada.ID))},
		{name: "its kind", in: adaDM, who: ada, press: "wz:", keys: keys("wizard.ask.title"), calls: calls(send(ada.ID), answered)},
		{name: "its title", in: adaDM, who: ada, say: "Quieter trams", keys: keys("wizard.ask.description"), calls: calls(send(ada.ID))},
		{name: "its description skipped", in: adaDM, who: ada, press: "wz:", keys: keys("wizard.ask.closes"), calls: calls(send(ada.ID), answered)},
		{name: "a near deadline", in: adaDM, who: ada, say: "20m", keys: keys("wizard.preview"), calls: calls(send(ada.ID))},
		{name: "the deadline passed before the create: asked again, privately", in: adaDM, who: ada, press: "wz:",
			keys: keys("error.deadline_past", "wizard.ask.closes"), calls: calls(send(ada.ID), send(ada.ID), answered),
			before: func(h *harness) { h.clock.Advance(25 * time.Minute) }},
		{name: "answered there still", in: adaDM, who: ada, say: "2d", keys: keys("wizard.preview"), calls: calls(send(ada.ID))},
		{name: "no admin of the group any more: the rights are the group's", in: adaDM, who: ada, press: "wz:", keys: keys("error.admin_only"),
			calls: calls(answered),
			before: func(h *harness) {
				h.fake.SetAdmins(group.ID)
				h.clock.Advance(6 * time.Minute) // the bot's list of the group's admins is old now
			}},
	})
	if list, err := h.rec.Service().Campaigns(context.Background(), core.CampaignFilter{}); err != nil || len(list) != 1 {
		t.Fatalf("campaigns %+v, %v", list, err)
	}
}

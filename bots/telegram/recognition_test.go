package telegram_test

import (
	"context"
	"strconv"
	"testing"

	"crowdbot/bots"
	"crowdbot/bots/telegram"
	"crowdbot/bots/telegram/tgfake"
	"crowdbot/core"
)

// TestCustomTitles: a grant sets an administrator's custom title with
// setChatAdministratorCustomTitle and taking it back clears it; Telegram's
// refusals (a basic group, a member the bot did not promote, an emoji) come back as
// reasons an admin can act on.
func TestCustomTitles(t *testing.T) {
	h := newHarness(t, telegram.ModePolling)
	basic := tgfake.Chat{ID: -4001, Type: "group", Title: "Basic"}
	h.fake.AddChat(basic)
	h.fake.Promote(group.ID, bob.ID)
	ctx := context.Background()
	grant := func(chat int64, user tgfake.User, title string) bots.Grant {
		return bots.Grant{SpaceID: strconv.FormatInt(chat, 10), UserID: strconv.FormatInt(user.ID, 10), Action: core.RecognizeTitle, Value: title}
	}
	if err := h.bot.Give(ctx, grant(group.ID, bob, "Champion")); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.CustomTitle(group.ID, bob.ID); got != "Champion" {
		t.Fatalf("Bob's title: %q", got)
	}
	var sent tgfake.Request
	for _, r := range h.fake.Requests() {
		if r.Method == "setChatAdministratorCustomTitle" {
			sent = r
		}
	}
	if sent.Params["chat_id"] != strconv.FormatInt(group.ID, 10) || sent.Params["user_id"] != "1002" || sent.Params["custom_title"] != "Champion" || sent.Status != 200 {
		t.Fatalf("the call: %+v", sent)
	}
	if err := h.bot.Take(ctx, grant(group.ID, bob, "Champion")); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.CustomTitle(group.ID, bob.ID); got != "" {
		t.Fatalf("Bob's title after taking it back: %q", got)
	}
	for _, c := range []struct {
		g   bots.Grant
		key string
	}{
		{grant(basic.ID, bob, "Champion"), "error.recognition_not_supergroup"},
		{grant(group.ID, carol, "Champion"), "error.recognition_not_admin"},
		{grant(group.ID, bob, "Champion 🏆"), "error.recognition_title_emoji"},
	} {
		err := h.bot.Give(ctx, c.g)
		if e := core.AsError(err); e == nil || e.Key != c.key {
			t.Errorf("give %+v: %v, want %s", c.g, err, c.key)
		}
	}
}

package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"crowdbot/bots"
	"crowdbot/core"
)

// Give implements bots.Recognizer: it sets the member's custom title in the
// supergroup (setChatAdministratorCustomTitle). Telegram sets it only for an
// administrator the bot promoted, in a supergroup, at most 16 characters without
// emoji.
func (b *Adapter) Give(ctx context.Context, g bots.Grant) error {
	return b.customTitle(ctx, g, g.Value)
}

// Take implements bots.Recognizer: it removes the member's custom title.
func (b *Adapter) Take(ctx context.Context, g bots.Grant) error {
	return b.customTitle(ctx, g, "")
}

func (b *Adapter) customTitle(ctx context.Context, g bots.Grant, title string) error {
	if g.Action != core.RecognizeTitle {
		return core.Errorf(core.EINVALID, "error.recognition_title_telegram")
	}
	chat, err := strconv.ParseInt(g.SpaceID, 10, 64)
	if err != nil {
		return core.Errorf(core.EINVALID, "error.recognition_not_supergroup")
	}
	user, err := strconv.ParseInt(g.UserID, 10, 64)
	if err != nil || user <= 0 {
		return core.Errorf(core.ENOTFOUND, "error.recognition_not_admin")
	}
	return titleError(b.api.SetChatAdministratorCustomTitle(ctx, chat, user, title))
}

// titleError turns Telegram's refusals of a custom title into reasons an admin can
// act on: a chat that is no supergroup, a member the bot did not promote, a title
// Telegram does not take.
func titleError(err error) error {
	var ae *Error
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	if ae.Status == 429 {
		return &bots.RateLimitError{RetryAfter: ae.RetryAfter}
	}
	d := strings.ToLower(ae.Description)
	switch {
	case strings.Contains(d, "supergroup"):
		return core.Errorf(core.EINVALID, "error.recognition_not_supergroup")
	case strings.Contains(d, "emoji"):
		return core.Errorf(core.EINVALID, "error.recognition_title_emoji")
	case strings.Contains(d, "admin_rank"):
		return core.Errorf(core.EINVALID, "error.recognition_title_length", "max", core.MaxTitleLen)
	case ae.Status == 400 || ae.Status == 403:
		// not enough rights, not an administrator, the bot is no administrator
		return core.Errorf(core.EFORBIDDEN, "error.recognition_not_admin")
	}
	return err
}

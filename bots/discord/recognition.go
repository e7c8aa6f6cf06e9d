package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/core"
)

// Give implements bots.Recognizer: it adds the role to the member
// (PUT /guilds/{guild}/members/{user}/roles/{role}).
func (a *Adapter) Give(ctx context.Context, g bots.Grant) error {
	if g.Action != core.RecognizeRole {
		return core.Errorf(core.EINVALID, "error.recognition_role_discord")
	}
	return roleError("give role", a.rest(ctx, func(o ...discordgo.RequestOption) error {
		return a.api.GuildMemberRoleAdd(g.SpaceID, g.UserID, g.Value, o...)
	}))
}

// Take implements bots.Recognizer: it removes the role from the member
// (DELETE /guilds/{guild}/members/{user}/roles/{role}).
func (a *Adapter) Take(ctx context.Context, g bots.Grant) error {
	if g.Action != core.RecognizeRole {
		return core.Errorf(core.EINVALID, "error.recognition_role_discord")
	}
	return roleError("take role", a.rest(ctx, func(o ...discordgo.RequestOption) error {
		return a.api.GuildMemberRoleRemove(g.SpaceID, g.UserID, g.Value, o...)
	}))
}

// roleError turns Discord's refusals of a role change into reasons an admin can act
// on: 403 (Missing Permissions: no Manage Roles, or the role is above the bot's own)
// and 404 (Unknown Member or Unknown Role).
func roleError(what string, err error) error {
	if err == nil {
		return nil
	}
	var rl *bots.RateLimitError
	if errors.As(err, &rl) {
		return rl
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusForbidden:
			return core.Errorf(core.EFORBIDDEN, "error.recognition_forbidden")
		case http.StatusNotFound:
			return core.Errorf(core.ENOTFOUND, "error.recognition_unknown")
		}
	}
	return fmt.Errorf("discord %s: %w", what, err)
}

package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/core"
)

// Discord's bounds and codes of threads.
const (
	maxThreadName = 100
	// threadArchive is how long a quiet thread stays in the channel's list, in
	// minutes: a day
	threadArchive = 1440
	// codeThreadExists is Discord's answer to a second thread from one message
	codeThreadExists = 160004
)

// threadOpener starts an idea's thread from its card, the message a button was
// pressed on in a guild channel; nil elsewhere.
func (a *Adapter) threadOpener(it *discordgo.Interaction) bots.ThreadOpener {
	if it.GuildID == "" || it.Message == nil || it.Message.ID == "" || it.ChannelID == "" {
		return nil
	}
	return &opener{a: a, channel: it.ChannelID, message: it.Message.ID}
}

type opener struct {
	a                *Adapter
	channel, message string
}

// Channel implements bots.ThreadOpener: the card's channel.
func (o *opener) Channel() string { return o.channel }

// Open implements bots.ThreadOpener: a public thread started from the card
// (POST /channels/{channel}/messages/{message}/threads), which shows the card itself
// at its top. A thread started from a message has the message's id, so a thread
// already there (code 160004) is adopted; 403 is a permission the admin can give.
func (o *opener) Open(ctx context.Context, name string, _ bots.Reply) (string, error) {
	var ch *discordgo.Channel
	err := o.a.rest(ctx, func(opt ...discordgo.RequestOption) error {
		var err error
		ch, err = o.a.api.MessageThreadStartComplex(o.channel, o.message, &discordgo.ThreadStart{
			Name: core.Clip(strings.Join(strings.Fields(name), " "), maxThreadName), AutoArchiveDuration: threadArchive}, opt...)
		return err
	})
	var re *discordgo.RESTError
	switch {
	case err == nil && ch != nil && ch.ID != "":
		return ch.ID, nil
	case err == nil:
		return "", errors.New("discord start thread: no channel in the answer")
	case errors.As(err, &re) && re.Message != nil && re.Message.Code == codeThreadExists:
		return o.message, nil
	case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusForbidden:
		return "", core.Errorf(core.EFORBIDDEN, "error.thread_forbidden_discord")
	}
	return "", fmt.Errorf("discord start thread: %w", err)
}

// Link implements bots.ThreadOpener: a channel mention.
func (o *opener) Link(threadID string) string { return "<#" + threadID + ">" }

// messageCreate passes a member's message in a guild on to the Router, which takes
// it as a comment when it was posted in an idea's thread and drops it otherwise. A
// comment is acknowledged with a reaction on the message; a refusal (a closed
// campaign, too many at once) is answered in the thread.
func (a *Adapter) messageCreate(ctx context.Context, m *discordgo.Message) {
	if m.GuildID == "" || m.ChannelID == "" || m.Author == nil || m.Author.Bot || m.WebhookID != "" {
		return
	}
	if strings.TrimSpace(m.Content) == "" {
		if len(m.Attachments) == 0 && len(m.Embeds) == 0 && len(m.StickerItems) == 0 {
			a.noContent.Do(func() {
				a.log.Warn("messages come without their content: turn on the Message Content intent in the Developer Portal, or comments in ideas' threads are not recorded")
			})
		}
		return
	}
	name := m.Author.GlobalName
	if name == "" {
		name = m.Author.Username
	}
	in := bots.Input{
		Platform:    core.Discord,
		Space:       core.SpaceRef{Platform: core.Discord, ExternalID: m.GuildID, Title: a.guildName(m.GuildID)},
		Channel:     m.ChannelID,
		Member:      core.MemberRef{Platform: core.Discord, ExternalID: m.Author.ID, Name: name},
		UpdateID:    m.ID,
		Text:        m.Content,
		Thread:      bots.ThreadRef{ID: m.ChannelID},
		ThreadsOnly: true,
	}
	for _, r := range a.router.Handle(ctx, in) {
		if r.Failure == "" {
			err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
				return a.api.MessageReactionAdd(m.ChannelID, m.ID, commentReaction, o...)
			})
			if err != nil {
				a.log.Warn("acknowledge comment", "channel", m.ChannelID, "message", m.ID, "err", err)
			}
			continue
		}
		r.Ephemeral, r.Toast, r.Private = false, false, false
		for _, msg := range a.render(r) {
			err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
				_, err := a.api.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
					Content: msg.content, Embeds: msg.embeds, AllowedMentions: noMentions(),
					Reference: &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID},
				}, o...)
				return err
			})
			if err != nil {
				a.log.Warn("answer in thread", "channel", m.ChannelID, "err", err)
			}
		}
	}
}

// commentReaction acknowledges a comment made in an idea's thread.
const commentReaction = "✅"

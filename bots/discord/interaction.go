package discord

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/core"
)

// answer is what the adapter does with one interaction: the response Discord waits
// for, and what follows once that response is sent (follow-ups, edits).
type answer struct {
	initial *discordgo.InteractionResponse
	then    func(ctx context.Context)
}

// Permission bits of a member that make them an admin.
const (
	permAdministrator = 1 << 3
	permManageGuild   = 1 << 5
)

// answer runs an interaction and returns its answer. It returns within the quick
// reply budget: work that takes longer is deferred and followed up in then.
func (a *Adapter) answer(ctx context.Context, it *discordgo.Interaction) answer {
	switch it.Type {
	case discordgo.InteractionPing:
		return answer{initial: &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}}
	case discordgo.InteractionApplicationCommandAutocomplete:
		return answer{initial: a.autocomplete(ctx, it)}
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
	default:
		return answer{initial: a.notice(it, "error.bad_update")}
	}
	in, spec, err := a.input(ctx, it)
	if err != nil {
		a.log.Warn("unreadable interaction", "id", it.ID, "err", err)
		return answer{initial: a.notice(it, "error.bad_update")}
	}
	done := make(chan []bots.Reply, 1)
	a.goWork(func(ctx context.Context) {
		// a download counts against the quick reply budget, like the work itself
		a.fetch(ctx, in.Attachments)
		done <- a.router.Handle(ctx, in)
	})
	if a.quick > 0 {
		timer := time.NewTimer(a.quick)
		defer timer.Stop()
		select {
		case replies := <-done:
			return a.reply(it, replies)
		case <-timer.C:
		}
	}
	deferred := a.deferral(it, spec)
	return answer{initial: deferred, then: func(ctx context.Context) {
		var replies []bots.Reply
		select {
		case replies = <-done:
		case <-ctx.Done():
			return
		}
		a.followUp(ctx, it, deferred, replies)
	}}
}

// isComponent reports whether the interaction came from a message's component (a
// button, or a modal a button opened), so that it may update that message.
func isComponent(it *discordgo.Interaction) bool {
	return it.Type == discordgo.InteractionMessageComponent || it.Type == discordgo.InteractionModalSubmit && it.Message != nil
}

// deferral is the response that buys time: "thinking" for a command (ephemeral when
// its answer will be personal), a silent acknowledgement for a button.
func (a *Adapter) deferral(it *discordgo.Interaction, spec *bots.Spec) *discordgo.InteractionResponse {
	if isComponent(it) {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	r := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if spec != nil && spec.Private {
		r.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	return r
}

// reply answers at once with the first reply and follows up with the rest.
func (a *Adapter) reply(it *discordgo.Interaction, replies []bots.Reply) answer {
	if len(replies) == 0 {
		return answer{initial: a.ack(it)}
	}
	first := replies[0]
	if asks(first) {
		if it.Type == discordgo.InteractionModalSubmit {
			// a modal cannot answer a modal: ask with a button that opens one
			return answer{initial: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: responseData(a.promptMessage(first))}, then: a.more(it, nil, replies[1:])}
		}
		if len(replies) > 1 {
			a.log.Warn("replies after a modal left out", "count", len(replies)-1)
		}
		return answer{initial: a.modal(first)}
	}
	if len(a.files(first)) > 0 {
		// uploads go with the edit that follows a deferral, the same way on both ways in
		var deferred *discordgo.InteractionResponse
		if isComponent(it) && first.Edit {
			deferred = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
		} else {
			deferred = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
			if private(first) {
				deferred.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
			}
		}
		return answer{initial: deferred, then: func(ctx context.Context) { a.followUp(ctx, it, deferred, replies) }}
	}
	var msgs []message
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if isComponent(it) && first.Edit {
		typ = discordgo.InteractionResponseUpdateMessage
		msgs = []message{a.renderOne(first)}
		// the message keeps its own visibility
		msgs[0].ephemeral = false
	} else {
		msgs = a.render(first)
	}
	initial := &discordgo.InteractionResponse{Type: typ, Data: responseData(msgs[0])}
	return answer{initial: initial, then: a.more(it, msgs[1:], replies[1:])}
}

// more returns what sends the rest of an answer as follow-ups: the first reply's
// further messages, then the other replies; nil when there is nothing more.
func (a *Adapter) more(it *discordgo.Interaction, msgs []message, replies []bots.Reply) func(ctx context.Context) {
	if len(msgs) == 0 && len(replies) == 0 {
		return nil
	}
	return func(ctx context.Context) {
		for _, m := range msgs {
			a.followMessage(ctx, it, m)
		}
		for _, r := range replies {
			a.followReply(ctx, it, r)
		}
	}
}

// followUp sends the replies of an interaction that was deferred: the first one in
// place of the "thinking" message when it is as private as that was (else the
// thinking goes and a follow-up comes), the others as follow-ups; the first Edit
// reply to a deferred button updates the button's message.
func (a *Adapter) followUp(ctx context.Context, it *discordgo.Interaction, deferred *discordgo.InteractionResponse, replies []bots.Reply) {
	thinking := deferred.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource
	thinkingPrivate := deferred.Data != nil && deferred.Data.Flags&discordgo.MessageFlagsEphemeral != 0
	if len(replies) == 0 {
		if thinking {
			a.editOriginal(ctx, it, a.noticeMessage(it, "error.duplicate_update"))
		}
		return
	}
	edited := false
	for i, r := range replies {
		var msgs []message
		switch {
		case asks(r):
			msgs = []message{a.promptMessage(r)}
		case !thinking && r.Edit && !edited:
			a.editOriginal(ctx, it, a.renderOne(r))
			edited = true
			continue
		default:
			msgs = a.render(r)
		}
		if i == 0 && thinking {
			if msgs[0].ephemeral == thinkingPrivate {
				a.editOriginal(ctx, it, msgs[0])
				msgs = msgs[1:]
			} else if err := a.rest(ctx, func(o ...discordgo.RequestOption) error { return a.api.InteractionResponseDelete(it, o...) }); err != nil {
				a.log.Warn("delete deferred response", "id", it.ID, "err", err)
			}
		}
		for _, m := range msgs {
			a.followMessage(ctx, it, m)
		}
	}
}

// followReply sends a reply as follow-up messages.
func (a *Adapter) followReply(ctx context.Context, it *discordgo.Interaction, r bots.Reply) {
	if asks(r) {
		a.followMessage(ctx, it, a.promptMessage(r))
		return
	}
	for _, m := range a.render(r) {
		a.followMessage(ctx, it, m)
	}
}

func (a *Adapter) followMessage(ctx context.Context, it *discordgo.Interaction, m message) {
	err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
		_, err := a.api.FollowupMessageCreate(it, true, &discordgo.WebhookParams{
			Content: m.content, Embeds: m.embeds, Components: m.components, Files: m.discordFiles(),
			Flags: m.flags(), AllowedMentions: noMentions(),
		}, o...)
		return err
	})
	if err != nil {
		a.log.Error("send follow-up", "id", it.ID, "err", err)
	}
}

func (a *Adapter) editOriginal(ctx context.Context, it *discordgo.Interaction, m message) {
	err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
		_, err := a.api.InteractionResponseEdit(it, m.webhookEdit(), o...)
		return err
	})
	if err != nil {
		a.log.Error("edit interaction response", "id", it.ID, "err", err)
	}
}

// responseData is a message as the data of an interaction response.
func responseData(m message) *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{Content: m.content, Embeds: m.embeds, Components: m.components, Flags: m.flags(), AllowedMentions: noMentions()}
	if d.Components == nil {
		d.Components = []discordgo.MessageComponent{}
	}
	if d.Embeds == nil {
		d.Embeds = []*discordgo.MessageEmbed{}
	}
	return d
}

// asks reports whether a reply is a question for a modal. A reply with buttons of
// its own (an item to answer or skip) is shown as it is: its buttons lead to the
// question, and a modal would hide what it asks about; unless the question is to
// be a modal at once (Prompt.Modal: a step of the guided set-up), its buttons then
// shown only when it cannot be one.
func asks(r bots.Reply) bool { return r.Prompt != nil && (len(r.Buttons) == 0 || r.Prompt.Modal) }

// modal asks for a prompt's answer in a modal with one text input.
func (a *Adapter) modal(r bots.Reply) *discordgo.InteractionResponse {
	p := r.Prompt
	// the question is the reply's first line; the lines under it are for a message
	title, _, _ := strings.Cut(strings.TrimSpace(r.Text), "\n")
	if title == "" {
		title = a.router.T(core.Locales[0], p.Msg)
	}
	title = core.Clip(strings.Join(strings.Fields(title), " "), maxModalTitle)
	// the prompt's own words, when they say more than the question (what to type)
	placeholder := ""
	if t := strings.Join(strings.Fields(p.Text), " "); t != "" && t != title {
		placeholder = core.Clip(t, maxPlaceholder)
	}
	style := discordgo.TextInputShort
	if p.Long {
		style = discordgo.TextInputParagraph
	}
	maxLen := p.Max
	if maxLen <= 0 || maxLen > maxModalInput {
		maxLen = maxModalInput
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: p.Action, Title: title,
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: "answer", Label: title, Style: style, Placeholder: placeholder, Required: true, MinLength: 1, MaxLength: maxLen},
		}}},
	}}
}

// promptMessage shows a prompt that cannot be a modal (the interaction was already
// answered, or a modal submitted) as its question, privately, with a button that
// opens the modal ("✍️ Answer") first and the reply's own buttons (skip, cancel)
// after it, in its row when there is room.
func (a *Adapter) promptMessage(r bots.Reply) message {
	m := a.renderOne(bots.Reply{Msg: r.Msg, Text: r.Text, Ephemeral: true, Buttons: r.Buttons})
	open := discordgo.Button{Style: discordgo.PrimaryButton, CustomID: r.Prompt.Action, Emoji: &discordgo.ComponentEmoji{Name: "✍️"},
		Label: core.Clip(strings.TrimSpace(r.Prompt.Label), maxLabel)}
	if len(m.components) > 0 {
		if row, ok := m.components[0].(discordgo.ActionsRow); ok && len(row.Components) < maxRowButtons {
			row.Components = append([]discordgo.MessageComponent{open}, row.Components...)
			m.components[0] = row
			uniqueIDs(m.components)
			return m
		}
	}
	m.components = append([]discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{open}}}, m.components...)
	if len(m.components) > maxRows {
		m.components = m.components[:maxRows]
	}
	uniqueIDs(m.components)
	return m
}

// ack answers an interaction the Router said nothing to (a repeated one): buttons
// are acknowledged silently, commands with a short private notice, since Discord
// wants an answer.
func (a *Adapter) ack(it *discordgo.Interaction) *discordgo.InteractionResponse {
	if isComponent(it) {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return a.notice(it, "error.duplicate_update")
}

// notice is a private message with one catalog text, in the member's client
// language.
func (a *Adapter) notice(it *discordgo.Interaction, key string) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: responseData(a.noticeMessage(it, key))}
}

func (a *Adapter) noticeMessage(it *discordgo.Interaction, key string) message {
	locale := core.NormalizeLocale(string(it.Locale))
	if locale == "" {
		locale = core.Locales[0]
	}
	return message{content: escape(a.router.T(locale, bots.M(key))), ephemeral: true}
}

// user returns who acted: the member in a guild, the user in a private chat.
func user(it *discordgo.Interaction) *discordgo.User {
	if it.Member != nil && it.Member.User != nil {
		return it.Member.User
	}
	return it.User
}

// input turns an interaction into the neutral input, and names the command's spec.
func (a *Adapter) input(ctx context.Context, it *discordgo.Interaction) (bots.Input, *bots.Spec, error) {
	in, err := refs(it, a.guildName(it.GuildID))
	if err != nil {
		return bots.Input{}, nil, err
	}
	if it.GuildID != "" {
		in.Admin = a.isAdmin(ctx, it)
	}
	var spec *bots.Spec
	switch it.Type {
	case discordgo.InteractionApplicationCommand:
		inv, err := a.invoke(a.cmds, it.ApplicationCommandData())
		if err != nil {
			return bots.Input{}, nil, err
		}
		in.Command, in.Attachments, spec = inv.cmd, inv.attachments, inv.spec
	case discordgo.InteractionMessageComponent:
		in.Action = actionOf(it.MessageComponentData().CustomID)
		in.Threads = a.threadOpener(it)
	case discordgo.InteractionModalSubmit:
		data := it.ModalSubmitData()
		in.Action = actionOf(data.CustomID)
		in.Text = modalText(data.Components)
	}
	return in, spec, nil
}

// refs returns who acted and where, as the neutral input carries them: the guild is
// the space, or a private chat with the bot is a space of its own.
func refs(it *discordgo.Interaction, guildName string) (bots.Input, error) {
	u := user(it)
	if u == nil || u.ID == "" || it.ChannelID == "" && it.GuildID == "" {
		return bots.Input{}, errBadCommand
	}
	name := u.GlobalName
	if name == "" {
		name = u.Username
	}
	in := bots.Input{
		Platform: core.Discord,
		Channel:  it.ChannelID,
		Member:   core.MemberRef{Platform: core.Discord, ExternalID: u.ID, Name: name},
		Locale:   string(it.Locale),
		UpdateID: it.ID,
	}
	if it.GuildID != "" {
		in.Space = core.SpaceRef{Platform: core.Discord, ExternalID: it.GuildID, Title: guildName}
		if it.GuildLocale != nil {
			in.Space.Locale = core.NormalizeLocale(string(*it.GuildLocale))
		}
	} else {
		in.Space = core.SpaceRef{Platform: core.Discord, ExternalID: it.ChannelID, Title: name}
		in.Private = true
	}
	return in, nil
}

// modalText returns the value of a modal's first text input.
func modalText(cs []discordgo.MessageComponent) string {
	for _, c := range cs {
		switch c := c.(type) {
		case *discordgo.ActionsRow:
			if t := modalText(c.Components); t != "" {
				return t
			}
		case discordgo.ActionsRow:
			if t := modalText(c.Components); t != "" {
				return t
			}
		case *discordgo.TextInput:
			return c.Value
		case discordgo.TextInput:
			return c.Value
		}
	}
	return ""
}

// autocomplete offers campaign codes for the option being typed, as the Router
// suggests them (bots.Router.SuggestCodes).
func (a *Adapter) autocomplete(ctx context.Context, it *discordgo.Interaction) *discordgo.InteractionResponse {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{}}
	data := it.ApplicationCommandData()
	c := a.cmds.byName[data.Name]
	if c == nil {
		return resp
	}
	opts, sub := data.Options, ""
	if len(opts) > 0 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		sub, opts = opts[0].Name, opts[0].Options
	}
	spec := c.spec(sub)
	if spec == nil {
		return resp
	}
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range opts {
		if o.Focused {
			focused = o
		}
	}
	if focused == nil {
		return resp
	}
	isCode := false
	for _, sl := range slots(spec) {
		if sl.name == focused.Name && spec.Params[sl.param].Type == bots.ParamCode {
			isCode = true
		}
	}
	if !isCode {
		return resp
	}
	in, err := refs(it, a.guildName(it.GuildID))
	if err != nil {
		return resp
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, sg := range a.router.SuggestCodes(ctx, in.Space, in.Member, value(focused.Value)) {
		if len(choices) == maxChoices {
			break
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: core.Clip(sg.Label, maxChoiceName), Value: sg.Code})
	}
	resp.Data.Choices = choices
	return resp
}

// isAdmin reports whether the member may manage the server, or has the admin role.
func (a *Adapter) isAdmin(ctx context.Context, it *discordgo.Interaction) bool {
	m := it.Member
	if m == nil {
		return false
	}
	if m.Permissions&(permManageGuild|permAdministrator) != 0 {
		return true
	}
	if a.adminRole == "" || len(m.Roles) == 0 {
		return false
	}
	for _, id := range m.Roles {
		if id == a.adminRole {
			return true
		}
	}
	if isSnowflake(a.adminRole) {
		return false
	}
	id := a.roleID(ctx, it.GuildID, a.adminRole)
	for _, r := range m.Roles {
		if id != "" && r == id {
			return true
		}
	}
	return false
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// rolesFresh is how long the adapter trusts what it knows of a guild's roles.
const rolesFresh = 10 * time.Minute

// roleID returns the id of the guild's role with that name (any case), reading the
// guild's roles when what the adapter knows is missing or old.
func (a *Adapter) roleID(ctx context.Context, guildID, name string) string {
	name = strings.ToLower(name)
	now := time.Now()
	a.mu.Lock()
	g := a.guilds[guildID]
	a.mu.Unlock()
	if g.roles == nil || now.Sub(g.rolesAt) > rolesFresh {
		var roles []*discordgo.Role
		err := a.rest(ctx, func(o ...discordgo.RequestOption) error {
			var err error
			roles, err = a.api.GuildRoles(guildID, o...)
			return err
		})
		if err != nil {
			a.log.Warn("read guild roles", "guild", guildID, "err", err)
			// keep what was known, and ask again in a minute rather than at every interaction
			a.mu.Lock()
			g = a.guilds[guildID]
			if g.roles == nil {
				g.roles = map[string]string{}
			}
			g.rolesAt = now.Add(time.Minute - rolesFresh)
			a.guilds[guildID] = g
			a.mu.Unlock()
			return g.roles[name]
		}
		a.setRoles(guildID, roles, now)
		a.mu.Lock()
		g = a.guilds[guildID]
		a.mu.Unlock()
	}
	return g.roles[name]
}

func (a *Adapter) setRoles(guildID string, roles []*discordgo.Role, at time.Time) {
	m := map[string]string{}
	for _, r := range roles {
		if r != nil {
			m[strings.ToLower(r.Name)] = r.ID
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	g := a.guilds[guildID]
	g.roles, g.rolesAt = m, at
	a.guilds[guildID] = g
}

func (a *Adapter) guildName(id string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.guilds[id].name
}

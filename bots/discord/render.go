package discord

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"crowdbot/bots"
	"crowdbot/bots/internal/units"
	"crowdbot/core"
)

// Discord's limits on messages (docs/DESIGN.md). Lengths count UTF-16 units, as
// Discord's own clients do, which is never less than the characters a member sees.
const (
	maxContent     = 2000
	maxEmbedText   = 4096
	maxEmbedsTotal = 6000
	maxEmbeds      = 10
	maxRows        = 5
	maxRowButtons  = 5
	maxLabel       = 80
	maxCustomID    = 100
	maxModalTitle  = 45
	maxModalInput  = 4000
	maxPlaceholder = 100
)

// message is one Discord message, in the shape every endpoint takes.
type message struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	files      []file
	ephemeral  bool
}

// file is an attachment the bot uploads.
type file struct {
	name, contentType string
	data              []byte
}

func (m message) flags() discordgo.MessageFlags {
	if m.ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

func (m message) discordFiles() []*discordgo.File {
	var out []*discordgo.File
	for _, f := range m.files {
		out = append(out, &discordgo.File{Name: f.name, ContentType: f.contentType, Reader: bytes.NewReader(f.data)})
	}
	return out
}

// edit is the message as the edit of one the bot sent: every part is given, an
// empty list clearing the old message's embeds or buttons, and new uploads replace
// its old ones. Each call makes new readers for the uploads, so a retried request
// builds its edit again.
func (m message) edit() *discordgo.MessageEdit {
	embeds, components := m.embeds, m.components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	e := &discordgo.MessageEdit{Content: &m.content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
	if len(m.files) > 0 {
		e.Files = m.discordFiles()
		e.Attachments = &[]*discordgo.MessageAttachment{}
	}
	return e
}

// webhookEdit is edit for an interaction's response, edited through its webhook.
func (m message) webhookEdit() *discordgo.WebhookEdit {
	e := m.edit()
	return &discordgo.WebhookEdit{Content: e.Content, Embeds: e.Embeds, Components: e.Components,
		Files: e.Files, Attachments: e.Attachments, AllowedMentions: e.AllowedMentions}
}

// noMentions keeps what members wrote (an idea saying @everyone) from pinging anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// private reports whether a reply is for the member alone.
func private(r bots.Reply) bool { return r.Ephemeral || r.Toast || r.Private }

// render turns a reply into the messages that show it: its text as content, or as
// embeds when it is longer than a message's content may be, over several messages
// when it is longer still; its files on the first message, its buttons on the last.
func (a *Adapter) render(r bots.Reply) []message {
	text := escape(r.Text)
	var msgs []message
	if units.Len(text) <= maxContent {
		msgs = []message{{content: text}}
	} else {
		msgs = embedMessages(text)
	}
	msgs[0].files = a.files(r)
	if e := a.linkedImage(r); e != nil {
		last := &msgs[len(msgs)-1]
		if len(last.embeds) < maxEmbeds {
			last.embeds = append(last.embeds, e)
		}
	}
	rows := a.rows(r.Buttons)
	for len(rows) > 0 {
		n := min(len(rows), maxRows)
		last := &msgs[len(msgs)-1]
		if last.components != nil {
			msgs = append(msgs, message{})
			last = &msgs[len(msgs)-1]
		}
		last.components = rows[:n]
		rows = rows[n:]
	}
	for i := range msgs {
		msgs[i].ephemeral = private(r)
		uniqueIDs(msgs[i].components)
	}
	if m := &msgs[0]; m.content == "" && len(m.embeds) == 0 && len(m.components) == 0 && len(m.files) == 0 {
		// Discord refuses an empty message; the Router always writes something
		m.content = "…"
	}
	return msgs
}

// renderOne turns a reply into one message, for edits: text that does not fit is cut
// with an ellipsis, button rows past the fifth are left out.
func (a *Adapter) renderOne(r bots.Reply) message {
	text := escape(r.Text)
	m := message{ephemeral: private(r), files: a.files(r)}
	if units.Len(text) <= maxContent {
		m.content = text
	} else {
		m.embeds = embedMessages(units.Clip(text, maxEmbedsTotal))[0].embeds
	}
	if e := a.linkedImage(r); e != nil && len(m.embeds) < maxEmbeds {
		m.embeds = append(m.embeds, e)
	}
	rows := a.rows(r.Buttons)
	if len(rows) > maxRows {
		a.log.Warn("buttons left out of an edited message", "rows", len(rows))
		rows = rows[:maxRows]
	}
	m.components = rows
	uniqueIDs(m.components)
	return m
}

// files returns a reply's picture and document as uploads.
func (a *Adapter) files(r bots.Reply) []file {
	var out []file
	if r.Image != nil && len(r.Image.PNG) > 0 {
		name := r.Image.Name
		if name == "" {
			name = "image.png"
		}
		out = append(out, file{name: name, contentType: "image/png", data: r.Image.PNG})
	}
	if r.File != nil && len(r.File.Data) > 0 {
		typ := r.File.Type
		if typ == "" {
			typ = "application/octet-stream"
		}
		out = append(out, file{name: r.File.Name, contentType: typ, data: r.File.Data})
	}
	return out
}

// linkedImage shows a picture the Router only links to as an embed: its web path
// under the public URL, or the address it already has (a contest entry's picture
// on Discord's CDN).
func (a *Adapter) linkedImage(r bots.Reply) *discordgo.MessageEmbed {
	if r.Image == nil || len(r.Image.PNG) > 0 || r.Image.Path == "" {
		return nil
	}
	u := r.Image.Path
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		if a.publicURL == "" {
			return nil
		}
		u = a.publicURL + u
	}
	return &discordgo.MessageEmbed{Type: discordgo.EmbedTypeImage, Image: &discordgo.MessageEmbedImage{URL: u}}
}

// embedMessages spreads text over embeds of at most maxEmbedText units, and the
// embeds over messages of at most maxEmbedsTotal units and maxEmbeds embeds,
// breaking between lines where it can.
func embedMessages(text string) []message {
	// the pieces are lines, and lines longer than an embed cut to its size
	var pieces []string
	for _, line := range strings.SplitAfter(text, "\n") {
		for units.Len(line) > maxEmbedText {
			head := units.Cut(line, maxEmbedText)
			pieces = append(pieces, head)
			line = line[len(head):]
		}
		if line != "" {
			pieces = append(pieces, line)
		}
	}
	var (
		msgs  []message
		cur   message
		total int // units in cur's embeds
		b     strings.Builder
		n     int // units in b
	)
	flush := func() {
		if n > 0 {
			cur.embeds = append(cur.embeds, &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Description: b.String()})
			total += n
			b.Reset()
			n = 0
		}
	}
	for _, p := range pieces {
		u := units.Len(p)
		if n+u > maxEmbedText {
			flush()
		}
		if total+n+u > maxEmbedsTotal || n == 0 && len(cur.embeds) == maxEmbeds {
			flush()
			msgs = append(msgs, cur)
			cur, total = message{}, 0
		}
		b.WriteString(p)
		n += u
	}
	flush()
	return append(msgs, cur)
}

// rows lays out button rows at most five buttons wide.
func (a *Adapter) rows(buttons [][]bots.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	for _, row := range buttons {
		var cur []discordgo.MessageComponent
		for _, b := range row {
			btn, ok := button(b)
			if !ok {
				a.log.Warn("button left out", "action", b.Action)
				continue
			}
			if len(cur) == maxRowButtons {
				rows = append(rows, discordgo.ActionsRow{Components: cur})
				cur = nil
			}
			cur = append(cur, btn)
		}
		if len(cur) > 0 {
			rows = append(rows, discordgo.ActionsRow{Components: cur})
		}
	}
	return rows
}

// button turns a neutral button into a Discord one.
func button(b bots.Button) (discordgo.Button, bool) {
	label := core.Clip(strings.TrimSpace(b.Label), maxLabel)
	if label == "" {
		label = "·"
	}
	out := discordgo.Button{Label: label}
	switch {
	case b.URL != "":
		out.Style, out.URL = discordgo.LinkButton, b.URL
		return out, true
	case b.Action == "" || len(b.Action) > maxCustomID-4:
		return out, false
	}
	out.CustomID = b.Action
	switch b.Style {
	case bots.StyleSecondary:
		out.Style = discordgo.SecondaryButton
	case bots.StyleSuccess:
		out.Style = discordgo.SuccessButton
	case bots.StyleDanger:
		out.Style = discordgo.DangerButton
	default:
		out.Style = discordgo.PrimaryButton
	}
	return out, true
}

// uniqueIDs makes the custom ids of a message's buttons unique, as Discord requires:
// the second button with an action gets "|2" after it, and so on. actionOf removes
// the suffix again.
func uniqueIDs(rows []discordgo.MessageComponent) {
	seen := map[string]int{}
	for _, r := range rows {
		row, ok := r.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		for i, c := range row.Components {
			b, ok := c.(discordgo.Button)
			if !ok || b.CustomID == "" {
				continue
			}
			seen[b.CustomID]++
			if n := seen[b.CustomID]; n > 1 {
				b.CustomID += "|" + strconv.Itoa(n)
				row.Components[i] = b
			}
		}
	}
}

// actionOf returns the action id of a button's custom id.
func actionOf(customID string) string {
	if i := strings.LastIndexByte(customID, '|'); i > 0 {
		if _, err := strconv.Atoi(customID[i+1:]); err == nil {
			return customID[:i]
		}
	}
	return customID
}

// escape keeps Discord from reading plain text as markdown: it escapes the
// characters that format text, and those that start headings, quotes and lists at
// the start of a line. Links are left alone so they still open.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "http://") || strings.HasPrefix(s[i:], "https://") {
			end := strings.IndexAny(s[i:], " \t\n")
			if end < 0 {
				end = len(s) - i
			}
			b.WriteString(s[i : i+end])
			i += end
			lineStart = false
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case strings.ContainsRune("\\*_~`|[]", r):
			b.WriteByte('\\')
		case lineStart && (r == '#' || r == '>'):
			b.WriteByte('\\')
		case lineStart && (r == '-' || r == '+') && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '#'):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		i += size
		lineStart = r == '\n' || lineStart && (r == ' ' || r == '\t')
	}
	return b.String()
}

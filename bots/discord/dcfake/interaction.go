package dcfake

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// Discord is Discord's side of HTTP interactions: it signs interactions with the
// application's key and posts them to the bot, reading the bot's answer as
// Discord would (and telling the REST fake the interaction was answered).
type Discord struct {
	REST   *REST
	AppID  string
	Key    ed25519.PrivateKey
	Public ed25519.PublicKey
	// Now is the time the signatures carry.
	Now func() time.Time
	ids atomic.Int64
}

// NewDiscord returns Discord's side with a fresh key pair.
func NewDiscord(t testing.TB, rest *REST, appID string, now func() time.Time) *Discord {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := &Discord{REST: rest, AppID: appID, Key: key, Public: pub, Now: now}
	d.ids.Store(1100000000000000000)
	return d
}

// PublicKeyHex is the public key as the Developer Portal shows it.
func (d *Discord) PublicKeyHex() string { return hex.EncodeToString(d.Public) }

// NextID returns a fresh snowflake for an interaction.
func (d *Discord) NextID() string { return strconv.FormatInt(d.ids.Add(1), 10) }

// Answer is the bot's HTTP answer to an interaction.
type Answer struct {
	Status int
	Body   []byte
	// Type and Data are the interaction response, when the status is 200.
	Type int
	Data map[string]any
}

// Post signs an interaction and posts it to url. The signature is made over the
// timestamp (at) and the body, unless sign is false (then garbage is sent).
func (d *Discord) Post(t testing.TB, url string, interaction map[string]any, at time.Time, sign bool) Answer {
	t.Helper()
	body, err := json.Marshal(interaction)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(d.Key, append([]byte(ts), body...))
	if !sign {
		sig[0] ^= 0xff
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	a := Answer{Status: resp.StatusCode, Body: out}
	if resp.StatusCode == http.StatusOK {
		var r struct {
			Type int            `json:"type"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("interaction answer is not JSON: %q", out)
		}
		a.Type, a.Data = r.Type, r.Data
	}
	if id, _ := interaction["id"].(string); id != "" && d.REST != nil && interaction["type"] != float64(1) && interaction["type"] != 1 {
		token, _ := interaction["token"].(string)
		d.REST.Acknowledge(id, token, out, resp.StatusCode)
	}
	return a
}

// Deliver signs an interaction with the current time and posts it to url.
func (d *Discord) Deliver(t testing.TB, url string, interaction map[string]any) Answer {
	t.Helper()
	return d.Post(t, url, interaction, d.Now(), true)
}

// User is a Discord account in a guild.
type User struct {
	ID, Username, GlobalName string
	// Permissions is the member's permissions in the channel, as Discord computes
	// them (a decimal bitfield).
	Permissions string
	Roles       []string
	// Locale is the member's client language.
	Locale string
}

// Member permissions as Discord sends them: an admin has Manage Server (1<<5).
const (
	PermsMember = "2248473465835073" // view, send, history, application commands...
	PermsAdmin  = "2248473465835105" // the same with Manage Server
)

func (u User) user() map[string]any {
	var global any
	if u.GlobalName != "" {
		global = u.GlobalName
	}
	return map[string]any{"id": u.ID, "username": u.Username, "global_name": global, "discriminator": "0",
		"avatar": nil, "public_flags": 0, "avatar_decoration_data": nil}
}

func (u User) member() map[string]any {
	roles := []any{}
	for _, r := range u.Roles {
		roles = append(roles, r)
	}
	perms := u.Permissions
	if perms == "" {
		perms = PermsMember
	}
	return map[string]any{"user": u.user(), "roles": roles, "premium_since": nil, "permissions": perms, "pending": false,
		"nick": nil, "mute": false, "joined_at": "2024-05-01T10:00:00.000000+00:00", "flags": 0, "deaf": false,
		"communication_disabled_until": nil, "avatar": nil, "banner": nil, "unusual_dm_activity_until": nil}
}

// Where is a place interactions come from: a guild channel, or a private chat with
// the bot when Guild is "".
type Where struct {
	Guild, Channel, GuildLocale string
}

// base is the envelope every interaction shares.
func (d *Discord) base(typ int, who User, where Where) map[string]any {
	id := d.NextID()
	locale := who.Locale
	if locale == "" {
		locale = "en-US"
	}
	it := map[string]any{
		"id": id, "application_id": d.AppID, "type": typ, "token": "aW50ZXJhY3Rpb246" + id + ":tok",
		"version": 1, "locale": locale, "app_permissions": "2251799813685247", "entitlements": []any{},
		"attachment_size_limit": 10485760,
	}
	if where.Guild != "" {
		gl := where.GuildLocale
		if gl == "" {
			gl = "en-US"
		}
		it["guild_id"] = where.Guild
		it["guild"] = map[string]any{"id": where.Guild, "locale": gl, "features": []any{}}
		it["guild_locale"] = gl
		it["member"] = who.member()
		it["context"] = 0
		it["authorizing_integration_owners"] = map[string]any{"0": where.Guild}
		it["channel_id"] = where.Channel
		it["channel"] = map[string]any{"id": where.Channel, "type": 0, "guild_id": where.Guild, "name": "general",
			"parent_id": nil, "position": 0, "permissions": "2251799813685247", "flags": 0, "nsfw": false,
			"last_message_id": nil, "rate_limit_per_user": 0, "topic": nil}
	} else {
		it["user"] = who.user()
		it["context"] = 1
		it["authorizing_integration_owners"] = map[string]any{"0": "0"}
		it["channel_id"] = where.Channel
		it["channel"] = map[string]any{"id": where.Channel, "type": 1, "flags": 0, "last_message_id": nil,
			"recipients": []any{who.user()}}
	}
	return it
}

// Ping is the PING Discord sends to check the endpoint.
func (d *Discord) Ping() map[string]any {
	return map[string]any{"id": d.NextID(), "application_id": d.AppID, "type": 1, "token": "ping", "version": 1, "user": nil}
}

// Option is one option of a slash command as a member filled it in.
type Option struct {
	Name  string
	Type  int // 3 string, 4 integer, 5 boolean, 11 attachment
	Value any
	// Focused marks the option being typed, for autocomplete.
	Focused bool
}

// Attachment is a file a member attached to an attachment option.
type Attachment struct {
	ID, Filename, ContentType, URL string
	Size, Width, Height            int
}

// Command is an APPLICATION_COMMAND interaction: /name [sub] options.
func (d *Discord) Command(who User, where Where, name, sub string, opts []Option, files ...Attachment) map[string]any {
	it := d.base(2, who, where)
	it["data"] = commandData(name, sub, opts, files)
	return it
}

// Autocomplete is an APPLICATION_COMMAND_AUTOCOMPLETE interaction.
func (d *Discord) Autocomplete(who User, where Where, name, sub string, opts []Option) map[string]any {
	it := d.base(4, who, where)
	it["data"] = commandData(name, sub, opts, nil)
	return it
}

func commandData(name, sub string, opts []Option, files []Attachment) map[string]any {
	list := []any{}
	for _, o := range opts {
		m := map[string]any{"name": o.Name, "type": o.Type, "value": o.Value}
		if o.Focused {
			m["focused"] = true
		}
		list = append(list, m)
	}
	if sub != "" {
		list = []any{map[string]any{"name": sub, "type": 1, "options": list}}
	}
	data := map[string]any{"id": "1250000000000000001", "name": name, "type": 1, "options": list}
	if len(files) > 0 {
		atts := map[string]any{}
		for _, f := range files {
			atts[f.ID] = map[string]any{"id": f.ID, "filename": f.Filename, "size": f.Size, "url": f.URL,
				"proxy_url": f.URL, "content_type": f.ContentType, "width": f.Width, "height": f.Height,
				"ephemeral": true, "placeholder": "abc", "placeholder_version": 1}
		}
		data["resolved"] = map[string]any{"attachments": atts}
	}
	return data
}

// Message is a message the bot posted, as an interaction on it carries it.
func Message(id, channel string, content string, components any) map[string]any {
	if components == nil {
		components = []any{}
	}
	return map[string]any{"id": id, "channel_id": channel, "type": 0, "content": content, "components": components,
		"author": map[string]any{"id": "900000000000000002", "username": "crowdbot", "discriminator": "0", "bot": true, "avatar": nil, "global_name": nil},
		"embeds": []any{}, "attachments": []any{}, "mentions": []any{}, "mention_roles": []any{}, "pinned": false,
		"mention_everyone": false, "tts": false, "timestamp": "2026-03-02T09:00:00.000000+00:00", "edited_timestamp": nil,
		"flags": 0, "application_id": "900000000000000001", "interaction_metadata": map[string]any{"id": "1", "type": 2}}
}

// Press is a MESSAGE_COMPONENT interaction: a button pressed on msg.
func (d *Discord) Press(who User, where Where, customID string, msg map[string]any) map[string]any {
	it := d.base(3, who, where)
	it["data"] = map[string]any{"custom_id": customID, "component_type": 2}
	if msg == nil {
		msg = Message("1280000000000000001", where.Channel, "", nil)
	}
	it["message"] = msg
	return it
}

// Submit is a MODAL_SUBMIT interaction: the modal customID answered with value in
// its text input inputID. msg is the message whose button opened the modal, or nil
// when a slash command did.
func (d *Discord) Submit(who User, where Where, customID, inputID, value string, msg map[string]any) map[string]any {
	it := d.base(5, who, where)
	it["data"] = map[string]any{"custom_id": customID, "components": []any{
		map[string]any{"type": 1, "id": 1, "components": []any{map[string]any{"type": 4, "id": 2, "custom_id": inputID, "value": value}}},
	}}
	if msg != nil {
		it["message"] = msg
	}
	return it
}

// String is a short description of an interaction, for test messages.
func String(it map[string]any) string {
	data, _ := it["data"].(map[string]any)
	return fmt.Sprintf("interaction %v type %v %v", it["id"], it["type"], data["name"])
}

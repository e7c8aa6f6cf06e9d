package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionsPath is where Discord posts signed interactions.
const InteractionsPath = "/discord/interactions"

// maxSkew is how far a request's signed timestamp may be from now: older requests
// are refused, so that a captured one cannot be played again later.
const maxSkew = 5 * time.Minute

// maxBody bounds an interaction's body.
const maxBody = 4 << 20

// ServeHTTP answers Discord's signed HTTP interactions: it checks the Ed25519
// signature over the timestamp and the body (401 when it does not hold or the
// timestamp is stale), answers PING with PONG, and runs everything else through the
// same handler as the gateway. The response goes in the HTTP answer; follow-ups go
// through REST once it is sent.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if a.publicKey == nil {
		http.Error(w, "interactions are off", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !a.verify(r.Header, body) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	it, err := decodeInteraction(body)
	if err != nil {
		a.log.Warn("bad interaction body", "err", err)
		http.Error(w, "bad interaction", http.StatusBadRequest)
		return
	}
	ans := a.answer(r.Context(), it)
	if err := writeResponse(w, ans.initial); err != nil {
		a.log.Error("write interaction response", "id", it.ID, "err", err)
		return
	}
	if ans.then != nil {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		a.goWork(ans.then)
	}
}

// decodeInteraction decodes an interaction as discordgo's Interaction.UnmarshalJSON
// does, but for the message a component or a modal was on: Discord sends the whole
// card, every embed and component of it, and the adapter reads only its id and
// channel (a thread starts from it). Decoding all of it was the most of a press's
// decoding, itself the most of the adapter's work on a press.
func decodeInteraction(body []byte) (*discordgo.Interaction, error) {
	type interaction discordgo.Interaction // without its UnmarshalJSON
	var tmp struct {
		interaction
		Data    json.RawMessage `json:"data"`
		Message *struct {
			ID        string `json:"id"`
			ChannelID string `json:"channel_id"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &tmp); err != nil {
		return nil, err
	}
	it := discordgo.Interaction(tmp.interaction)
	if m := tmp.Message; m != nil {
		it.Message = &discordgo.Message{ID: m.ID, ChannelID: m.ChannelID}
	}
	var err error
	switch it.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		it.Data, err = decodeData[discordgo.ApplicationCommandInteractionData](tmp.Data)
	case discordgo.InteractionMessageComponent:
		it.Data, err = decodeData[discordgo.MessageComponentInteractionData](tmp.Data)
	case discordgo.InteractionModalSubmit:
		it.Data, err = decodeData[discordgo.ModalSubmitInteractionData](tmp.Data)
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

func decodeData[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// verify checks the request's signature and timestamp.
func (a *Adapter) verify(h http.Header, body []byte) bool {
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := h.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := a.router.Now().Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return false
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	return ed25519.Verify(a.publicKey, msg, sig)
}

// writeResponse writes an interaction response as JSON. Responses never carry
// files: a reply with uploads is deferred and sent with the edit that follows.
func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	payload, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(payload)
	return err
}

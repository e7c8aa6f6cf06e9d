package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"crowdbot/bots"
	"crowdbot/bots/internal/units"
	"crowdbot/core"
)

// Telegram Stars payments (Bot API 7.4 and later). The SDK has no types for them: the
// adapter reads and sends them with its own, through raw method calls.

// PreCheckoutQuery asks the bot, before a payment, whether it may go ahead; the bot
// must answer within 10 seconds.
type PreCheckoutQuery struct {
	ID       string `json:"id"`
	From     *User  `json:"from"`
	Currency string `json:"currency"`
	// TotalAmount is in the smallest units of the currency: whole Stars for XTR.
	TotalAmount    int64  `json:"total_amount"`
	InvoicePayload string `json:"invoice_payload"`
}

// SuccessfulPayment is a payment made, in the service message that tells of it.
type SuccessfulPayment struct {
	Currency                string `json:"currency"`
	TotalAmount             int64  `json:"total_amount"`
	InvoicePayload          string `json:"invoice_payload"`
	TelegramPaymentChargeID string `json:"telegram_payment_charge_id"`
	ProviderPaymentChargeID string `json:"provider_payment_charge_id"`
}

// LabeledPrice is a part of an invoice's price.
type LabeledPrice struct {
	Label  string `json:"label"`
	Amount int64  `json:"amount"`
}

// InvoiceOut is an invoice to send: in Stars, the provider token is empty and the
// price has one part.
type InvoiceOut struct {
	ChatID      int64
	ThreadID    int
	Title       string // 1 to 32 characters
	Description string // 1 to 255 characters
	Payload     string // 1 to 128 bytes, not shown to the member
	Currency    string
	Prices      []LabeledPrice
}

// Payments are the Bot API calls of payments in Telegram Stars.
type Payments interface {
	// SendInvoice sends an invoice and returns its message id.
	SendInvoice(ctx context.Context, inv InvoiceOut) (int, error)
	// AnswerPreCheckoutQuery lets a payment go ahead, or refuses it with a reason
	// shown to the member.
	AnswerPreCheckoutQuery(ctx context.Context, id string, ok bool, errorMessage string) error
	// RefundStarPayment pays a Stars payment back to the user who made it.
	RefundStarPayment(ctx context.Context, userID int64, chargeID string) error
}

// Telegram's limits on invoices.
const (
	maxInvoiceTitle       = 32
	maxInvoiceDescription = 255
	maxCheckoutError      = 255
	// checkoutBudget bounds the answer to a pre-checkout query, well within the 10
	// seconds Telegram waits; the check itself gets most of it.
	checkoutBudget = 8 * time.Second
	checkoutCheck  = 6 * time.Second
)

// SendInvoice implements Payments.
func (s *sdk) SendInvoice(ctx context.Context, inv InvoiceOut) (int, error) {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(inv.ChatID, 10), "title": inv.Title, "description": inv.Description,
		"payload": inv.Payload, "currency": inv.Currency, "provider_token": ""}
	p.AddNonZero("message_thread_id", inv.ThreadID)
	prices, err := json.Marshal(inv.Prices)
	if err != nil {
		return 0, err
	}
	p["prices"] = string(prices)
	res, err := s.call(ctx, "sendInvoice", p)
	if err != nil {
		return 0, err
	}
	return messageID("sendInvoice", res)
}

// AnswerPreCheckoutQuery implements Payments.
func (s *sdk) AnswerPreCheckoutQuery(ctx context.Context, id string, ok bool, errorMessage string) error {
	p := tgbotapi.Params{"pre_checkout_query_id": id, "ok": strconv.FormatBool(ok)}
	if !ok {
		p["error_message"] = errorMessage
	}
	_, err := s.call(ctx, "answerPreCheckoutQuery", p)
	return err
}

// RefundStarPayment implements Payments.
func (s *sdk) RefundStarPayment(ctx context.Context, userID int64, chargeID string) error {
	p := tgbotapi.Params{"user_id": strconv.FormatInt(userID, 10), "telegram_payment_charge_id": chargeID}
	_, err := s.call(ctx, "refundStarPayment", p)
	return err
}

// payer is the input of a payment by user u: it comes from their private chat with
// the bot, where the invoice was paid.
func payer(update string, u *User, pay *bots.Payment) bots.Input {
	chat := &Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, UserName: u.UserName}
	return bots.Input{Platform: core.Telegram, Space: spaceRef(chat, u), Channel: chatID(u.ID), Member: memberRef(u),
		Locale: u.LanguageCode, UpdateID: update, Private: true, Payment: pay}
}

// onPreCheckout answers whether a payment may go ahead, always and quickly: a check
// that fails or takes too long says no, in the member's language.
func (b *Adapter) onPreCheckout(ctx context.Context, update string, q *PreCheckoutQuery) {
	ctx, cancel := context.WithTimeout(ctx, checkoutBudget)
	defer cancel()
	if q.From == nil {
		return
	}
	ok, reason := true, ""
	check, done := context.WithTimeout(ctx, checkoutCheck)
	replies := b.conv.Handle(check, payer(update, q.From, &bots.Payment{Checkout: true, StarsPayment: core.StarsPayment{
		Payload: q.InvoicePayload, Currency: q.Currency, Amount: q.TotalAmount}}))
	done()
	for _, r := range replies {
		if r.Failure != "" {
			ok, reason = false, units.Clip(r.Text, maxCheckoutError)
			break
		}
	}
	if !ok && strings.TrimSpace(reason) == "" {
		reason = "-" // Telegram wants a reason to show
	}
	if err := b.api.AnswerPreCheckoutQuery(ctx, q.ID, ok, reason); err != nil {
		b.log.Error("answer pre-checkout query", "member", q.From.ID, "err", err)
	}
}

// onPayment records a payment made and thanks the member.
func (b *Adapter) onPayment(ctx context.Context, update string, m *Message) {
	if m.From == nil {
		return
	}
	p := m.SuccessfulPayment
	in := payer(update, m.From, &bots.Payment{StarsPayment: core.StarsPayment{Payload: p.InvoicePayload, Currency: p.Currency,
		Amount: p.TotalAmount, ChargeID: p.TelegramPaymentChargeID, ProviderChargeID: p.ProviderPaymentChargeID}})
	b.deliver(ctx, origin{chat: m.Chat, user: m.From}, b.conv.Handle(ctx, in))
}

// sendInvoice sends a reply's invoice to t, with the reply's text as its
// description.
func (b *Adapter) sendInvoice(ctx context.Context, t target, r bots.Reply, wait time.Duration) (int, error) {
	inv := r.Invoice
	desc := units.Clip(r.Text, maxInvoiceDescription)
	if strings.TrimSpace(desc) == "" {
		desc = inv.Title
	}
	out := InvoiceOut{ChatID: t.chat, ThreadID: t.thread, Title: units.Clip(inv.Title, maxInvoiceTitle), Description: desc,
		Payload: inv.Payload, Currency: inv.Currency, Prices: []LabeledPrice{{Label: units.Clip(inv.Label, maxInvoiceTitle), Amount: inv.Amount}}}
	var id int
	err := b.do(ctx, t.chat, wait, func(ctx context.Context) error {
		var err error
		id, err = b.api.SendInvoice(ctx, out)
		return err
	})
	return id, err
}

// RefundStars pays back the Stars payments due (bots.Router.RefundStars says which)
// and records each try. A charge Telegram says is refunded already counts as done. It
// returns how many went back.
func (b *Adapter) RefundStars(ctx context.Context) (int, error) {
	return b.conv.RefundStars(ctx, func(ctx context.Context, r core.StarRefund) error {
		user, err := strconv.ParseInt(r.UserID, 10, 64)
		if err != nil {
			return err
		}
		err = b.do(ctx, 0, postWait, func(ctx context.Context) error {
			return b.api.RefundStarPayment(ctx, user, r.ChargeID)
		})
		var ae *Error
		if errors.As(err, &ae) && strings.Contains(ae.Description, "CHARGE_ALREADY_REFUNDED") {
			return nil
		}
		return err
	})
}

// refundLoop pays back the refunds due every interval until ctx ends.
func (b *Adapter) refundLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := b.RefundStars(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("refund stars", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

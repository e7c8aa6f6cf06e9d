package tgfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Payments in Telegram Stars, as https://core.telegram.org/bots/payments-stars
// describes them: the bot sends an invoice (sendInvoice with currency XTR, an empty
// provider_token and one price); when a user pays, Telegram asks the bot with a
// pre_checkout_query, which the bot must answer within 10 seconds; once it says yes,
// the payment is made and a successful_payment message comes in the user's private
// chat; refundStarPayment pays a charge back, once.

// payments is what the fake keeps of invoices, checkouts and charges; s.mu guards it.
type payments struct {
	invoices  map[int]sentInvoice        // by message id
	checkouts map[string]*CheckoutAnswer // by query id, nil until answered
	asked     map[string]time.Time       // when each query was pushed
	queries   map[string]PreCheckoutQuery
	charges   map[string]*Charge // by telegram_payment_charge_id
	next      int
}

func newPayments() *payments {
	return &payments{invoices: map[int]sentInvoice{}, checkouts: map[string]*CheckoutAnswer{}, asked: map[string]time.Time{},
		queries: map[string]PreCheckoutQuery{}, charges: map[string]*Charge{}}
}

type sentInvoice struct {
	chat    int64
	payload string
	invoice Invoice
}

// CheckoutAnswer is how the bot answered a pre-checkout query.
type CheckoutAnswer struct {
	OK           bool
	ErrorMessage string
	After        time.Duration // from the query's push to the answer
}

// Charge is a payment made through the fake.
type Charge struct {
	UserID   int64
	Amount   int64
	Refunded bool
}

// sendInvoice answers sendInvoice, checking the fields as Telegram does for Stars.
func (s *Server) sendInvoice(req Request) (int, response) {
	p := req.Params
	chat, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chat == 0 {
		return bad("chat not found")
	}
	if s.blocked[chat] {
		return http.StatusForbidden, response{Description: "Forbidden: bot can't initiate conversation with a user"}
	}
	if n := utf16Len(p["title"]); n < 1 || n > 32 {
		return bad("INVOICE_TITLE_INVALID")
	}
	if n := utf16Len(p["description"]); n < 1 || n > 255 {
		return bad("INVOICE_DESCRIPTION_INVALID")
	}
	if n := len(p["payload"]); n < 1 || n > 128 {
		return bad("INVOICE_PAYLOAD_INVALID")
	}
	if p["currency"] != "XTR" {
		return bad("CURRENCY_INVALID") // the fake knows only Stars
	}
	if p["provider_token"] != "" {
		return bad("PAYMENT_PROVIDER_INVALID")
	}
	var prices []LabeledPrice
	if err := json.Unmarshal([]byte(p["prices"]), &prices); err != nil {
		return bad("can't parse prices JSON object")
	}
	if len(prices) != 1 || prices[0].Amount <= 0 || prices[0].Label == "" {
		return bad("STARS_INVOICE_INVALID")
	}
	m := &Message{From: &s.Me, Date: time.Now().Unix(), Chat: s.chat(chat)}
	m.Invoice = &Invoice{Title: p["title"], Description: p["description"], Currency: "XTR", TotalAmount: prices[0].Amount}
	s.nextMsg++
	m.MessageID = s.nextMsg
	if s.messages[chat] == nil {
		s.messages[chat] = map[int]*Message{}
	}
	s.messages[chat][m.MessageID] = m
	s.payments.invoices[m.MessageID] = sentInvoice{chat: chat, payload: p["payload"], invoice: *m.Invoice}
	cp := *m
	return ok(&cp)
}

// answerPreCheckout answers answerPreCheckoutQuery: once per query, with a reason
// when it says no.
func (s *Server) answerPreCheckout(req Request) (int, response) {
	p := req.Params
	id := p["pre_checkout_query_id"]
	prev, known := s.payments.checkouts[id]
	if !known || prev != nil {
		return bad("QUERY_ID_INVALID")
	}
	yes, err := strconv.ParseBool(p["ok"])
	if err != nil {
		return bad("ok is required")
	}
	if !yes && strings.TrimSpace(p["error_message"]) == "" {
		return bad("ERROR_MESSAGE_EMPTY")
	}
	s.payments.checkouts[id] = &CheckoutAnswer{OK: yes, ErrorMessage: p["error_message"], After: time.Since(s.payments.asked[id])}
	s.wake()
	return ok(true)
}

// refundStarPayment answers refundStarPayment.
func (s *Server) refundStarPayment(req Request) (int, response) {
	p := req.Params
	user, _ := strconv.ParseInt(p["user_id"], 10, 64)
	c, known := s.payments.charges[p["telegram_payment_charge_id"]]
	switch {
	case !known || c.UserID != user:
		return bad("CHARGE_NOT_FOUND")
	case c.Refunded:
		return bad("CHARGE_ALREADY_REFUNDED")
	}
	c.Refunded = true
	return ok(true)
}

// LastInvoice returns the last invoice sent to chat, with its payload.
func (s *Server) LastInvoice(chat int64) (Message, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := 0
	for id, inv := range s.payments.invoices {
		if inv.chat == chat && id > best {
			best = id
		}
	}
	if best == 0 {
		return Message{}, "", false
	}
	return *s.messages[chat][best], s.payments.invoices[best].payload, true
}

// Checkout is the pre-checkout query Telegram sends when from presses Pay under the
// invoice message inv; it returns the update and the query's id. The fake remembers
// the query, so that the bot may answer it once.
func (s *Server) Checkout(from User, inv Message) (Update, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sent, known := s.payments.invoices[inv.MessageID]
	if !known {
		s.t.Fatalf("tgfake: message %d is no invoice", inv.MessageID)
	}
	s.payments.next++
	id := fmt.Sprintf("pcq%d", s.payments.next)
	s.payments.checkouts[id] = nil
	s.payments.asked[id] = time.Now()
	q := PreCheckoutQuery{ID: id, From: from, Currency: sent.invoice.Currency, TotalAmount: sent.invoice.TotalAmount,
		InvoicePayload: sent.payload}
	s.payments.queries[id] = q
	return Update{PreCheckoutQuery: &q}, id
}

// CheckoutAnswered returns the bot's answer to a pre-checkout query.
func (s *Server) CheckoutAnswered(id string) (CheckoutAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.payments.checkouts[id]
	if a == nil {
		return CheckoutAnswer{}, false
	}
	return *a, true
}

// Pay is the payment Telegram makes once the bot said yes to query id: it returns
// the successful_payment message to push, in from's private chat, and its charge id.
// It fails the test when the bot has not said yes.
func (s *Server) Pay(from User, query string) (Update, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.payments.checkouts[query]
	if a == nil || !a.OK {
		s.t.Fatalf("tgfake: query %s was not accepted: %+v", query, a)
	}
	q := s.payments.queries[query] // Telegram repeats the query's details
	s.payments.next++
	charge := fmt.Sprintf("stxq%07dTG", s.payments.next)
	s.payments.charges[charge] = &Charge{UserID: from.ID, Amount: q.TotalAmount}
	s.nextMsg++
	m := &Message{MessageID: s.nextMsg, From: &from, Date: time.Now().Unix(), Chat: Private(from),
		SuccessfulPayment: &SuccessfulPayment{Currency: q.Currency, TotalAmount: q.TotalAmount, InvoicePayload: q.InvoicePayload,
			TelegramPaymentChargeID: charge, ProviderPaymentChargeID: ""}}
	return Update{Message: m}, charge
}

// Charge returns a payment made through the fake.
func (s *Server) Charge(id string) (Charge, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.payments.charges[id]
	if !ok {
		return Charge{}, false
	}
	return *c, true
}

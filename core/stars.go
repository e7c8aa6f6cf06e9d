package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PayMethod is how a fundraiser takes its pledges.
type PayMethod string

// Payment methods.
const (
	// PayPromise takes promises: nothing is charged, the organisers collect later.
	PayPromise PayMethod = ""
	// PayStars takes Telegram Stars (XTR) at once: a pledge is an invoice paid in
	// Telegram, and an all-or-nothing fundraiser that fails pays every one back.
	PayStars PayMethod = "stars"
)

// StarsCurrency is the currency of Telegram Stars.
const StarsCurrency = "XTR"

// ParsePayMethod reads a payment method as an admin types it: "stars" or "xtr" for
// Stars, "promise" or "" for promises.
func ParsePayMethod(s string) (PayMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "promise", "promises":
		return PayPromise, nil
	case "stars", "star", "xtr":
		return PayStars, nil
	}
	return "", Errorf(EINVALID, "error.fund_bad_payment", "payment", s)
}

// currency is the goal's currency when the admin names none.
func (p PayMethod) currency() string {
	if p == PayStars {
		return StarsCurrency
	}
	return ""
}

// validatePayment checks the payment method against the goal's currency.
func (f *Fundraiser) validatePayment() error {
	switch f.Payment {
	case PayPromise:
		return nil
	case PayStars:
		if f.Goal.Currency != StarsCurrency {
			return Errorf(EINVALID, "error.fund_stars_currency", "currency", f.Goal.Currency)
		}
		return nil
	}
	return Errorf(EINVALID, "error.fund_bad_payment", "payment", string(f.Payment))
}

// Promised is the part of a pledge not paid.
func (p *Pledge) Promised() Money {
	return Money{Amount: max(0, p.Amount.Amount-p.Paid.Amount), Currency: p.Amount.Currency}
}

// starsOnly refuses a promise to a fundraiser that takes Stars: it is pledged in
// Telegram, where the invoice is paid.
func starsOnly(c *Campaign) error {
	return Errorf(ECONFLICT, "error.pledge_stars_only", "code", c.Code)
}

// Refund states of a Stars payment.
const (
	RefundNone = ""     // kept
	RefundDue  = "due"  // to pay back, now or at its next try
	RefundDone = "done" // paid back
)

// Invoice is what a member is asked to pay in Stars for a pledge.
type Invoice struct {
	Campaign *Campaign
	Tier     *Tier // the tier chosen, nil for none or the one kept
	Amount   Money // in XTR
	// Payload comes back with the pre-checkout query and the payment: it names the
	// campaign, the member who asked, the tier and the amount (see StarsPayload).
	Payload string
}

// starsPayloadPrefix starts every invoice payload, with its version.
const starsPayloadPrefix = "xtr1"

// StarsPayload is what an invoice's payload says: the fundraiser, the member the
// invoice was made for, the tier (TierKeep keeps the member's own, 0 is none) and the
// amount. It is not secret: only this bot can make invoices, and a payment is only
// taken from the member it names (CheckStarsPayment), so a forwarded invoice cannot
// pay for anyone else's pledge, and its amount must be the one paid.
type StarsPayload struct {
	CampaignID int64
	MemberID   int64
	TierID     int64
	Amount     int64
}

// TierKeep in a payload keeps the tier of the member's pledge.
const TierKeep = -1

// String writes the payload, at most 128 bytes as Telegram allows.
func (p StarsPayload) String() string {
	return fmt.Sprintf("%s:%d:%d:%d:%d", starsPayloadPrefix, p.CampaignID, p.MemberID, p.TierID, p.Amount)
}

// ParseStarsPayload reads a payload StarsPayload.String wrote.
func ParseStarsPayload(s string) (StarsPayload, error) {
	bad := Errorf(EINVALID, "error.pay_bad_invoice")
	parts := strings.Split(s, ":")
	if len(parts) != 5 || parts[0] != starsPayloadPrefix {
		return StarsPayload{}, bad
	}
	var n [4]int64
	for i, f := range parts[1:] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return StarsPayload{}, bad
		}
		n[i] = v
	}
	p := StarsPayload{CampaignID: n[0], MemberID: n[1], TierID: n[2], Amount: n[3]}
	if p.CampaignID <= 0 || p.MemberID <= 0 || p.TierID < TierKeep || p.Amount <= 0 {
		return StarsPayload{}, bad
	}
	return p, nil
}

// StarsPayment is a payment, or a payment about to be made, as Telegram reports it.
type StarsPayment struct {
	Payload  string
	Currency string
	Amount   int64 // total_amount, in whole Stars
	// ChargeID is telegram_payment_charge_id, the payment's id for its refund;
	// ProviderChargeID is provider_payment_charge_id. Both are empty before the
	// payment.
	ChargeID         string
	ProviderChargeID string
}

// StarPaymentChange records a Stars payment to a member's pledge.
type StarPaymentChange struct {
	CampaignID       int64
	MemberID         int64
	Amount           int64
	TierID           int64 // TierKeep, 0 for none, or the tier chosen
	ChargeID         string
	ProviderChargeID string
	Points           int // credited when the pledge becomes active
	At               time.Time
}

// StarPaymentOutcome is what recording a payment did.
type StarPaymentOutcome struct {
	// Duplicate is set when this charge was recorded before: nothing changed.
	Duplicate bool
	// Refund is set when the fundraiser took no more pledges by the time the
	// payment came: it is recorded and paid back, and the pledge is unchanged.
	Refund bool
	// TierMissed is set when the chosen tier filled up (or needs more) before the
	// payment came: the payment counts, with the member's tier as it was.
	TierMissed bool
	Amount     Money
	PledgeOutcome
}

// StarRefund is a payment to pay back.
type StarRefund struct {
	ID         int64
	CampaignID int64
	MemberID   int64
	UserID     string // the member's platform id: the Telegram user the Stars go back to
	ChargeID   string
	Amount     Money
	Attempts   int // tries that failed so far
}

// StarRefunds sums up a fundraiser's refunds, for its admins.
type StarRefunds struct {
	Done      int
	Due       int
	Failing   int    // due ones that failed at least once
	LastError string // the latest failure's reason
}

// StarsStore keeps Stars payments and their refunds.
type StarsStore interface {
	// RecordStarPayment records a payment once per charge id, in one transaction
	// with the pledge, the tier's place, the totals, points, the referrer and the
	// milestones. A payment for a fundraiser that takes no more pledges is recorded
	// as a refund due instead.
	RecordStarPayment(ctx context.Context, ch StarPaymentChange) (*StarPaymentOutcome, error)
	// ClaimStarRefunds takes up to limit refunds due by now, each for lease (so
	// that two workers never pay one back twice at once).
	ClaimStarRefunds(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]StarRefund, error)
	// FinishStarRefund records a refund's try: done when reason is "", else failed,
	// to try again at next.
	FinishStarRefund(ctx context.Context, id int64, at time.Time, reason string, next time.Time) error
	// StarRefundSummary sums up a fundraiser's refunds.
	StarRefundSummary(ctx context.Context, campaignID int64) (*StarRefunds, error)
}

// StarsInvoice makes the invoice for a member's pledge in Stars: the amount is added
// to their pledge once paid, with the tier named (see PledgeInput) if the new total
// reaches its minimum.
func (s *Service) StarsInvoice(ctx context.Context, actor Actor, in PledgeInput) (*Invoice, error) {
	c, f, err := s.openFundraiser(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	if f.Payment != PayStars {
		return nil, Errorf(ECONFLICT, "error.pay_not_stars", "code", c.Code)
	}
	amount, err := ParseMoneyIn(in.Amount, f.Goal.Currency, in.Locale)
	if err != nil {
		return nil, err
	}
	p := StarsPayload{CampaignID: c.ID, MemberID: actor.Member.ID, TierID: TierKeep, Amount: amount.Amount}
	inv := &Invoice{Campaign: c, Amount: amount}
	if ref := strings.TrimSpace(in.Tier); ref != "" {
		tiers, err := s.store.Tiers(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("stars invoice: %w", err)
		}
		t, err := FindTier(tiers, ref)
		if err != nil {
			return nil, err
		}
		p.TierID = 0
		if t != nil {
			p.TierID, inv.Tier = t.ID, t
		}
	}
	if err := s.checkStars(ctx, actor, c, f, p); err != nil {
		return nil, err
	}
	inv.Payload = p.String()
	return inv, nil
}

// checkStars checks that a payment may be taken: in Stars, to an open fundraiser,
// within the limits of one pledge, for a tier with room whose minimum the new total
// reaches.
func (s *Service) checkStars(ctx context.Context, actor Actor, c *Campaign, f *Fundraiser, p StarsPayload) error {
	if f.Payment != PayStars {
		return Errorf(ECONFLICT, "error.pay_not_stars", "code", c.Code)
	}
	if p.MemberID != actor.Member.ID {
		return Errorf(EFORBIDDEN, "error.pay_not_yours")
	}
	amount := f.money(p.Amount)
	if err := f.checkAmount(amount); err != nil {
		return err
	}
	total, current := amount.Amount, int64(0)
	switch mine, err := s.store.ActivePledge(ctx, c.ID, actor.Member.ID); ErrorCode(err) {
	case "":
		total += mine.Amount.Amount
		current = mine.TierID
	case ENOTFOUND:
	default:
		return fmt.Errorf("check stars: %w", err)
	}
	if most := f.MaxPledge(); total > most.Amount {
		return Errorf(EINVALID, "error.pledge_too_large", "max", most)
	}
	if p.TierID <= 0 || p.TierID == current {
		return nil
	}
	tiers, err := s.store.Tiers(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("check stars: %w", err)
	}
	t := TierByID(tiers, p.TierID)
	switch {
	case t == nil:
		return Errorf(ENOTFOUND, "error.tier_not_found", "tier", strconv.FormatInt(p.TierID, 10))
	case total < t.Min.Amount:
		return Errorf(EINVALID, "error.pledge_below_tier", "tier", t.Title, "min", t.Min)
	case t.SoldOut():
		return Errorf(ELIMIT, "error.tier_sold_out", "tier", t.Title)
	}
	return nil
}

// CheckStarsPayment answers Telegram's question before a payment: it goes ahead only
// when the invoice is this bot's, for this member, in Stars, at its own price, and the
// fundraiser and tier still take it.
func (s *Service) CheckStarsPayment(ctx context.Context, actor Actor, pay StarsPayment) error {
	p, err := ParseStarsPayload(pay.Payload)
	if err != nil {
		return err
	}
	if pay.Currency != StarsCurrency || pay.Amount != p.Amount {
		return Errorf(EINVALID, "error.pay_bad_invoice")
	}
	c, err := s.CampaignByID(ctx, p.CampaignID)
	if err != nil {
		return err
	}
	c, f, err := s.openFundraiser(ctx, c.Code)
	if err != nil {
		return err
	}
	return s.checkStars(ctx, actor, c, f, p)
}

// RecordStarsPayment records a successful Stars payment to the payer's pledge, once
// however often it is delivered. Telegram has taken the Stars already, so nothing
// refuses it: a fundraiser that ended meanwhile pays it back, and a tier that filled
// up meanwhile leaves the pledge's tier as it was.
func (s *Service) RecordStarsPayment(ctx context.Context, actor Actor, pay StarsPayment) (*StarPaymentOutcome, error) {
	p, err := ParseStarsPayload(pay.Payload)
	if err != nil {
		return nil, err
	}
	if pay.ChargeID == "" || pay.Currency != StarsCurrency || pay.Amount <= 0 {
		return nil, Errorf(EINVALID, "error.pay_bad_invoice")
	}
	if _, err := s.CampaignByID(ctx, p.CampaignID); err != nil {
		return nil, err
	}
	// the payer is the one credited (and refunded), whatever the payload says: a
	// payload for another member never passes the pre-checkout
	out, err := s.store.RecordStarPayment(ctx, StarPaymentChange{CampaignID: p.CampaignID, MemberID: actor.Member.ID,
		Amount: pay.Amount, TierID: p.TierID, ChargeID: pay.ChargeID, ProviderChargeID: pay.ProviderChargeID,
		Points: s.PointsFor(PointsPledge), At: s.clock.Now()})
	if err != nil {
		return nil, fmt.Errorf("record stars payment: %w", err)
	}
	return out, nil
}

// StarRefundRetry is how long a failed refund waits before its next try: a minute,
// doubling with each failure, at most six hours.
func StarRefundRetry(attempts int) time.Duration {
	d := time.Minute << min(max(attempts, 0), 9)
	return min(d, 6*time.Hour)
}

// StarRefundSummary sums up a fundraiser's refunds for its admins.
func (s *Service) StarRefundSummary(ctx context.Context, actor Actor, c *Campaign) (*StarRefunds, error) {
	if err := mayManage(actor, c); err != nil {
		return nil, err
	}
	return s.store.StarRefundSummary(ctx, c.ID)
}

// ClaimStarRefunds takes the refunds due now for a front end to pay back.
func (s *Service) ClaimStarRefunds(ctx context.Context, limit int) ([]StarRefund, error) {
	return s.store.ClaimStarRefunds(ctx, s.clock.Now(), 10*time.Minute, limit)
}

// FinishStarRefund records a refund's try: err nil when the Stars went back.
func (s *Service) FinishStarRefund(ctx context.Context, r StarRefund, err error) error {
	now := s.clock.Now()
	reason := ""
	if err != nil {
		reason = err.Error()
		if len(reason) > 500 {
			reason = strings.ToValidUTF8(reason[:500], "")
		}
	}
	return s.store.FinishStarRefund(ctx, r.ID, now, reason, now.Add(StarRefundRetry(r.Attempts)))
}

// settlementKeys are the texts of a fundraiser's end: a Stars one speaks of payments
// kept or paid back, not of promises.
func (f *Fundraiser) settlementKeys(to State, public, private string) (string, string) {
	if f.Payment != PayStars {
		return public, private
	}
	if to == StateFailed {
		public += "_stars"
	}
	return public, private + "_stars"
}

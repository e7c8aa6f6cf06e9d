package bots

import (
	"context"
	"errors"
	"fmt"

	"crowdbot/core"
)

// Payment is a Telegram Stars payment as the adapter reports it.
type Payment struct {
	// Checkout is set for the question before the payment (pre_checkout_query): the
	// first reply's Failure says no, with its Text as the reason; no reply says yes.
	Checkout bool
	core.StarsPayment
}

// Invoice is a request to pay a pledge in Stars, for the adapter to send.
type Invoice struct {
	Title    string // the campaign's title, cut to Telegram's 32 characters
	Label    string // the price's label
	Currency string
	Amount   int64
	Payload  string
}

// refundBatch bounds the refunds one round of RefundStars pays back.
const refundBatch = 50

// RefundStars pays back the Stars payments due (those of all-or-nothing fundraisers
// that failed, and payments that came after a close): it claims a batch, pays each
// through pay (the front's call to its platform), and records each try. A failed one
// is tried again later, ever less often, and its reason shown to the admins in
// /backers. It returns how many went back.
func (r *Router) RefundStars(ctx context.Context, pay func(ctx context.Context, ref core.StarRefund) error) (int, error) {
	due, err := r.svc.ClaimStarRefunds(ctx, refundBatch)
	if err != nil {
		return 0, fmt.Errorf("claim star refunds: %w", err)
	}
	done := 0
	for _, ref := range due {
		err := pay(ctx, ref)
		if err == nil {
			done++
		} else {
			r.log.Warn("refund stars", "payment", ref.ID, "campaign", ref.CampaignID, "attempts", ref.Attempts+1, "err", err)
		}
		if ferr := r.svc.FinishStarRefund(ctx, ref, err); ferr != nil {
			return done, fmt.Errorf("finish star refund: %w", ferr)
		}
	}
	return done, nil
}

// invoiceTitle bounds an invoice's title (Telegram takes 1 to 32 characters).
const invoiceTitle = 32

// payment answers a payment's question or records it.
func (r *Router) payment(ctx context.Context, req *Request) (string, []Reply, error) {
	p := req.In.Payment
	if p.Checkout {
		if err := r.svc.CheckStarsPayment(ctx, req.Actor, p.StarsPayment); err != nil {
			return "checkout", nil, err
		}
		return "checkout", nil, nil
	}
	out, err := r.svc.RecordStarsPayment(ctx, req.Actor, p.StarsPayment)
	if err != nil {
		return "payment", nil, err
	}
	if out.Duplicate {
		return "payment", nil, nil // thanked already
	}
	c, err := r.svc.CampaignByID(ctx, out.Fundraiser.CampaignID)
	if err != nil {
		return "payment", nil, err
	}
	if out.Refund {
		return "payment", []Reply{{Msg: M("pay.refund_late", "title", c.Title, "code", c.Code, "amount", out.Amount), Private: true}}, nil
	}
	tier := ""
	if out.Tier != nil {
		tier = out.Tier.Title
	}
	f := &out.Fundraiser
	rep := reply("pay.paid", "title", c.Title, "code", c.Code, "amount", out.Amount, "total", out.Pledge.Amount, "tier", tier,
		"raised", f.Raised, "goal", f.Goal, "percent", f.Percent())
	if out.TierMissed {
		rep.Lines = append(rep.Lines, M("pay.tier_missed", "code", c.Code))
	}
	if f.Mode == core.FundAllOrNothing {
		rep.Lines = append(rep.Lines, M("pay.refund_if_failed"))
	}
	rep.Private = true
	return "payment", []Reply{rep}, nil
}

// starsPledge answers a pledge to a fundraiser that takes Stars: on Telegram with an
// invoice to pay; elsewhere the refusal says to pledge in Telegram.
func (r *Router) starsPledge(ctx context.Context, req *Request, in core.PledgeInput, refusal error) ([]Reply, error) {
	if req.In.Platform != core.Telegram {
		return nil, refusal
	}
	inv, err := r.svc.StarsInvoice(ctx, req.Actor, in)
	if err != nil {
		return nil, err
	}
	c := inv.Campaign
	tier := ""
	if inv.Tier != nil {
		tier = inv.Tier.Title
	}
	rep := reply("pay.invoice", "title", c.Title, "code", c.Code, "amount", inv.Amount, "tier", tier)
	rep.Invoice = &Invoice{Title: core.Clip(c.Title, invoiceTitle), Label: core.Clip(c.Title, invoiceTitle),
		Currency: inv.Amount.Currency, Amount: inv.Amount.Amount, Payload: inv.Payload}
	rep.Ephemeral = true
	return replies(rep)
}

// starsRefusal reports whether err refuses a promise to a fundraiser taking Stars.
func starsRefusal(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Key == "error.pledge_stars_only"
}

// fundPaidLines say what a Stars fundraiser holds paid, for its status and ledger.
func fundPaidLines(f *core.Fundraiser) []Msg {
	if f.Payment != core.PayStars {
		return nil
	}
	return []Msg{M("fund.status_stars", "paid", f.Paid, "raised", f.Raised)}
}

// backerItem is a backer's line of /backers: paid or promised.
func backerItem(name string, b core.Backer) Msg {
	if b.Paid.Amount > 0 {
		var refunded any = ""
		if b.Refunded.Amount > 0 {
			refunded = b.Refunded
		}
		return M("backers.item_paid", "name", name, "amount", b.Amount, "tier", b.Tier,
			"referrer", b.Referrer, "refunded", refunded)
	}
	return M("backers.item", "name", name, "amount", b.Amount, "tier", b.Tier, "referrer", b.Referrer)
}

// starsRefundLines tell the admins of a Stars fundraiser how its refunds stand.
func (r *Router) starsRefundLines(ctx context.Context, req *Request, c *core.Campaign, f *core.Fundraiser) ([]Msg, error) {
	if f.Payment != core.PayStars {
		return nil, nil
	}
	sum, err := r.svc.StarRefundSummary(ctx, req.Actor, c)
	if err != nil {
		return nil, err
	}
	var lines []Msg
	if sum.Done+sum.Due > 0 {
		lines = append(lines, M("backers.refunds", "done", sum.Done, "due", sum.Due))
	}
	if sum.Failing > 0 {
		lines = append(lines, M("backers.refunds_failing", "count", sum.Failing, "reason", core.Clip(sum.LastError, fundPreview)))
	}
	return lines, nil
}

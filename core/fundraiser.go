package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FundMode is how a fundraiser ends at its deadline.
type FundMode string

// Fundraiser modes.
const (
	// FundAllOrNothing ends funded when the goal is reached, else failed, and then
	// every pledge is released.
	FundAllOrNothing FundMode = "all_or_nothing"
	// FundKeepItAll ends closed, and every pledge stands whatever the total.
	FundKeepItAll FundMode = "keep_it_all"
)

// FundModes lists the modes, the default first.
var FundModes = []FundMode{FundAllOrNothing, FundKeepItAll}

// Valid reports whether m is a known mode.
func (m FundMode) Valid() bool { return m == FundAllOrNothing || m == FundKeepItAll }

// Limits for fundraisers.
const (
	MaxTiers           = 20
	MaxStretchGoals    = 10
	MaxTierLimit       = 1_000_000
	MaxTierTitle       = 80 // a tier's title is a button label: Discord shows 80 characters
	MaxTierDescription = 1000
	MaxStretchText     = 1000
	MaxExpenseText     = 500
	// MaxPledgeGoals bounds one pledge (and a tier's minimum) to this many times the
	// goal: anything more is a typo, not generosity.
	MaxPledgeGoals = 10
)

// FundMilestones are the shares of the goal, in percent, announced once each when the
// total first reaches them.
var FundMilestones = []int{25, 50, 75, 100}

// Fundraiser is a crowdfunding campaign's own settings and running totals. Amounts
// are in the goal's currency, the campaign's only one.
type Fundraiser struct {
	CampaignID int64
	Goal       Money
	Mode       FundMode
	Raised     Money // the sum of the active pledges
	Backers    int   // the active pledges
	// Peak is the highest Raised has ever been. Milestones and stretch goals are
	// announced when Peak passes them, so a pledge lowered and raised again never
	// announces one twice.
	Peak  Money
	Spent Money // the sum of the expenses in the public ledger
	// Payment is how pledges are taken: promises, or Telegram Stars paid at once.
	Payment PayMethod
	Paid    Money // the sum paid in Stars, refunds left in
}

// Validate checks the fundraiser's settings.
func (f *Fundraiser) Validate() error {
	if !ValidCurrency(f.Goal.Currency) {
		return Errorf(EINVALID, "error.currency_unknown", "currency", f.Goal.Currency)
	}
	if f.Goal.Amount <= 0 {
		return Errorf(EINVALID, "error.amount_not_positive")
	}
	if !f.Mode.Valid() {
		return Errorf(EINVALID, "error.fund_bad_mode", "mode", string(f.Mode))
	}
	return f.validatePayment()
}

// Percent returns the share of the goal raised, in percent rounded down; it may pass
// 100.
func (f *Fundraiser) Percent() int { return percentOf(f.Raised.Amount, f.Goal.Amount) }

// Funded reports whether the goal is reached.
func (f *Fundraiser) Funded() bool { return f.Raised.Amount >= f.Goal.Amount }

// money returns an amount in the fundraiser's currency.
func (f *Fundraiser) money(amount int64) Money {
	return Money{Amount: amount, Currency: f.Goal.Currency}
}

// MaxPledge is the most one pledge may be.
func (f *Fundraiser) MaxPledge() Money {
	most := f.Goal.Amount * MaxPledgeGoals
	if dec, ok := Decimals(f.Goal.Currency); ok && most > MaxAmount*pow10(dec) {
		most = MaxAmount * pow10(dec)
	}
	return f.money(most)
}

// percentOf returns part over whole in percent, rounded down, without overflowing.
func percentOf(part, whole int64) int {
	if whole <= 0 || part <= 0 {
		return 0
	}
	return int(part/whole*100 + part%whole*100/whole)
}

// threshold returns the smallest amount that reaches pct percent of goal.
func threshold(goal int64, pct int) int64 {
	return (goal*int64(pct) + 99) / 100
}

// Tier is a reward level of a fundraiser: pledges of at least Min may choose it,
// while it has room.
type Tier struct {
	ID          int64
	CampaignID  int64
	Number      int // 1, 2, ... in the order tiers were added: how members name it
	Title       string
	Description string
	Min         Money
	Limit       int // the most active pledges it takes; 0 for no limit
	Taken       int // the active pledges on it
	CreatedAt   time.Time
}

// Left returns how many more pledges the tier takes, or -1 without a limit.
func (t *Tier) Left() int {
	if t.Limit == 0 {
		return -1
	}
	return max(0, t.Limit-t.Taken)
}

// SoldOut reports whether the tier has no room left.
func (t *Tier) SoldOut() bool { return t.Limit > 0 && t.Taken >= t.Limit }

// Validate cleans the tier's text and checks it against its fundraiser.
func (t *Tier) Validate(f *Fundraiser) error {
	var err error
	if t.Title, err = checkText("title", t.Title, true, 1, MaxTierTitle); err != nil {
		return err
	}
	if _, err := strconv.Atoi(strings.TrimPrefix(t.Title, "#")); err == nil || strings.EqualFold(t.Title, "none") {
		// members name tiers by number or title: a title must not read as a number
		return Errorf(EINVALID, "error.tier_bad_title", "title", t.Title)
	}
	if t.Description, err = checkText("description", t.Description, false, 0, MaxTierDescription); err != nil {
		return err
	}
	if err := f.checkAmount(t.Min); err != nil {
		return err
	}
	if t.Limit < 0 || t.Limit > MaxTierLimit {
		return Errorf(EINVALID, "error.tier_bad_limit", "text", strconv.Itoa(t.Limit), "max", MaxTierLimit)
	}
	return nil
}

// checkAmount checks that an amount is in the fundraiser's currency and not absurd.
func (f *Fundraiser) checkAmount(m Money) error {
	if m.Currency != f.Goal.Currency {
		return Errorf(EINVALID, "error.fund_wrong_currency", "currency", m.Currency, "want", f.Goal.Currency)
	}
	if m.Amount <= 0 {
		return Errorf(EINVALID, "error.amount_not_positive")
	}
	if most := f.MaxPledge(); m.Amount > most.Amount {
		return Errorf(EINVALID, "error.pledge_too_large", "max", most)
	}
	return nil
}

// StretchGoal is a target past the goal, with what reaching it unlocks.
type StretchGoal struct {
	ID          int64
	CampaignID  int64
	Target      Money
	Description string
	CreatedAt   time.Time
}

// Pledge is a member's promise to give an amount, with a reward tier or none. A
// member has one pledge per fundraiser, changed in place; a cancelled one is kept
// inactive. Nothing is charged: the organisers collect after a funded close.
type Pledge struct {
	ID         int64
	CampaignID int64
	MemberID   int64
	Amount     Money
	TierID     int64 // 0 for no tier
	Active     bool
	Paid       Money // the part paid in Stars; the rest is promised
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Expense is a line of a fundraiser's public spending ledger. A line is never
// deleted: a correction strikes it (StruckAt) and, unless it removes it, adds a new
// line that names it (Corrects).
type Expense struct {
	ID         int64
	CampaignID int64
	Number     int64 // within the campaign: #1, #2, ...
	Corrects   int64 // the number of the line this one corrects, or 0
	StruckAt   *time.Time
	// CorrectedBy is the number of the line that replaces a struck one; 0 when it
	// was removed
	CorrectedBy int64
	Amount      Money
	What        string
	CreatedBy   int64
	CreatedAt   time.Time
}

// Backer is an active pledge with who made it, for admins and settlement notices.
type Backer struct {
	Pledge
	Member   string // platform:id
	Name     string
	Tier     string // the tier's title, "" for none
	Referrer string // platform:id of whoever brought the member, "" for none
	Refunded Money  // the Stars paid back to the member
}

// PledgeChange is a member's new pledge, or its cancellation.
type PledgeChange struct {
	CampaignID int64
	MemberID   int64
	// Member is the member when MemberID is 0, not looked up yet (see
	// Service.IdentifyLater): the store finds or makes them by Platform and
	// ExternalID, with the pledge when it can, and fills them in.
	Member   *Member
	Cancel   bool
	Amount   Money
	TierID   int64 // the tier chosen; 0 for none
	KeepTier bool  // keep the tier of the member's active pledge instead of TierID
	// Points are credited when the member's pledge becomes active and taken back
	// when it is cancelled, so an active backer holds them once.
	Points int
	At     time.Time
}

// PledgeOutcome is what a pledge change did.
type PledgeOutcome struct {
	Pledge     Pledge     // the member's pledge now; Active is false after a cancel
	Previous   *Pledge    // the active pledge it replaced, if any
	Tier       *Tier      // the pledge's tier now, nil for none
	Fundraiser Fundraiser // the totals after the change
}

// FundraiserStore keeps fundraisers, their tiers, stretch goals, pledges and ledger.
type FundraiserStore interface {
	// CreateFundraiser stores a new fundraiser campaign and its settings in one
	// transaction, giving it a fresh code, and links the channel if link is set.
	CreateFundraiser(ctx context.Context, c *Campaign, f *Fundraiser, link *ChannelLink) error
	// Fundraiser returns a fundraiser's settings and totals.
	Fundraiser(ctx context.Context, campaignID int64) (*Fundraiser, error)
	// FundraiserTerms returns a fundraiser's goal, mode and payment, which never
	// change, as read a moment ago at most: its totals are not to be used.
	FundraiserTerms(ctx context.Context, campaignID int64) (*Fundraiser, error)
	// AddTier stores a tier with the next number of its campaign, which must be open.
	// It fails with ELIMIT past MaxTiers and ECONFLICT when the title is taken.
	AddTier(ctx context.Context, t *Tier) error
	// Tiers lists a fundraiser's tiers by number.
	Tiers(ctx context.Context, campaignID int64) ([]Tier, error)
	// AddStretchGoal stores a stretch goal of an open campaign; when the total has
	// already passed it, its announcement is queued in the same transaction.
	AddStretchGoal(ctx context.Context, g *StretchGoal) error
	// StretchGoals lists a fundraiser's stretch goals, lowest target first.
	StretchGoals(ctx context.Context, campaignID int64) ([]StretchGoal, error)
	// ChangePledge sets or cancels a member's pledge while the campaign is open and
	// before its close: the tier's limit is checked by the database, the totals move
	// in the same transaction, the referrer is credited (participate), and the
	// milestones and stretch goals it passes first are queued (FundCrossings).
	ChangePledge(ctx context.Context, ch PledgeChange) (*PledgeOutcome, error)
	// ActivePledge returns a member's active pledge, or ENOTFOUND.
	ActivePledge(ctx context.Context, campaignID, memberID int64) (*Pledge, error)
	// AddExpense writes a ledger line and adds it to the fundraiser's spent total.
	AddExpense(ctx context.Context, e *Expense) (*Fundraiser, error)
	// Expenses lists the ledger, newest first, struck lines included (StruckAt set,
	// with the number of their replacement in CorrectedBy).
	Expenses(ctx context.Context, campaignID int64, limit int) ([]Expense, error)
	// Backers returns a page of the active pledges, largest first.
	Backers(ctx context.Context, campaignID int64, page, perPage int) ([]Backer, error)
	// SettleFundraiser ends a fundraiser in state from: in one transaction, after
	// every pledge in flight has committed, it reads the totals and the backers,
	// moves the campaign to the state FundSettlement decides and queues its
	// announcements. It fails with ECONFLICT when the campaign has moved on.
	SettleFundraiser(ctx context.Context, campaignID int64, from State, at time.Time) (State, error)
}

// FundCrossings returns the announcements due when a fundraiser's peak total moves
// from before to f.Peak: each milestone and stretch goal passed for the first time.
// Each carries a Once key as well, so that even a replay posts it once.
func FundCrossings(c *Campaign, f *Fundraiser, before Money, goals []StretchGoal) []Announcement {
	after := f.Peak.Amount
	if after <= before.Amount {
		return nil
	}
	var anns []Announcement
	for _, pct := range FundMilestones {
		if passes(before.Amount, after, threshold(f.Goal.Amount, pct)) {
			key := "announce.fund_milestone"
			if pct == 100 {
				key = "announce.fund_goal_reached"
			}
			a := CampaignAnnouncement(c, key, "title", c.Title, "code", c.Code, "percent", pct, "raised", f.Raised, "goal", f.Goal)
			a.Once, a.Image = fmt.Sprintf("fund:milestone:%d", pct), "progress"
			anns = append(anns, a)
		}
	}
	for _, g := range goals {
		if passes(before.Amount, after, g.Target.Amount) {
			anns = append(anns, stretchAnnouncement(c, g))
		}
	}
	return anns
}

// FundMayCross reports whether a fundraiser's peak moving from before to after passes
// one of its milestones or a stretch goal at nextStretch, the lowest above before (0
// for none): whether FundCrossings, which needs the campaign and all its stretch
// goals, can have anything to say.
func FundMayCross(goal Money, before, after Money, nextStretch int64) bool {
	if nextStretch > 0 && passes(before.Amount, after.Amount, nextStretch) {
		return true
	}
	for _, pct := range FundMilestones {
		if passes(before.Amount, after.Amount, threshold(goal.Amount, pct)) {
			return true
		}
	}
	return false
}

// passes reports whether a total moving from before to after reaches target for the
// first time.
func passes(before, after, target int64) bool { return before < target && target <= after }

// stretchAnnouncement tells the channels a stretch goal is reached.
func stretchAnnouncement(c *Campaign, g StretchGoal) Announcement {
	a := CampaignAnnouncement(c, "announce.fund_stretch", "title", c.Title, "code", c.Code, "target", g.Target, "description", g.Description)
	a.Once = fmt.Sprintf("fund:stretch:%d", g.ID)
	return a
}

// StretchAnnouncement returns the announcement of a stretch goal added when the total
// has already passed it, or nothing when it has not.
func StretchAnnouncement(c *Campaign, f *Fundraiser, g StretchGoal) []Announcement {
	if f.Peak.Amount < g.Target.Amount {
		return nil
	}
	return []Announcement{stretchAnnouncement(c, g)}
}

// FundSettlement decides how a fundraiser ends with its final totals, and returns the
// announcement to its channels and the private notice to each backer: all or nothing
// funds or fails on the goal, keep it all closes.
func FundSettlement(c *Campaign, f *Fundraiser, backers []Backer) (State, []Announcement) {
	to, public, private := StateClosed, "announce.fund_closed", "notice.fund_closed"
	if f.Mode != FundKeepItAll {
		to, public, private = StateFailed, "announce.fund_failed", "notice.fund_failed"
		if f.Funded() {
			to, public, private = StateFunded, "announce.fund_funded", "notice.fund_funded"
		}
	}
	public, private = f.settlementKeys(to, public, private)
	pub := CampaignAnnouncement(c, public, "title", c.Title, "code", c.Code,
		"raised", f.Raised, "goal", f.Goal, "percent", f.Percent(), "count", f.Backers)
	pub.Once, pub.Image = "fund:settled", "progress"
	anns := make([]Announcement, 0, len(backers)+1)
	anns = append(anns, pub)
	for _, b := range backers {
		n := MemberNotice(c, b.MemberID, private, "title", c.Title, "code", c.Code,
			"amount", b.Amount, "tier", b.Tier, "raised", f.Raised, "goal", f.Goal)
		n.Once = "fund:settled"
		anns = append(anns, n)
	}
	return to, anns
}

// NewFundraiser is what an admin gives to start a fundraiser.
type NewFundraiser struct {
	Title       string
	Description string
	Goal        string // as typed, with its currency: "20000 EUR"
	ClosesAt    *time.Time
	Mode        FundMode  // "" for all or nothing
	Payment     PayMethod // "" for promises; PayStars takes the goal in XTR by default
	TimeZone    string
	Locale      string // the admin's language, for reading amounts
}

// CreateFundraiser starts a fundraiser campaign in the admin's space and links the
// channel the admin spoke from. Its deadline is required, in the future and at most
// Settings.MaxFundraiserDays away; its currency is the goal's.
func (s *Service) CreateFundraiser(ctx context.Context, actor Actor, in NewFundraiser) (*Campaign, *Fundraiser, error) {
	c, f, err := s.prepareFundraiser(actor, in, s.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.CreateFundraiser(ctx, c, f, linkFor(actor, c.CreatedAt)); err != nil {
		return nil, nil, fmt.Errorf("create fundraiser: %w", err)
	}
	return c, f, nil
}

// prepareFundraiser checks a new fundraiser and builds it, as CreateFundraiser stores it.
func (s *Service) prepareFundraiser(actor Actor, in NewFundraiser, now time.Time) (*Campaign, *Fundraiser, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	if in.ClosesAt == nil {
		return nil, nil, Errorf(EINVALID, "error.fund_deadline_required", "days", s.settings.MaxFundraiserDays)
	}
	if in.ClosesAt.After(now.Add(time.Duration(s.settings.MaxFundraiserDays) * 24 * time.Hour)) {
		return nil, nil, Errorf(EINVALID, "error.fund_too_long", "days", s.settings.MaxFundraiserDays)
	}
	c := NewCampaign{Kind: KindFundraiser, Title: in.Title, Description: in.Description, ClosesAt: in.ClosesAt,
		TimeZone: in.TimeZone}.build(actor, now)
	if err := c.Validate(now, s.settings.Schedules); err != nil {
		return nil, nil, err
	}
	goal, err := ParseMoneyIn(in.Goal, in.Payment.currency(), in.Locale)
	if err != nil {
		return nil, nil, err
	}
	f := &Fundraiser{Goal: goal, Mode: in.Mode, Payment: in.Payment}
	if f.Mode == "" {
		f.Mode = FundAllOrNothing
	}
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	f.Raised, f.Peak, f.Spent, f.Paid = f.money(0), f.money(0), f.money(0), f.money(0)
	return c, f, nil
}

// fundraiser loads a fundraiser campaign by code with its settings.
func (s *Service) fundraiser(ctx context.Context, code string) (*Campaign, *Fundraiser, error) {
	c, err := s.CampaignOf(ctx, code, KindFundraiser)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.store.Fundraiser(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("fundraiser %s: %w", c.Code, err)
	}
	return c, f, nil
}

// fundraiserToChange loads an open fundraiser for its manager's change: an actor who
// does not manage it is told so before whether it is still open.
func (s *Service) fundraiserToChange(ctx context.Context, actor Actor, code string) (*Campaign, *Fundraiser, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, err := s.CampaignOf(ctx, code, KindFundraiser)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	return s.openFundraiser(ctx, code)
}

// openFundraiser loads a fundraiser that still takes pledges and changes.
func (s *Service) openFundraiser(ctx context.Context, code string) (*Campaign, *Fundraiser, error) {
	c, f, err := s.fundraiser(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if c.State != StateOpen || c.ClosesAt != nil && !s.clock.Now().Before(*c.ClosesAt) {
		return nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	return c, f, nil
}

// NewTier is what an admin gives to add a reward tier.
type NewTier struct {
	Title       string
	Description string
	Min         string // as typed; the campaign's currency when none is named
	Limit       int    // 0 for no limit
	Locale      string
}

// AddTier adds a reward tier to an open fundraiser.
func (s *Service) AddTier(ctx context.Context, actor Actor, code string, in NewTier) (*Campaign, *Tier, error) {
	c, f, err := s.fundraiserToChange(ctx, actor, code)
	if err != nil {
		return nil, nil, err
	}
	least, err := ParseMoneyIn(in.Min, f.Goal.Currency, in.Locale)
	if err != nil {
		return nil, nil, err
	}
	t := &Tier{CampaignID: c.ID, Title: in.Title, Description: in.Description, Min: least, Limit: in.Limit, CreatedAt: s.clock.Now()}
	if err := t.Validate(f); err != nil {
		return nil, nil, err
	}
	if err := s.store.AddTier(ctx, t); err != nil {
		return nil, nil, err
	}
	return c, t, nil
}

// AddStretchGoal adds a stretch goal, past the goal, to an open fundraiser. One the
// total has passed already is announced at once.
func (s *Service) AddStretchGoal(ctx context.Context, actor Actor, code, target, description, locale string) (*Campaign, *StretchGoal, error) {
	c, f, err := s.fundraiserToChange(ctx, actor, code)
	if err != nil {
		return nil, nil, err
	}
	m, err := ParseMoneyIn(target, f.Goal.Currency, locale)
	if err != nil {
		return nil, nil, err
	}
	if err := f.checkAmount(m); err != nil {
		return nil, nil, err
	}
	if m.Amount <= f.Goal.Amount {
		return nil, nil, Errorf(EINVALID, "error.stretch_below_goal", "goal", f.Goal)
	}
	g := &StretchGoal{CampaignID: c.ID, Target: m, Description: description, CreatedAt: s.clock.Now()}
	if g.Description, err = checkText("description", g.Description, false, 1, MaxStretchText); err != nil {
		return nil, nil, err
	}
	if err := s.store.AddStretchGoal(ctx, g); err != nil {
		return nil, nil, err
	}
	return c, g, nil
}

// PledgeInput is a member's pledge as typed.
type PledgeInput struct {
	Code   string
	Amount string // "12.50", "12,50 €", "12.50 EUR"; the campaign's currency when none is named
	// Tier names the reward tier by number ("2", "#2") or title; "" keeps the tier of
	// the member's current pledge, "0" or "none" chooses none.
	Tier   string
	Locale string // the member's language, for reading the amount
}

// Pledge sets the actor's pledge to a fundraiser: a first pledge, a raise, a lower
// amount or another tier. The amount must be in the campaign's currency, at least the
// tier's minimum and at most MaxPledgeGoals times the goal. The actor may be one
// identified later (IdentifyLater): the store finds or makes the member with the
// pledge and fills in actor.Member.
func (s *Service) Pledge(ctx context.Context, actor *Actor, in PledgeInput) (*Campaign, *PledgeOutcome, error) {
	// the campaign and the fundraiser's terms as read a moment ago: the pledge's
	// write checks that the campaign takes pledges, and a crowd's pledges cost no
	// read of their own
	c, err := s.recentCampaignOf(ctx, in.Code, KindFundraiser)
	if err != nil {
		return nil, nil, err
	}
	if c.State != StateOpen || c.ClosesAt != nil && !s.clock.Now().Before(*c.ClosesAt) {
		return nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	f, err := s.store.FundraiserTerms(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("fundraiser %s: %w", c.Code, err)
	}
	if f.Payment == PayStars {
		return nil, nil, starsOnly(c)
	}
	amount, err := ParseMoneyIn(in.Amount, f.Goal.Currency, in.Locale)
	if err != nil {
		return nil, nil, err
	}
	if err := f.checkAmount(amount); err != nil {
		return nil, nil, err
	}
	ch := PledgeChange{CampaignID: c.ID, MemberID: actor.Member.ID, Amount: amount, KeepTier: true,
		Points: s.PointsFor(PointsPledge), At: s.clock.Now()}
	if ch.MemberID == 0 {
		ch.Member = &actor.Member
	}
	if ref := strings.TrimSpace(in.Tier); ref != "" {
		tiers, err := s.store.Tiers(ctx, c.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("pledge: %w", err)
		}
		t, err := FindTier(tiers, ref)
		if err != nil {
			return nil, nil, err
		}
		ch.KeepTier = false
		if t != nil {
			if amount.Amount < t.Min.Amount {
				return nil, nil, Errorf(EINVALID, "error.pledge_below_tier", "tier", t.Title, "min", t.Min)
			}
			ch.TierID = t.ID
		}
	}
	out, err := s.store.ChangePledge(ctx, ch)
	if err != nil {
		return nil, nil, err
	}
	return c, out, nil
}

// CancelPledge withdraws the actor's pledge while the fundraiser is open.
func (s *Service) CancelPledge(ctx context.Context, actor Actor, code string) (*Campaign, *PledgeOutcome, error) {
	c, f, err := s.openFundraiser(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if f.Payment == PayStars {
		return nil, nil, Errorf(ECONFLICT, "error.pledge_paid_final", "code", c.Code)
	}
	out, err := s.store.ChangePledge(ctx, PledgeChange{CampaignID: c.ID, MemberID: actor.Member.ID, Cancel: true,
		Points: s.PointsFor(PointsPledge), At: s.clock.Now()})
	if err != nil {
		return nil, nil, err
	}
	return c, out, nil
}

// FindTier returns the tier a member names by number ("2", "#2") or by title in any
// case, or nil for "0" and "none".
func FindTier(tiers []Tier, ref string) (*Tier, error) {
	ref = CleanLine(ref)
	if n, err := strconv.Atoi(strings.TrimPrefix(ref, "#")); err == nil {
		if n == 0 {
			return nil, nil
		}
		for i := range tiers {
			if tiers[i].Number == n {
				return &tiers[i], nil
			}
		}
	} else if strings.EqualFold(ref, "none") {
		return nil, nil
	}
	for i := range tiers {
		if strings.EqualFold(tiers[i].Title, ref) {
			return &tiers[i], nil
		}
	}
	return nil, Errorf(ENOTFOUND, "error.tier_not_found", "tier", ref)
}

// FundStatus is everything /fund status shows.
type FundStatus struct {
	Campaign   *Campaign
	Fundraiser *Fundraiser
	Tiers      []Tier
	Stretch    []StretchGoal
	Mine       *Pledge // the asking member's active pledge, or nil
	Now        time.Time
}

// FundStatus returns a fundraiser's totals, tiers, stretch goals and the actor's own
// pledge.
func (s *Service) FundStatus(ctx context.Context, actor Actor, code string) (*FundStatus, error) {
	c, f, err := s.fundraiser(ctx, code)
	if err != nil {
		return nil, err
	}
	st := &FundStatus{Campaign: c, Fundraiser: f, Now: s.clock.Now()}
	if st.Tiers, err = s.store.Tiers(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("fund status: %w", err)
	}
	if st.Stretch, err = s.store.StretchGoals(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("fund status: %w", err)
	}
	switch p, err := s.store.ActivePledge(ctx, c.ID, actor.Member.ID); ErrorCode(err) {
	case "":
		st.Mine = p
	case ENOTFOUND:
	default:
		return nil, fmt.Errorf("fund status: %w", err)
	}
	return st, nil
}

// TierByID returns the tier with the given id among tiers, or nil.
func TierByID(tiers []Tier, id int64) *Tier {
	for i := range tiers {
		if tiers[i].ID == id {
			return &tiers[i]
		}
	}
	return nil
}

// AddExpense writes a line of a fundraiser's public ledger. Spending is recorded while
// the fundraiser runs and after it ends funded or closed; a failed or cancelled one
// raised nothing to spend.
func (s *Service) AddExpense(ctx context.Context, actor Actor, code, amount, what, locale string) (*Campaign, *Expense, *Fundraiser, error) {
	if !actor.Admin {
		return nil, nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, f, err := s.fundraiser(ctx, code)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, nil, err
	}
	m, err := ParseMoneyIn(amount, f.Goal.Currency, locale)
	if err != nil {
		return nil, nil, nil, err
	}
	if m.Currency != f.Goal.Currency {
		return nil, nil, nil, Errorf(EINVALID, "error.fund_wrong_currency", "currency", m.Currency, "want", f.Goal.Currency)
	}
	e := &Expense{CampaignID: c.ID, Amount: m, CreatedBy: actor.Member.ID, CreatedAt: s.clock.Now()}
	if e.What, err = checkText("expense", what, true, 1, MaxExpenseText); err != nil {
		return nil, nil, nil, err
	}
	f, err = s.store.AddExpense(ctx, e)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, e, f, nil
}

// Ledger returns a fundraiser's totals and its latest expenses, for everyone.
func (s *Service) Ledger(ctx context.Context, code string, limit int) (*Campaign, *Fundraiser, []Expense, error) {
	c, f, err := s.fundraiser(ctx, code)
	if err != nil {
		return nil, nil, nil, err
	}
	list, err := s.store.Expenses(ctx, c.ID, limit)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("ledger: %w", err)
	}
	return c, f, list, nil
}

// Backers returns a fundraiser's totals and a page of its backers, largest pledge
// first, for admins.
func (s *Service) Backers(ctx context.Context, actor Actor, code string, page, perPage int) (*Campaign, *Fundraiser, []Backer, error) {
	if !actor.Admin {
		return nil, nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, f, err := s.fundraiser(ctx, code)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, nil, err
	}
	list, err := s.store.Backers(ctx, c.ID, max(page, 1), perPage)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("backers: %w", err)
	}
	return c, f, list, nil
}

// settleFundraiser ends a fundraiser at its deadline or on an admin's order: all or
// nothing ends funded or failed on the goal, keep it all ends closed; every backer is
// told privately in the same transaction.
func (s *Service) settleFundraiser(ctx context.Context, c *Campaign, now time.Time) error {
	if _, err := s.store.SettleFundraiser(ctx, c.ID, c.State, now); err != nil {
		return fmt.Errorf("settle fundraiser: %w", err)
	}
	return nil
}

// fundraiserProgress returns the campaign's Fundraiser progress.
func (s *Service) fundraiserProgress(ctx context.Context, c *Campaign) (*FundraiserProgress, error) {
	f, err := s.store.Fundraiser(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &FundraiserProgress{Raised: f.Raised, Goal: f.Goal, Spent: f.Spent, Backers: f.Backers, Percent: f.Percent()}, nil
}

// exportFundraiser lists every active pledge: who, how much, which tier, who brought
// them, and when it was last changed.
func (s *Service) exportFundraiser(ctx context.Context, c *Campaign) (*Table, error) {
	t := &Table{Name: c.Code + "-pledges", Header: []string{"member", "name", "amount", "tier", "referrer", "time", "paid", "promised", "refunded"}}
	const per = 500
	for page := 1; ; page++ {
		list, err := s.store.Backers(ctx, c.ID, page, per)
		if err != nil {
			return nil, err
		}
		for _, b := range list {
			t.Rows = append(t.Rows, []string{b.Member, b.Name, b.Amount.String(), b.Tier, b.Referrer,
				b.UpdatedAt.UTC().Format(time.RFC3339), b.Paid.String(), b.Promised().String(), b.Refunded.String()})
		}
		if len(list) < per {
			return t, nil
		}
	}
}

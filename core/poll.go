package core

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits for polls: they fit both platforms' native polls (Telegram and Discord take
// a 300-character question; Discord takes answers of 55 characters, 10 at most).
const (
	MaxPollQuestion = 300
	MaxPollOption   = 55
	MinPollOptions  = 2
	MaxPollOptions  = 10
	// MaxPollLimit bounds the members one option may take.
	MaxPollLimit = 1_000_000
)

// Poll ballots: core decides who may vote and what a press does (Vote): the poll
// open, the option one of its own, and the ballot it becomes from the one held
// (another option replaces the choice of a single-choice poll, a multi=N poll holds
// at most N). That decision needs the member's ballot as it stands, so core hands it
// to the store as a BallotFunc, which the store calls once it holds that ballot in
// its transaction. Storage enforces (storage/poll.go): one ballot per member (a
// primary key), an option's cap (a conditional update), the poll still open when the
// ballot is written, and the counts moving with the ballot.

// Poll is a poll campaign's own settings and its tally.
type Poll struct {
	CampaignID int64
	Question   string
	Options    []PollOption
	// Multi is how many options a member may choose at once (1 for a single choice).
	Multi int
	// Anonymous polls keep no link from a member to their choice that anyone could
	// read back: only a sealed token that stops a second vote (see Service.Vote).
	Anonymous bool
	// Hidden polls show no counts to anyone until they close.
	Hidden bool
	// Limit caps how many members one option takes; 0 for no cap.
	Limit int
	// Ballots is how many members have at least one option chosen.
	Ballots int
	// Version grows with every change of the tally, so that posted cards can tell
	// whether they are out of date.
	Version int64
	// Masked is set when the counts were left out because the poll is hidden and
	// not closed yet: every option's Votes is then 0.
	Masked bool
}

// PollTally is a poll's counts as a ballot left them (PollStore.Vote).
type PollTally struct {
	Votes   []int // each option's votes, in option order
	Ballots int   // the members holding a ballot
	Version int64 // the tally's version (Poll.Version)
}

// PollOption is one answer of a poll with its votes.
type PollOption struct {
	Index int // from 0, in the order the admin gave
	Label string
	Votes int
}

// Validate cleans the question and options and checks every setting.
func (p *Poll) Validate() error {
	var err error
	if p.Question, err = checkText("question", p.Question, true, 1, MaxPollQuestion); err != nil {
		return err
	}
	if n := len(p.Options); n < MinPollOptions || n > MaxPollOptions {
		return Errorf(EINVALID, "error.poll_options_count", "given", n, "min", MinPollOptions, "max", MaxPollOptions)
	}
	seen := map[string]bool{}
	for i := range p.Options {
		o := &p.Options[i]
		o.Index = i
		if o.Label, err = checkText("option", o.Label, true, 1, MaxPollOption); err != nil {
			return err
		}
		k := strings.ToLower(o.Label)
		if seen[k] {
			return Errorf(EINVALID, "error.poll_duplicate_option", "option", o.Label)
		}
		seen[k] = true
	}
	if p.Multi == 0 {
		p.Multi = 1
	}
	if p.Multi < 1 || p.Multi > len(p.Options) {
		return Errorf(EINVALID, "error.poll_bad_multi", "max", len(p.Options))
	}
	if p.Limit < 0 || p.Limit > MaxPollLimit {
		return Errorf(EINVALID, "error.poll_bad_limit", "max", MaxPollLimit)
	}
	return nil
}

// masked reports whether c's counts must stay hidden: a hidden poll shows them only
// once it is closed.
func (p *Poll) masked(c *Campaign) bool { return p.Hidden && c.State != StateClosed }

// mask zeroes the counts of a hidden poll that is not closed.
func (p *Poll) mask(c *Campaign) {
	if !p.masked(c) {
		return
	}
	p.Masked = true
	for i := range p.Options {
		p.Options[i].Votes = 0
	}
}

// Winners returns the options with the most votes (several on a tie), or none when
// nobody voted or the counts are masked.
func (p *Poll) Winners() []PollOption {
	best := 0
	for _, o := range p.Options {
		best = max(best, o.Votes)
	}
	if best == 0 {
		return nil
	}
	var out []PollOption
	for _, o := range p.Options {
		if o.Votes == best {
			out = append(out, o)
		}
	}
	return out
}

// NewPoll is what an admin gives to start a poll.
type NewPoll struct {
	Question  string
	Options   []string
	Multi     int // 0 for a single choice; negative is refused
	Anonymous bool
	Hidden    bool
	Limit     int // 0 for no cap; negative is refused
	ClosesAt  *time.Time
	TimeZone  string // "" takes the space's
}

// BallotChange is what one press does to a member's ballot, decided by core and
// applied by the store in the transaction that read the previous ballot.
type BallotChange struct {
	// Choices is the ballot as it will be stored: the chosen option indexes ("0,3")
	// for an ordinary poll, a sealed token for an anonymous one.
	Choices string
	Add     []int // options gaining this member's vote
	Remove  []int // options losing it
	Voted   bool  // the ballot holds at least one option afterwards
}

// BallotFunc decides a ballot's change from the ballot stored so far ("" for none).
type BallotFunc func(prev string) (BallotChange, error)

// PollCard is a poll card the bot has posted (a delivered "poll.card" announcement),
// with what the refresher needs to tell whether it is out of date.
type PollCard struct {
	Item OutboxItem
	// SpaceExternalID is the platform's id of the space the card was posted in.
	SpaceExternalID string
	Version         int64 // the poll's tally version now
	State           State // the campaign's state now
}

// PollBallot is one member's ballot, for exports of polls that are not anonymous.
type PollBallot struct {
	Member  string // platform:id
	Name    string
	Choices []int
	VotedAt time.Time
}

// PollStore keeps the poll campaign kind.
type PollStore interface {
	// CreatePoll stores a new poll campaign with its settings and options, gives it a
	// fresh unique code, links the channel if link is set, and queues the
	// announcement card returns for the stored campaign, in one transaction.
	CreatePoll(ctx context.Context, c *Campaign, p *Poll, link *ChannelLink, card func(*Campaign) Announcement) error
	// Poll returns a poll with its tally.
	Poll(ctx context.Context, campaignID int64) (*Poll, error)
	// PollSettings returns a poll's settings and options, which never change, as
	// read a moment ago at most: its counts are not to be used (see Vote's tally).
	PollSettings(ctx context.Context, campaignID int64) (*Poll, error)
	// Vote changes a member's ballot in one transaction: it locks the ballot (making
	// an empty one on the first press), asks decide for the change, and moves the
	// option counts (refusing with ELIMIT an option at its limit), the ballot count
	// and the tally version, crediting points on the member's first ballot. The
	// campaign must be open, checked in the same transaction. A voter whose ID is 0
	// is a member not looked up yet: the store finds or makes them by Platform and
	// ExternalID, with the ballot when it can, and fills in voter. A first ballot is
	// decided before its voter is found: a decision bound to the member's id needs
	// them made first (Service.Enroll). It returns the poll's counts just after the
	// ballot, as the write that stored it read them: the member's own ballot is in
	// them, and ballots cast at the same moment may be too.
	Vote(ctx context.Context, campaignID int64, voter *Member, now time.Time, points int, decide BallotFunc) (*PollTally, error)
	// ClosePoll makes t (a close) and moves the tally version on, so that posted
	// cards are refreshed, in one transaction.
	ClosePoll(ctx context.Context, t Transition) error
	// PollBallots returns a page of the ballots that hold an option, oldest first.
	PollBallots(ctx context.Context, campaignID int64, page, perPage int) ([]PollBallot, error)
	// BallotSecret returns the installation's random secret for sealing anonymous
	// ballots, making it on first use.
	BallotSecret(ctx context.Context) ([]byte, error)
	// StalePollCards returns posted cards of polls that are open, or changed since
	// since, whose tally version or campaign state moved on after the card was last
	// refreshed.
	StalePollCards(ctx context.Context, since time.Time, limit int) ([]PollCard, error)
	// ClaimPollCard records that the card of outbox row outboxID is being refreshed
	// to version and state; it returns false when it is already at them (another
	// replica got there first).
	ClaimPollCard(ctx context.Context, outboxID, version int64, state State) (bool, error)
	// ReleasePollCard undoes a claim whose edit failed, so that the next pass retries.
	ReleasePollCard(ctx context.Context, outboxID, version int64) error
}

// CreatePoll starts a poll. The channel the admin asked from is linked to it, and the
// poll's card, with its vote buttons, is queued for every linked channel.
func (s *Service) CreatePoll(ctx context.Context, actor Actor, in NewPoll) (*Campaign, *Poll, error) {
	now := s.clock.Now()
	c, p, err := in.prepare(actor, now, s.settings.Schedules)
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.CreatePoll(ctx, c, p, linkFor(actor, now), pollCard); err != nil {
		return nil, nil, fmt.Errorf("create poll: %w", err)
	}
	// the first card shows what every later one does: no counts on a hidden poll
	p.mask(c)
	return c, p, nil
}

// prepare checks a new poll and builds it, as CreatePoll stores it.
func (in NewPoll) prepare(actor Actor, now time.Time, schedules ScheduleParser) (*Campaign, *Poll, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	p := &Poll{Question: in.Question, Multi: in.Multi, Anonymous: in.Anonymous, Hidden: in.Hidden, Limit: in.Limit}
	if in.Multi < 0 {
		return nil, nil, Errorf(EINVALID, "error.poll_bad_multi", "max", max(len(in.Options), MinPollOptions))
	}
	for _, o := range in.Options {
		p.Options = append(p.Options, PollOption{Label: o})
	}
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	c := NewCampaign{Kind: KindPoll, Title: shorten(p.Question, MaxTitle), ClosesAt: in.ClosesAt, TimeZone: in.TimeZone}.build(actor, now)
	if err := c.Validate(now, schedules); err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// pollCard is the announcement of a poll's card: its question, options, tally and
// vote buttons, posted once per linked channel and refreshed as votes come in.
func pollCard(c *Campaign) Announcement {
	return Announcement{CampaignID: c.ID, Key: "poll.card", Once: pollOnce(c, "poll:card"),
		Args: Args("question", c.Title, "code", c.Code)}
}

// pollOnce makes an Announcement.Once value unique to campaign c: the outbox keys it
// by destination only.
func pollOnce(c *Campaign, what string) string { return fmt.Sprintf("%s:%d", what, c.ID) }

// Poll returns a poll campaign and its tally; the counts of a hidden poll stay out
// until it closes.
func (s *Service) Poll(ctx context.Context, code string) (*Campaign, *Poll, error) {
	c, err := s.CampaignOf(ctx, code, KindPoll)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.PollOf(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// PollOf returns campaign c's poll and tally, masked like Poll.
func (s *Service) PollOf(ctx context.Context, c *Campaign) (*Poll, error) {
	if c.Kind != KindPoll {
		return nil, Errorf(EINVALID, "error.wrong_kind", "code", c.Code, "kind", string(KindPoll))
	}
	p, err := s.store.Poll(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("poll %s: %w", c.Code, err)
	}
	p.mask(c)
	return p, nil
}

// PostPoll queues the poll's card for every linked channel that has not had it yet
// (channels linked after the poll started).
func (s *Service) PostPoll(ctx context.Context, actor Actor, code string) (*Campaign, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, err := s.CampaignOf(ctx, code, KindPoll)
	if err != nil {
		return nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, err
	}
	if c.State != StateOpen {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	if err := s.store.Enqueue(ctx, s.clock.Now(), pollCard(c)); err != nil {
		return nil, fmt.Errorf("post poll: %w", err)
	}
	return c, nil
}

// Vote is one press of an option's button: it adds the option to the actor's ballot,
// or takes it out when it was there. On a single-choice poll, another option replaces
// the one chosen; on a multi=N poll, a member holds up to N options. The ballot is
// changed in one transaction that holds it, so a member is never counted twice, and
// an option at its limit takes nobody more. It returns the options the actor now
// holds (their labels, without counts) and the poll's tally just after the ballot
// (tallyAfter).
//
// Anonymous polls never store which option a member chose in the clear: the ballot
// is sealed with AES-GCM under a key derived from the ballot secret and bound to the
// poll and the member, so only this service, holding the secret, can open it to
// change the vote. Nothing else (commands, exports, the dashboard) ever opens it.
// The actor may be one identified later (IdentifyLater): the store finds or makes
// them with the ballot and fills in actor.Member.
func (s *Service) Vote(ctx context.Context, actor *Actor, code string, option int) (*Campaign, []PollOption, *Poll, error) {
	// the campaign and the poll's settings as read a moment ago: the ballot's write
	// checks that the poll is open, and a crowd's presses cost no read of their own
	c, err := s.recentCampaignOf(ctx, code, KindPoll)
	if err != nil {
		return nil, nil, nil, err
	}
	if c.State != StateOpen {
		return nil, nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	p, err := s.store.PollSettings(ctx, c.ID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("vote: %w", err)
	}
	if option < 0 || option >= len(p.Options) {
		return nil, nil, nil, Errorf(EINVALID, "error.poll_bad_option")
	}
	var seal *ballotSeal
	if p.Anonymous {
		// a sealed ballot is bound to its member's id
		if err := s.Enroll(ctx, actor); err != nil {
			return nil, nil, nil, err
		}
		if seal, err = s.ballotSeal(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	var held []int
	decide := func(prev string) (BallotChange, error) {
		var before []int
		var err error
		if seal != nil {
			before, err = seal.open(c.ID, actor.Member.ID, prev)
		} else {
			before, err = parseChoices(prev, len(p.Options))
		}
		if err != nil {
			return BallotChange{}, err
		}
		var ch BallotChange
		switch {
		case slices.Contains(before, option):
			held = slices.DeleteFunc(slices.Clone(before), func(i int) bool { return i == option })
			ch.Remove = []int{option}
		case p.Multi == 1:
			held = []int{option}
			ch.Add, ch.Remove = []int{option}, before
		case len(before) >= p.Multi:
			return BallotChange{}, Errorf(ELIMIT, "error.poll_too_many_choices", "max", p.Multi)
		default:
			held = append(slices.Clone(before), option)
			slices.Sort(held)
			ch.Add = []int{option}
		}
		ch.Voted = len(held) > 0
		if seal != nil {
			ch.Choices, err = seal.seal(c.ID, actor.Member.ID, held)
		} else {
			ch.Choices = formatChoices(held)
		}
		return ch, err
	}
	tally, err := s.store.Vote(ctx, c.ID, &actor.Member, s.clock.Now(), s.PointsFor(PointsBallot), decide)
	if err != nil {
		return nil, nil, nil, err
	}
	out := make([]PollOption, len(held))
	for i, o := range held {
		out[i] = PollOption{Index: o, Label: p.Options[o].Label}
	}
	return c, out, p.withTally(c, tally), nil
}

// withTally is the poll with the counts a ballot left, for the card that answers
// the press, masked as every card of it is.
func (p *Poll) withTally(c *Campaign, t *PollTally) *Poll {
	out := *p
	out.Options = slices.Clone(p.Options)
	for i := range out.Options {
		out.Options[i].Votes = 0
		if i < len(t.Votes) {
			out.Options[i].Votes = t.Votes[i]
		}
	}
	out.Ballots, out.Version = t.Ballots, t.Version
	out.mask(c)
	return &out
}

// ClosePoll closes a poll now, on an admin's order.
func (s *Service) ClosePoll(ctx context.Context, actor Actor, code string) (*Campaign, error) {
	if _, err := s.CampaignOf(ctx, code, KindPoll); err != nil {
		return nil, err
	}
	return s.CloseCampaign(ctx, actor, code)
}

// closePoll ends a poll campaign at its deadline or on an admin's order: the state
// moves to closed and the result, with its chart, is queued for every linked channel
// in the same transaction. The result's card is drawn from the tally at delivery,
// which no vote can change any more.
func (s *Service) closePoll(ctx context.Context, c *Campaign, now time.Time) error {
	result := Announcement{CampaignID: c.ID, Key: "poll.result", Image: "progress", Once: pollOnce(c, "poll:closed"),
		Args: Args("question", c.Title, "code", c.Code)}
	return s.store.ClosePoll(ctx, Transition{CampaignID: c.ID, From: c.State, To: StateClosed, At: now,
		Announcements: []Announcement{result}})
}

// pollProgress returns the campaign's Poll progress: the counts stay out of a hidden
// poll until it closes.
func (s *Service) pollProgress(ctx context.Context, c *Campaign) (*PollProgress, error) {
	p, err := s.PollOf(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &PollProgress{Ballots: p.Ballots, Hidden: p.Masked, Options: make([]OptionTally, len(p.Options))}
	for i, o := range p.Options {
		out.Options[i] = OptionTally{Label: o.Label, Votes: o.Votes}
	}
	return out, nil
}

// exportPoll returns the ballots: member, options and time. Anonymous polls have no
// ballots to give, and hidden ones give none before they close.
func (s *Service) exportPoll(ctx context.Context, c *Campaign) (*Table, error) {
	p, err := s.store.PollSettings(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if p.Anonymous {
		return nil, Errorf(EFORBIDDEN, "error.poll_export_anonymous", "code", c.Code)
	}
	if p.masked(c) {
		return nil, Errorf(EFORBIDDEN, "error.poll_export_hidden", "code", c.Code)
	}
	t := &Table{Name: c.Code + "-ballots", Header: []string{"member", "name", "options", "voted_at"}}
	const per = 500
	for page := 1; ; page++ {
		list, err := s.store.PollBallots(ctx, c.ID, page, per)
		if err != nil {
			return nil, err
		}
		for _, b := range list {
			labels := make([]string, 0, len(b.Choices))
			for _, i := range b.Choices {
				if i >= 0 && i < len(p.Options) {
					labels = append(labels, p.Options[i].Label)
				}
			}
			t.Rows = append(t.Rows, []string{b.Member, b.Name, strings.Join(labels, "; "), b.VotedAt.UTC().Format(time.RFC3339)})
		}
		if len(list) < per {
			return t, nil
		}
	}
}

// StalePollCards lists posted poll cards whose tally or state moved on since they
// were last refreshed (see Refresher in bots).
func (s *Service) StalePollCards(ctx context.Context, limit int) ([]PollCard, error) {
	return s.store.StalePollCards(ctx, s.clock.Now().Add(-PollCardRefreshWindow), limit)
}

// PollCardRefreshWindow is how long after its campaign last changed a poll's posted
// card is still brought up to date: a closed poll's cards are refreshed within
// moments, and a week covers any outage.
const PollCardRefreshWindow = 7 * 24 * time.Hour

// ClaimPollCard records that a card is being refreshed to a version and state, and
// reports whether this caller should edit it.
func (s *Service) ClaimPollCard(ctx context.Context, card PollCard) (bool, error) {
	return s.store.ClaimPollCard(ctx, card.Item.ID, card.Version, card.State)
}

// ReleasePollCard gives back a claim whose edit failed, so that it is tried again.
func (s *Service) ReleasePollCard(ctx context.Context, card PollCard) error {
	return s.store.ReleasePollCard(ctx, card.Item.ID, card.Version)
}

// parseChoices reads a stored ballot of an ordinary poll: option indexes, comma
// separated.
func parseChoices(s string, options int) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		i, err := strconv.Atoi(f)
		if err != nil || i < 0 || i >= options {
			return nil, fmt.Errorf("ballot %q: bad option %q", s, f)
		}
		out = append(out, i)
	}
	return out, nil
}

// ParseChoices reads the option indexes of a stored ordinary ballot, for stores.
func ParseChoices(s string) ([]int, error) { return parseChoices(s, MaxPollOptions) }

func formatChoices(choices []int) string {
	parts := make([]string, len(choices))
	for i, c := range choices {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}

// ballotSeal seals and opens anonymous ballots. keys[0] seals; every key is tried to
// open, so that a configured key can take over from the stored one.
type ballotSeal struct {
	keys []cipher.AEAD
}

// sealedPrefix marks a sealed ballot and its format version.
const sealedPrefix = "s1."

// ballotSeal returns the sealer for anonymous ballots: the configured ballot key if
// there is one, else the store's secret (and the store's secret too, to open ballots
// sealed before a key was configured).
func (s *Service) ballotSeal(ctx context.Context) (*ballotSeal, error) {
	var secrets [][]byte
	if len(s.settings.BallotKey) > 0 {
		secrets = append(secrets, s.settings.BallotKey)
	}
	stored, err := s.store.BallotSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("ballot secret: %w", err)
	}
	secrets = append(secrets, stored)
	b := &ballotSeal{}
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte("crowdbot anonymous ballot v1"))
		block, err := aes.NewCipher(mac.Sum(nil))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		b.keys = append(b.keys, aead)
	}
	return b, nil
}

// ballotAD binds a sealed ballot to its poll and member, so that a token copied to
// another row does not open.
func ballotAD(campaignID, memberID int64) []byte {
	return []byte(fmt.Sprintf("poll %d member %d", campaignID, memberID))
}

// seal returns the choices as an opaque token: a random nonce and the AES-GCM
// sealing of a two-byte set, so every token looks alike whatever it holds.
func (b *ballotSeal) seal(campaignID, memberID int64, choices []int) (string, error) {
	var set uint16
	for _, c := range choices {
		set |= 1 << c
	}
	aead := b.keys[0]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte{byte(set), byte(set >> 8)}, ballotAD(campaignID, memberID))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// open reads a sealed ballot ("" for none).
func (b *ballotSeal) open(campaignID, memberID int64, token string) ([]int, error) {
	if token == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, sealedPrefix))
	if err != nil || !strings.HasPrefix(token, sealedPrefix) {
		return nil, errors.New("anonymous ballot: not a sealed token")
	}
	for _, aead := range b.keys {
		n := aead.NonceSize()
		if len(raw) < n {
			break
		}
		plain, err := aead.Open(nil, raw[:n], raw[n:], ballotAD(campaignID, memberID))
		if err != nil || len(plain) != 2 {
			continue
		}
		set := uint16(plain[0]) | uint16(plain[1])<<8
		var out []int
		for i := range MaxPollOptions {
			if set&(1<<i) != 0 {
				out = append(out, i)
			}
		}
		return out, nil
	}
	// the key changed and the old one is gone: refuse rather than count twice
	return nil, Errorf(ECONFLICT, "error.poll_ballot_sealed")
}

// Shares returns each count's share of their sum in whole percent, rounded by the
// largest remainder: each share is its exact value rounded down or up, and the
// shares add up to exactly 100 (0 each when the sum is 0). Ties on the remainder go
// to the smaller count, then the earlier one, so that 199 to 1 reads 99% to 1%, not
// 100% to 0%. Every front end (chat cards, pictures, pages) shows a poll's
// options with these shares, of all the votes cast, so they agree with each other.
func Shares(counts []int) []int {
	out := make([]int, len(counts))
	total := 0
	for _, n := range counts {
		total += max(n, 0)
	}
	if total == 0 {
		return out
	}
	rest := make([]int, len(counts))
	left := 100
	for i, n := range counts {
		n = max(n, 0)
		out[i] = n * 100 / total
		rest[i] = n * 100 % total
		left -= out[i]
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if rest[a] != rest[b] {
			return rest[b] - rest[a]
		}
		return counts[a] - counts[b]
	})
	for _, i := range order[:left] {
		out[i]++
	}
	return out
}

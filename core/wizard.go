package core

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// WizardTTL is how long a guided set-up waits for its next answer before it is
// dropped.
const WizardTTL = 30 * time.Minute

// Wizard is a guided set-up of a new campaign in progress: the admin answers one
// question at a time, sees a preview, and confirms. A member has at most one per
// space; it lives in the database, so it survives a restart.
type Wizard struct {
	ID       int64
	MemberID int64
	SpaceID  int64
	Channel  string // where it was started
	Kind     Kind   // "" until the admin chooses one
	Step     string // the question asked now
	// Answers are the answers given so far, by question, as the set-up keeps them.
	Answers map[string]string
	// Version moves on with every answer, so a button of an earlier question, or a
	// second press of the last one, finds it changed.
	Version   int64
	ExpiresAt time.Time
	UpdatedAt time.Time
	// Token is the unguessable part of the link that takes the set-up to the
	// member's private chat with the bot (WizardPayload).
	Token string
	// AnswerIn is the private chat the set-up is answered in, "" while it is answered
	// where it was started.
	AnswerIn string
	// AnyAdmin marks a set-up the chat started itself (a channel's post): any of
	// its administrators may take it to their private chat.
	AnyAdmin bool
	// Space is the space the set-up is for, filled in when it is read by its id or
	// by where it is answered.
	Space *Space
}

// WizardStore keeps guided set-ups.
type WizardStore interface {
	// StartWizard stores w as its member's only set-up in its space, replacing any
	// earlier one, and gives it its ID and version 1.
	StartWizard(ctx context.Context, w *Wizard) error
	// Wizard returns the member's set-up in a space, or nil when there is none or it
	// expired at now.
	Wizard(ctx context.Context, memberID, spaceID int64, now time.Time) (*Wizard, error)
	// SaveWizard stores w's kind, step, answers and expiry if the set-up is still at
	// w.Version and not expired at now, and moves w.Version on; it fails with
	// ECONFLICT when the set-up changed or went in the meantime.
	SaveWizard(ctx context.Context, w *Wizard, now time.Time) error
	// EndWizard deletes set-up id if it is still at version; it reports whether it
	// did, so that of two presses of one button only one goes on.
	EndWizard(ctx context.Context, id, version int64) (bool, error)
	// WizardByID returns set-up id with its space, or nil when there is none or it
	// expired at now.
	WizardByID(ctx context.Context, id int64, now time.Time) (*Wizard, error)
	// BindWizard makes set-up id, not expired at now and holding token, answered in
	// channel by memberID, if it is that member's or open to any admin (AnyAdmin,
	// which it then is no more); the member's set-up answered there before is
	// answered there no more. It reports whether it did.
	BindWizard(ctx context.Context, id int64, token string, memberID int64, channel string, now time.Time) (bool, error)
	// WizardIn returns, with its space, the set-up of the member answered in
	// channel, or nil when there is none or it expired at now.
	WizardIn(ctx context.Context, memberID int64, channel string, now time.Time) (*Wizard, error)
}

// StartWizard begins the actor's guided set-up of a new campaign in their space and
// channel at its first step, dropping one they had there. Only admins set up
// campaigns.
func (s *Service) StartWizard(ctx context.Context, actor Actor, step string) (*Wizard, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	now := s.clock.Now()
	w := &Wizard{MemberID: actor.Member.ID, SpaceID: actor.Space.ID, Channel: actor.Channel, Step: step,
		Answers: map[string]string{}, ExpiresAt: now.Add(WizardTTL), UpdatedAt: now, Token: wizardToken(),
		// a chat that speaks for itself (a channel's post) is no one to check a link against
		AnyAdmin: actor.Member.ExternalID == actor.Space.ExternalID}
	if err := s.store.StartWizard(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Wizard returns the actor's guided set-up in their space, or nil when they have
// none (or it expired).
func (s *Service) Wizard(ctx context.Context, actor Actor) (*Wizard, error) {
	if actor.Member.ID == 0 {
		return nil, nil
	}
	return s.store.Wizard(ctx, actor.Member.ID, actor.Space.ID, s.clock.Now())
}

// SaveWizard stores an answered step of the actor's set-up, which then waits
// WizardTTL more for the next; it fails with ECONFLICT when the set-up moved on or
// expired in the meantime. Only admins set up campaigns.
func (s *Service) SaveWizard(ctx context.Context, actor Actor, w *Wizard) error {
	if !actor.Admin {
		return Errorf(EFORBIDDEN, "error.admin_only")
	}
	now := s.clock.Now()
	w.ExpiresAt, w.UpdatedAt = now.Add(WizardTTL), now
	return s.store.SaveWizard(ctx, w, now)
}

// EndWizard ends a set-up at the version it was read at; false means another
// request ended or changed it first.
func (s *Service) EndWizard(ctx context.Context, w *Wizard) (bool, error) {
	return s.store.EndWizard(ctx, w.ID, w.Version)
}

// wizardToken returns a new random token for a set-up's link: 12 bytes, 16
// characters of [A-Za-z0-9_-].
func wizardToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// wizardPayloadPrefix starts the start payload of a set-up's link.
const wizardPayloadPrefix = "wz_"

// WizardPayload is the start payload of the link that takes set-up w to the
// member's private chat with the bot: "wz_<id in base 36>_<token>", at most
// MaxStartPayload characters of [A-Za-z0-9_-].
func WizardPayload(w *Wizard) string {
	return wizardPayloadPrefix + strconv.FormatInt(w.ID, 36) + "_" + w.Token
}

// ParseWizardPayload reads a payload made by WizardPayload; ok is false for any
// other.
func ParseWizardPayload(p string) (id int64, token string, ok bool) {
	rest, found := strings.CutPrefix(p, wizardPayloadPrefix)
	if !found || len(p) > MaxStartPayload {
		return 0, "", false
	}
	n, token, found := strings.Cut(rest, "_")
	id, err := strconv.ParseInt(n, 36, 64)
	if !found || err != nil || id <= 0 || strconv.FormatInt(id, 36) != n || token == "" {
		return 0, "", false
	}
	return id, token, true
}

// WizardByLink returns the set-up a link's payload names, with its space, if the
// payload's token is the set-up's; it fails with ENOTFOUND when the set-up is
// over or expired, and with EFORBIDDEN for a token that is not its own.
func (s *Service) WizardByLink(ctx context.Context, payload string) (*Wizard, error) {
	id, token, ok := ParseWizardPayload(payload)
	if !ok {
		return nil, Errorf(ENOTFOUND, "wizard.link_expired")
	}
	w, err := s.store.WizardByID(ctx, id, s.clock.Now())
	if err != nil {
		return nil, err
	}
	if w == nil {
		return nil, Errorf(ENOTFOUND, "wizard.link_expired")
	}
	if subtle.ConstantTimeCompare([]byte(w.Token), []byte(token)) != 1 {
		return nil, Errorf(EFORBIDDEN, "wizard.not_yours")
	}
	return w, nil
}

// BindWizard makes the actor answer set-up w in the private chat they speak in,
// for w's space: it must be the actor's own, or open to any admin (AnyAdmin) and
// the actor, as admins reports, an admin of its space. Of a stranger holding the
// link, or two admins at once, the database lets only the rightful one through.
func (s *Service) BindWizard(ctx context.Context, actor Actor, w *Wizard, admin bool) error {
	if w.MemberID != actor.Member.ID && !(w.AnyAdmin && admin) {
		return Errorf(EFORBIDDEN, "wizard.not_yours")
	}
	ok, err := s.store.BindWizard(ctx, w.ID, w.Token, actor.Member.ID, actor.Channel, s.clock.Now())
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(EFORBIDDEN, "wizard.not_yours")
	}
	w.MemberID, w.AnswerIn, w.AnyAdmin = actor.Member.ID, actor.Channel, false
	return nil
}

// WizardHere returns, with its space, the set-up the actor answers in the chat they
// speak in for a space elsewhere (BindWizard), or nil when there is none.
func (s *Service) WizardHere(ctx context.Context, actor Actor) (*Wizard, error) {
	if actor.Member.ID == 0 || actor.Channel == "" {
		return nil, nil
	}
	return s.store.WizardIn(ctx, actor.Member.ID, actor.Channel, s.clock.Now())
}

// Plan is a campaign an admin described and has not created yet: exactly one of
// its fields is set, the input of the use case that creates that kind.
type Plan struct {
	Ideas      *NewCampaign
	Poll       *NewPoll
	Contest    *NewContest
	Fundraiser *NewFundraiser
	Tasks      *NewTaskJob
}

// Planned is a plan as it will be created: the campaign and its kind's settings,
// with every default filled in. Only the field of the plan's kind is set.
type Planned struct {
	Campaign   *Campaign
	Poll       *Poll
	Contest    *Contest
	Fundraiser *Fundraiser
	Job        *TaskJob
}

// CheckPlan runs the checks of the use case that creates p's kind, in the same
// order and with the same refusals, without creating anything, and returns the
// campaign it would create now.
func (s *Service) CheckPlan(actor Actor, p Plan) (*Planned, error) {
	now := s.clock.Now()
	out := &Planned{}
	var err error
	switch {
	case p.Ideas != nil:
		out.Campaign, err = p.Ideas.prepare(actor, now, s.settings.Schedules)
	case p.Poll != nil:
		out.Campaign, out.Poll, err = p.Poll.prepare(actor, now, s.settings.Schedules)
	case p.Contest != nil:
		out.Campaign, out.Contest, err = p.Contest.prepare(actor, now, s.settings.Schedules)
	case p.Fundraiser != nil:
		out.Campaign, out.Fundraiser, err = s.prepareFundraiser(actor, *p.Fundraiser, now)
	case p.Tasks != nil:
		var job TaskJob
		out.Campaign, job, err = p.Tasks.prepare(actor, now, s.settings.Schedules)
		out.Job = &job
	default:
		return nil, Errorf(EINVALID, "error.bad_kind", "kind", "")
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

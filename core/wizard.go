package core

import (
	"context"
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
		Answers: map[string]string{}, ExpiresAt: now.Add(WizardTTL), UpdatedAt: now}
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

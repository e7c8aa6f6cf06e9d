package core

import (
	"context"
	"time"
)

// Store is everything crowdbot keeps. The storage package implements it; each method
// that changes more than one thing does so in one transaction of its own, and the
// rules that must hold under concurrency are enforced by the database.
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	SpaceStore
	CampaignStore
	OutboxStore
	IdeaStore
	DiscussionStore
	ThreadStore
	PollStore
	ContestStore
	FundraiserStore
	TaskStore
	SpreadStore
	EarningsStore
	AdminSessionStore
	CleanupStore
	UploadStore
	MoveStore
	CorrectionStore
	StarsStore
	RecognitionStore
	WizardStore
}

// Settings are the operator's choices that shape the rules.
type Settings struct {
	// MaxFundraiserDays bounds how long a fundraiser may run.
	MaxFundraiserDays int
	// Points awarded per action, by action name (see PointsFor).
	Points map[string]int
	// TaskMinAccuracy is the share of gold items a member must answer right (after
	// TaskGoldWarmup gold answers) to keep receiving task items; 0 turns it off.
	TaskMinAccuracy float64
	// TaskGoldWarmup is how many gold answers a member gives before accuracy counts.
	TaskGoldWarmup int
	// BallotKey seals anonymous poll ballots. When empty, a random secret kept in
	// the database is used; setting a key kept outside the database means a copy of
	// the database alone cannot tell who chose what.
	BallotKey []byte
	// Retention says how long the rows that would otherwise only grow are kept.
	Retention Retention
	// Schedules reads campaigns' update schedules. When nil, only DefaultSchedule
	// is understood (see ScheduleParser.Read).
	Schedules ScheduleParser
}

// DefaultSettings returns the settings used when the operator sets none.
func DefaultSettings() Settings {
	return Settings{
		MaxFundraiserDays: 60,
		Points: map[string]int{
			PointsIdea:         5,
			PointsVoteReceived: 1,
			PointsVote:         1,
			PointsBallot:       1,
			PointsEntry:        5,
			PointsPledge:       10,
			PointsAnswer:       1,
			PointsReferral:     10,
		},
		TaskMinAccuracy: 0.6,
		TaskGoldWarmup:  3,
		Retention:       DefaultRetention(),
	}
}

// Point-earning actions.
const (
	PointsIdea         = "idea"          // submitting an idea
	PointsVoteReceived = "vote_received" // an up-vote on one's idea
	PointsVote         = "vote"          // up-voting an idea or an entry
	PointsBallot       = "ballot"        // voting in a poll
	PointsEntry        = "entry"         // entering a contest
	PointsPledge       = "pledge"        // backing a fundraiser
	PointsAnswer       = "answer"        // an accepted task answer
	PointsReferral     = "referral"      // bringing someone who took part
)

// Service is crowdbot's core: every use case the front ends call. It validates, reads
// the clock and decides; the Store keeps and enforces.
type Service struct {
	store    Store
	clock    Clock
	settings Settings
	kinds    map[Kind]kindRules // each kind's own rules (kindTable)
}

// NewService returns a Service over store. Missing settings take their defaults.
func NewService(store Store, clock Clock, settings Settings) *Service {
	def := DefaultSettings()
	if settings.MaxFundraiserDays <= 0 {
		settings.MaxFundraiserDays = def.MaxFundraiserDays
	}
	if settings.Points == nil {
		settings.Points = def.Points
	}
	if settings.TaskGoldWarmup <= 0 {
		settings.TaskGoldWarmup = def.TaskGoldWarmup
	}
	settings.Retention = settings.Retention.withDefaults()
	s := &Service{store: store, clock: clock, settings: settings}
	s.kinds = s.kindTable()
	return s
}

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Ping checks that the store answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// PointsFor returns the points configured for an action.
func (s *Service) PointsFor(action string) int { return s.settings.Points[action] }

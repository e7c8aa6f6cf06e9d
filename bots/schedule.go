package bots

import (
	"context"
	"log/slog"
	"time"

	"crowdbot/core"

	"github.com/robfig/cron/v3"
)

// DefaultTick is how often the scheduler asks core what is due.
const DefaultTick = 15 * time.Second

// JobDeadline bounds one round of a background loop (a scheduler tick, a refresh of
// poll cards): a stalled database holds it up that long at most, and the next round
// starts over.
const JobDeadline = 2 * time.Minute

// ParseCron reads a campaign's update schedule as a cron spec: five fields (minute,
// hour, day of month, month, day of week) or a descriptor such as @daily, with an
// optional CRON_TZ= prefix that wins over the campaign's time zone. It is the
// core.ScheduleParser cmd/crowdbot gives the service.
func ParseCron(spec string) (core.Schedule, error) {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor).Parse(spec)
}

// Scheduler is the one loop that makes time-driven things happen: deadlines move
// campaigns on (and the kinds queue their results), scheduled progress posts are
// queued, reminders go out a day before a deadline, and every few minutes the
// tables that would only grow are pruned. It only asks core what is
// due at the service clock's time; core claims each thing in the database, so any
// number of replicas may run a Scheduler, and after downtime each missed thing
// happens once.
type Scheduler struct {
	svc  *core.Service
	log  *slog.Logger
	tick time.Duration
}

// NewScheduler returns a Scheduler over svc that ticks every tick (DefaultTick when
// 0).
func NewScheduler(svc *core.Service, log *slog.Logger, tick time.Duration) *Scheduler {
	if log == nil {
		log = slog.Default()
	}
	if tick <= 0 {
		tick = DefaultTick
	}
	return &Scheduler{svc: svc, log: log, tick: tick}
}

// TickResult counts what one tick did.
type TickResult struct {
	Advanced  int                // campaigns whose deadline moved them on
	Posts     int                // progress posts queued
	Reminders int                // reminders queued
	Cleanup   core.CleanupResult // what the cleanup deleted, when it ran
}

// Tick runs everything due now, once: deadlines first (so a campaign that just
// closed gets no reminder and no progress post of its open self), then progress
// posts, then reminders, then the cleanup when it is due (core.CleanupEvery). It
// goes on past a failing step and returns the first error.
func (s *Scheduler) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	var err error
	res.Advanced, err = s.svc.AdvanceDue(ctx)
	keep(err)
	res.Posts, err = s.svc.PostDueUpdates(ctx)
	keep(err)
	res.Reminders, err = s.svc.QueueReminders(ctx)
	keep(err)
	res.Cleanup, err = s.svc.Cleanup(ctx)
	keep(err)
	return res, first
}

// Run ticks at once (catching up after downtime) and then every tick, until ctx
// ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		tctx, cancel := context.WithTimeout(ctx, JobDeadline)
		res, err := s.Tick(tctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			s.log.Error("scheduler", "err", err)
		}
		if res.Advanced+res.Posts+res.Reminders > 0 {
			s.log.Info("scheduler", "deadlines", res.Advanced, "progress_posts", res.Posts, "reminders", res.Reminders)
		}
		if c := res.Cleanup; c.Rows() > 0 {
			s.log.Info("cleanup", "outbox_rows", c.Outbox, "processed_updates", c.Updates, "idle_members", c.Members)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

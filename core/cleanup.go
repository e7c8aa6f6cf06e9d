package core

import (
	"context"
	"fmt"
	"time"
)

// Retention says how long the rows that would otherwise only grow are kept.
type Retention struct {
	// SentOutbox is how long a delivered (or parked) outbox row is kept. Its once
	// key is kept for good, so nothing is announced twice after the row goes.
	SentOutbox time.Duration
	// ProcessedUpdates is how long a platform update's id is remembered, to drop a
	// second delivery of it; it must outlast the platforms' redelivery window.
	ProcessedUpdates time.Duration
	// IdleMembers is how old a web visitor's member row must be to go when nothing
	// else refers to it (see CleanupStore.PruneIdleMembers).
	IdleMembers time.Duration
}

// DefaultRetention returns the retention used when the operator sets none.
func DefaultRetention() Retention {
	return Retention{SentOutbox: 7 * 24 * time.Hour, ProcessedUpdates: 48 * time.Hour, IdleMembers: 30 * 24 * time.Hour}
}

// withDefaults fills in the durations left at zero.
func (r Retention) withDefaults() Retention {
	def := DefaultRetention()
	if r.SentOutbox <= 0 {
		r.SentOutbox = def.SentOutbox
	}
	if r.ProcessedUpdates <= 0 {
		r.ProcessedUpdates = def.ProcessedUpdates
	}
	if r.IdleMembers <= 0 {
		r.IdleMembers = def.IdleMembers
	}
	return r
}

// How the cleanup paces itself: it runs at most once every CleanupEvery over all
// replicas; each statement deletes at most CleanupBatch rows (its own short
// transaction), and one run deletes at most CleanupMaxBatches batches a table,
// leaving the rest to the next run.
const (
	CleanupEvery      = 5 * time.Minute
	CleanupBatch      = 5000
	CleanupMaxBatches = 200
)

// ChoreCleanup names the cleanup among the periodic chores.
const ChoreCleanup = "cleanup"

// CleanupStore prunes the tables that would otherwise only grow. Each prune deletes
// at most limit rows in one statement and returns how many it deleted; running one
// again, or on several replicas at once, deletes nothing twice.
type CleanupStore interface {
	// ClaimChore returns true, and makes the chore due again at now+every, when the
	// chore name is due at now; any number of callers may ask, one wins each time.
	ClaimChore(ctx context.Context, name string, now time.Time, every time.Duration) (bool, error)
	// PruneOutbox deletes outbox rows delivered before before (or parked, their last
	// try before before). A poll's card, which is still edited, stays while its
	// campaign is in progress or changed since cardsBefore. The once keys of deleted
	// rows stay spent.
	PruneOutbox(ctx context.Context, before, cardsBefore time.Time, limit int) (int, error)
	// PruneUpdates forgets platform updates recorded before before.
	PruneUpdates(ctx context.Context, before time.Time, limit int) (int, error)
	// PruneIdleMembers deletes web visitors' members made before before that no
	// other row refers to and that chose no language.
	PruneIdleMembers(ctx context.Context, before time.Time, limit int) (int, error)
}

// CleanupResult counts what one cleanup did.
type CleanupResult struct {
	Ran     bool // false when the cleanup was not due (another replica ran it)
	Outbox  int  // outbox rows deleted
	Updates int  // processed updates forgotten
	Members int  // idle members deleted
}

// Rows returns how many rows the cleanup deleted in all.
func (r CleanupResult) Rows() int { return r.Outbox + r.Updates + r.Members }

// Cleanup prunes sent outbox rows, old processed updates and idle web members, when
// the cleanup is due (at most once every CleanupEvery across replicas). It goes on
// past a failing table and returns the first error.
func (s *Service) Cleanup(ctx context.Context) (CleanupResult, error) {
	now := s.clock.Now()
	var res CleanupResult
	ok, err := s.store.ClaimChore(ctx, ChoreCleanup, now, CleanupEvery)
	if err != nil || !ok {
		return res, err
	}
	res.Ran = true
	ret := s.settings.Retention
	var first error
	keep := func(what string, err error) {
		if err != nil && first == nil {
			first = fmt.Errorf("cleanup %s: %w", what, err)
		}
	}
	cardsBefore := now.Add(-max(ret.SentOutbox, PollCardRefreshWindow))
	res.Outbox, err = pruneAll(ctx, func(ctx context.Context, before time.Time, limit int) (int, error) {
		return s.store.PruneOutbox(ctx, before, cardsBefore, limit)
	}, now.Add(-ret.SentOutbox))
	keep("outbox", err)
	res.Updates, err = pruneAll(ctx, s.store.PruneUpdates, now.Add(-ret.ProcessedUpdates))
	keep("processed updates", err)
	res.Members, err = pruneAll(ctx, s.store.PruneIdleMembers, now.Add(-ret.IdleMembers))
	keep("idle members", err)
	return res, first
}

// pruneAll runs prune batch after batch until one comes back short, for at most
// CleanupMaxBatches batches.
func pruneAll(ctx context.Context, prune func(context.Context, time.Time, int) (int, error), before time.Time) (int, error) {
	total := 0
	for range CleanupMaxBatches {
		n, err := prune(ctx, before, CleanupBatch)
		total += n
		if err != nil || n < CleanupBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
	return total, nil
}

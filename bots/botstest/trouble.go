package botstest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
)

// Trouble is a store whose member look-ups (the first thing every input needs) fail
// on demand as a database in trouble does, for tests of what members are told.
type Trouble struct {
	*storage.DB
	mode    atomic.Int32
	calls   atomic.Int64 // look-ups asked of the store
	waiting atomic.Int64 // look-ups stalled now
}

// Calls is how many member look-ups the store was asked for.
func (s *Trouble) Calls() int64 { return s.calls.Load() }

// Waiting is how many look-ups are stalled now.
func (s *Trouble) Waiting() int64 { return s.waiting.Load() }

// The ways a Trouble store fails.
const (
	Fine    int32 = iota
	Broken        // every look-up fails at once with an internal error
	Stalled       // every look-up waits until its caller's deadline
)

// Set makes the store fail in the given way from now on.
func (s *Trouble) Set(mode int32) { s.mode.Store(mode) }

// check fails as the store's mode says.
func (s *Trouble) check(ctx context.Context) error {
	s.calls.Add(1)
	switch s.mode.Load() {
	case Broken:
		return errors.New("disk on fire")
	case Stalled:
		s.waiting.Add(1)
		defer s.waiting.Add(-1)
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (s *Trouble) UpsertMember(ctx context.Context, ref core.MemberRef, now time.Time) (*core.Member, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s.DB.UpsertMember(ctx, ref, now)
}

func (s *Trouble) FindMember(ctx context.Context, ref core.MemberRef) (*core.Member, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s.DB.FindMember(ctx, ref)
}

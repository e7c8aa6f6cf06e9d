package core

import (
	"slices"
	"testing"
)

// TestLiveStates: the live states are those between draft and an end state, each
// can still be cancelled, Live agrees with the list, and a caller changing the list
// it got changes nobody else's.
func TestLiveStates(t *testing.T) {
	all := []State{StateDraft, StateOpen, StateVoting, StateClosed, StateFunded, StateFailed, StateCancelled}
	live := LiveStates()
	for _, s := range all {
		want := s != StateDraft && !s.Final()
		if s.Live() != want || slices.Contains(live, s) != want {
			t.Errorf("%s: Live() = %v, in LiveStates = %v, want %v", s, s.Live(), slices.Contains(live, s), want)
		}
		if want && !CanTransition(KindContest, s, StateCancelled) {
			t.Errorf("%s is live but cannot be cancelled", s)
		}
	}
	if len(live) != 2 {
		t.Errorf("LiveStates = %v", live)
	}
	live[0] = StateDraft
	if slices.Contains(LiveStates(), StateDraft) || !StateOpen.Live() {
		t.Error("changing the returned slice changed the live states")
	}
}

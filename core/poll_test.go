package core

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// keyStore is the part of Store that ballotSeal reads.
type keyStore struct {
	Store
	secret []byte
}

func (k keyStore) BallotSecret(context.Context) ([]byte, error) { return k.secret, nil }

func sealer(t *testing.T, configured string, stored string) *ballotSeal {
	t.Helper()
	s := NewService(keyStore{secret: []byte(stored)}, SystemClock{}, Settings{BallotKey: []byte(configured)})
	b, err := s.ballotSeal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealedBallots(t *testing.T) {
	b := sealer(t, "", "stored secret")
	tok, err := b.seal(7, 42, []int{0, 9})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := b.seal(7, 42, []int{0, 9})
	if tok == again || !strings.HasPrefix(tok, sealedPrefix) || strings.Contains(tok, "0,9") {
		t.Fatalf("tokens must be opaque and never repeat: %q %q", tok, again)
	}
	if got, err := b.open(7, 42, tok); err != nil || !slices.Equal(got, []int{0, 9}) {
		t.Fatalf("open: %v %v", got, err)
	}
	empty, _ := b.seal(7, 42, nil)
	if got, err := b.open(7, 42, empty); err != nil || len(got) != 0 || len(empty) != len(tok) {
		t.Fatalf("an empty ballot must look like any other: %q vs %q (%v)", empty, tok, err)
	}
	// a token is bound to its poll and member: copied elsewhere, it does not open
	for _, c := range []struct{ poll, member int64 }{{7, 43}, {8, 42}} {
		if _, err := b.open(c.poll, c.member, tok); ErrorCode(err) != ECONFLICT {
			t.Errorf("token opened for poll %d member %d: %v", c.poll, c.member, err)
		}
	}
	if _, err := sealer(t, "", "another secret").open(7, 42, tok); ErrorCode(err) != ECONFLICT {
		t.Errorf("token opened with another secret: %v", err)
	}
	if _, err := b.open(7, 42, "1,2"); err == nil {
		t.Error("a plain ballot opened as sealed")
	}
	// a configured key seals; the stored secret still opens older ballots
	keyed := sealer(t, "operator key", "stored secret")
	if got, err := keyed.open(7, 42, tok); err != nil || !slices.Equal(got, []int{0, 9}) {
		t.Fatalf("older ballot under a configured key: %v %v", got, err)
	}
	newer, _ := keyed.seal(7, 42, []int{3})
	if _, err := b.open(7, 42, newer); ErrorCode(err) != ECONFLICT {
		t.Errorf("a ballot sealed with the configured key opened without it: %v", err)
	}
}

func TestPollValidateAndWinners(t *testing.T) {
	p := &Poll{Question: "  Best\tday?\u202e ", Options: []PollOption{{Label: " Mon "}, {Label: "Tue"}}}
	if err := p.Validate(); err != nil || p.Question != "Best day?" || p.Options[0].Label != "Mon" || p.Multi != 1 || p.Options[1].Index != 1 {
		t.Fatalf("validate: %+v %v", p, err)
	}
	if w := p.Winners(); w != nil {
		t.Fatalf("winners without votes: %v", w)
	}
	p.Options[0].Votes, p.Options[1].Votes = 3, 3
	if w := p.Winners(); len(w) != 2 {
		t.Fatalf("a tie has two winners: %v", w)
	}
	p.Options[1].Votes = 4
	if w := p.Winners(); len(w) != 1 || w[0].Label != "Tue" {
		t.Fatalf("winner: %v", w)
	}
}

func TestShares(t *testing.T) {
	for _, c := range []struct{ in, want []int }{
		{[]int{}, []int{}},
		{[]int{0, 0, 0}, []int{0, 0, 0}},
		{[]int{1, 1, 1}, []int{34, 33, 33}},
		{[]int{2, 1}, []int{67, 33}},
		{[]int{1, 0}, []int{100, 0}},
		{[]int{1, 1, 1, 1, 1, 1, 1}, []int{15, 15, 14, 14, 14, 14, 14}},
		{[]int{199, 1}, []int{99, 1}},
		{[]int{995, 5}, []int{99, 1}},
		{[]int{1, 2, 3, 4}, []int{10, 20, 30, 40}},
		{[]int{3, 3, 1}, []int{43, 43, 14}},
	} {
		got := Shares(c.in)
		if !slices.Equal(got, c.want) {
			t.Errorf("Shares(%v) = %v, want %v", c.in, got, c.want)
		}
		sum := 0
		for _, s := range got {
			sum += s
		}
		if len(c.in) > 0 && c.in[0]+c.in[len(c.in)-1] > 0 && sum != 100 {
			t.Errorf("Shares(%v) sum to %d", c.in, sum)
		}
	}
}

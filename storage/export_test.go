package storage

import "context"

// SetCodeGenerator replaces the campaign code generator, to force collisions.
func (db *DB) SetCodeGenerator(f func() string) { db.newCode = f }

// FirstVote is one vote of a batch of first votes.
type FirstVote = firstVote

// FirstVotes runs one batch of first votes as the vote batcher does.
func (db *DB) FirstVotes(ctx context.Context, votes []FirstVote) ([]firstVoteResult, error) {
	return db.firstVotes(ctx, votes)
}

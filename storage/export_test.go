package storage

import (
	"context"
	"database/sql/driver"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/jackc/pgx/v5"

	"crowdbot/core"
)

// SetCodeGenerator replaces the campaign code generator, to force collisions.
func (db *DB) SetCodeGenerator(f func() string) { db.newCode = f }

// FirstVote is one vote of a batch of first votes.
type FirstVote = firstVote

// FirstVotes runs one batch of first votes as the vote batcher does.
func (db *DB) FirstVotes(ctx context.Context, votes []FirstVote) ([]firstVoteResult, error) {
	return db.firstVotes(ctx, votes)
}

// LoseVoteAnswers makes every batch of first votes commit and then fail, as when
// the connection drops between the commit and its answer, until restore is called.
func (db *DB) LoseVoteAnswers() (restore func()) {
	votes := db.votes
	db.votes = newBatcher(voteFlushes, voteBatch, func(ctx context.Context, batch []firstVote) ([]firstVoteResult, error) {
		if _, err := db.firstVotes(ctx, batch); err != nil {
			return nil, err
		}
		return nil, driver.ErrBadConn
	})
	return func() { db.votes = votes }
}

// MemberRefs lists the columns that keep a member from being pruned, as table.column.
func MemberRefs() []string {
	out := []string{"prompts.member_id"}
	for _, r := range memberRefs {
		out = append(out, r.table+"."+r.column)
	}
	return out
}

// QueryStrings runs a query of one text column, for tests that read the schema.
func (db *DB) QueryStrings(ctx context.Context, sql string, args ...any) ([]string, error) {
	var out []string
	err := db.read(ctx).Raw(sql, args...).Scan(&out).Error
	return out, err
}

// MigrateTo runs the migrations up to and including id, for tests of a later
// migration on the data an earlier schema held.
func (db *DB) MigrateTo(ctx context.Context, id string) error {
	m := gormigrate.New(db.gorm.WithContext(ctx), &gormigrate.Options{TableName: "migrations", IDColumnName: "id",
		IDColumnSize: 255, UseTransaction: true}, migrations())
	return m.MigrateTo(id)
}

// ForgetMembers empties the cache of members, as a restart does.
func (db *DB) ForgetMembers() { db.members.clear() }

// RunPipeline runs sends of statements as one pipelined transaction (see
// pipelined): BEGIN goes with the first send, and COMMIT with the last when commit.
func (db *DB) RunPipeline(ctx context.Context, sends [][]string, commit bool) error {
	return db.pipelined(ctx, func(p *pipeline) error {
		for i, stmts := range sends {
			b := &pgx.Batch{}
			if i == 0 {
				b = begin()
			}
			for _, s := range stmts {
				b.Queue(s)
			}
			if commit && i == len(sends)-1 {
				b = commitBatch(b)
			}
			if err := p.send(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// ProbeNotices runs one batch of notice probes (Postgres), each a member of a
// platform, as the probes of members writing at the same moment are run.
func (db *DB) ProbeNotices(ctx context.Context, platforms []core.Platform, members []int64) ([]bool, error) {
	ps := make([]noticeProbe, len(members))
	for i, m := range members {
		ps[i] = noticeProbe{Platform: string(platforms[i]), MemberID: m}
	}
	return db.probeNotices(ctx, ps)
}

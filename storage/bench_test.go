package storage_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// benchDB is Postgres with the server's durability settings when
// CROWDBOT_TEST_POSTGRES is set (the figure docs/BENCHMARKS.md compares with pgbench),
// else SQLite.
func benchDB(b *testing.B) *storage.DB {
	if storagetest.PostgresDSN() != "" {
		return storagetest.PostgresDurable(b)
	}
	return storagetest.SQLite(b)
}

// BenchmarkIdeaVote measures vote ingestion at the store: every operation is one
// member's up-vote on one idea, in a transaction of its own, acknowledged before the
// next (the count, the vote row and the author's points move together).
func BenchmarkIdeaVote(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	_, ideas := ideasFixture(b, db, 100)
	const members = 10000
	ids := make([]*core.Member, members)
	for i := range ids {
		m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(900000 + i)}, t0)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = m
	}
	var next atomic.Int64
	b.SetParallelism(8) // 16 clients on 2 cores, as the pgbench baseline
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			// votes spread over the ideas as a crowd's do; (member, idea) pairs never
			// repeat, so every operation inserts a vote
			member, idea := ids[(i/int64(len(ideas)))%members], ideas[i%int64(len(ideas))]
			if _, _, err := db.ToggleIdeaVote(ctx, idea, member, t0, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
}

package bots_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	. "crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage/storagetest"
)

// BenchmarkVoteThroughRouter measures vote ingestion as the bot does it: a platform
// button press (with its update id, recorded once) goes through the Router, which
// identifies the member, records the vote and renders the translated answer. Each
// vote is acknowledged before that client sends the next. On Postgres (when
// CROWDBOT_TEST_POSTGRES is set) the database keeps the server's durability
// settings, as the pgbench baseline in docs/BENCHMARKS.md does.
func BenchmarkVoteThroughRouter(b *testing.B) {
	var h *Harness
	if storagetest.PostgresDSN() != "" {
		h = On(b, storagetest.PostgresDurable(b))
	} else {
		h = New(b)
	}
	ctx := context.Background()
	code := Code(b, h.Expect(h.Say(Admin, `/campaign new ideas "Bench"`), "campaign.created"))
	const ideas, members = 100, 10000
	ideaIDs := make([]int64, ideas)
	for i := range ideaIDs {
		author := Bob
		author.ID = fmt.Sprint(700000 + i)
		ideaIDs[i] = h.Expect(h.Say(author, fmt.Sprintf("/idea %s idea %d", code, i)), "idea.added").Args["id"].(int64)
	}
	// members are known to the bot already, as in a community that votes
	for i := range members {
		if _, err := h.Store.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(800000 + i), Name: "m"}, Start); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			w := Carol
			w.ID = fmt.Sprint(800000 + (i/ideas)%members)
			in := h.Input(w)
			in.Member.Name = "m"
			in.Action = fmt.Sprintf("iv:%d", ideaIDs[i%ideas])
			rs := h.Router.Handle(ctx, in)
			if len(rs) != 1 || rs[0].Key != "idea.voted" {
				b.Errorf("vote %d: %v", i, rs)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
}

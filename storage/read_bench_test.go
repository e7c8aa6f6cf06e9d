package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// series is a FROM item of the integers 1..n as column n, built in the database:
// generate_series on Postgres, a recursive CTE on SQLite.
func series(db *storage.DB) string {
	if db.Dialect() == storage.Postgres {
		return "generate_series(1, ?::bigint) AS g(n)"
	}
	return "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?) SELECT n FROM s) AS g"
}

// readFixture is a campaign of each kind with a million votes, filled in set-based
// statements: members, their votes, and what the votes moved (counts, points).
type readFixture struct {
	ideas            *core.Campaign
	idea             int64 // the idea with half the votes
	viral, voter     int64 // the author of the idea with half the votes; one voter
	single, multi    *core.Campaign
	referrers, votes int
}

// fillReads makes the fixture: votes voters (members of their own), an ideas
// campaign of 1,000 ideas by 1,000 authors where one idea has half the votes and the
// others share the rest, each vote credited to its idea's author as the vote path
// does; referrers members who each brought in a hundredth of the voters, credited; a
// single-choice poll of four options and a multi-choice one (up to 2 of 4) where
// every voter cast a ballot.
func fillReads(b *testing.B, db *storage.DB, votes, referrers int) readFixture {
	b.Helper()
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		b.Helper()
		if err := db.Exec(ctx, sql, args...); err != nil {
			b.Fatalf("%v\n%s", err, sql)
		}
	}
	c, ideas := ideasFixture(b, db, 1000)
	f := readFixture{ideas: c, idea: ideas[0], referrers: referrers, votes: votes}
	exec(`INSERT INTO members (platform, external_id, name, locale, created_at)
		SELECT 'telegram', 'voter' || n, 'Voter ' || n, 'en', ? FROM `+series(db), t0, votes)
	first, err := db.QueryInt(ctx, "SELECT MIN(id) FROM members WHERE platform = 'telegram' AND external_id LIKE 'voter%'")
	if err != nil {
		b.Fatal(err)
	}
	f.voter = first + int64(votes) - 1
	// voter k votes for the viral idea (the first) when k is even, else for one of
	// the 999 others
	exec(`INSERT INTO idea_votes (idea_id, member_id, created_at)
		SELECT CASE WHEN n % 2 = 0 THEN ? ELSE ? + 1 + n % 999 END, ? + n - 1, ? FROM `+series(db),
		ideas[0], ideas[0], first, t0, votes)
	if ideas[len(ideas)-1] != ideas[0]+int64(len(ideas))-1 {
		b.Fatal("the fixture's ideas do not have consecutive ids")
	}
	exec(`UPDATE ideas SET votes = (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = ideas.id) WHERE campaign_id = ?`, c.ID)
	exec(`INSERT INTO points (campaign_id, member_id, action, amount, created_at)
		SELECT i.campaign_id, i.author_id, ?, 1, ? FROM idea_votes v JOIN ideas i ON i.id = v.idea_id WHERE i.campaign_id = ?`,
		core.PointsVoteReceived, t0, c.ID)
	viral, err := db.QueryInt(ctx, "SELECT author_id FROM ideas WHERE id = ?", ideas[0])
	if err != nil {
		b.Fatal(err)
	}
	f.viral = viral
	// the first referrers voters brought in every voter past them, in turn
	exec(`INSERT INTO referrals (campaign_id, member_id, referrer_id, via, points, created_at, credited_at)
		SELECT ?, ? + n - 1, ? + n % ?, 'link', 3, ?, ? FROM `+series(db)+` WHERE n > ?`,
		c.ID, first, first, referrers, t0, t0, votes, referrers)
	exec(`INSERT INTO points (campaign_id, member_id, action, amount, created_at)
		SELECT campaign_id, referrer_id, ?, points, created_at FROM referrals WHERE campaign_id = ?`, core.PointsReferral, c.ID)
	// the standings those rows make, as the votes and credits that write them keep them
	exec(`DELETE FROM standings WHERE campaign_id = ?`, c.ID)
	exec(`INSERT INTO standings (campaign_id, member_id, points, referrals)
		SELECT campaign_id, member_id, SUM(points), SUM(referrals) FROM (
			SELECT campaign_id, member_id, amount AS points, 0 AS referrals FROM points WHERE campaign_id = ?
			UNION ALL SELECT campaign_id, referrer_id, 0, 1 FROM referrals WHERE campaign_id = ? AND credited_at IS NOT NULL
		) g GROUP BY campaign_id, member_id`, c.ID, c.ID)

	svc, admin := pollService(b, db, core.DefaultSettings())
	for _, multi := range []int{0, 2} {
		p, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Best day?", Options: []string{"Mon", "Tue", "Wed", "Thu"}, Multi: multi})
		if err != nil {
			b.Fatal(err)
		}
		choices := "CAST(n % 4 AS TEXT)"
		if multi > 1 {
			// every other voter picks two options
			choices = "CASE WHEN n % 2 = 0 THEN CAST(n % 4 AS TEXT) ELSE CAST(n % 4 AS TEXT) || ',' || CAST((n + 1) % 4 AS TEXT) END"
		}
		exec(`INSERT INTO poll_voters (campaign_id, member_id, choices, voted, created_at, updated_at)
			SELECT ?, ? + n - 1, `+choices+`, ?, ?, ? FROM `+series(db), p.ID, first, true, t0, t0, votes)
		exec(`UPDATE poll_options SET votes = (SELECT COUNT(*) FROM poll_voters v WHERE v.campaign_id = poll_options.campaign_id
			AND (v.choices = CAST(poll_options.idx AS TEXT) OR v.choices LIKE CAST(poll_options.idx AS TEXT) || ',%'
				OR v.choices LIKE '%,' || CAST(poll_options.idx AS TEXT))) WHERE campaign_id = ?`, p.ID)
		// the ballot count those rows make, as the ballots that write them keep it
		exec(`INSERT INTO poll_ballot_counts (campaign_id, shard, ballots)
			SELECT campaign_id, member_id % 16, COUNT(*) FROM poll_voters WHERE campaign_id = ? AND voted GROUP BY campaign_id, member_id % 16`, p.ID)
		if multi > 1 {
			f.multi = p
		} else {
			f.single = p
		}
	}
	if db.Dialect() == storage.Postgres {
		exec("VACUUM ANALYZE members, ideas, idea_votes, points, referrals, standings, poll_voters, poll_options, poll_ballot_counts")
	} else {
		exec("ANALYZE")
	}
	return f
}

// BenchmarkReadsAtScale times the reads a card or a leaderboard makes on campaigns
// with a million votes each (see fillReads): the ideas board's top page and totals
// (what the progress card reads), a poll's tally (single and multi-choice), and the
// leaderboard's top points, top referrers and one member's standing (the author of
// the viral idea, who holds half the points rows, and a voter). Each read reports the
// median and the 99th percentile of its own times.
func BenchmarkReadsAtScale(b *testing.B) {
	ctx := context.Background()
	var db, filler *storage.DB
	if storagetest.PostgresDSN() != "" {
		// the fill's statements run longer than a request's deadline: they have a
		// connection of their own, with none; the reads keep the bot's
		dsn := storagetest.PostgresSchemaDSN(b)
		var err error
		if filler, err = storage.Open(ctx, dsn+"&statement_timeout=0"); err != nil {
			b.Fatal(err)
		}
		defer filler.Close()
		if err := filler.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if db, err = storage.Open(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
	} else {
		db = storagetest.SQLite(b)
		filler = db
	}
	began := time.Now()
	f := fillReads(b, filler, 1_000_000, 1_000)
	b.Logf("filled in %v", time.Since(began).Round(time.Millisecond))
	check := func(ok bool, format string, args ...any) {
		b.Helper()
		if !ok {
			b.Fatalf(format, args...)
		}
	}
	reads := []struct {
		name string
		read func() error
	}{
		// the baseline: one row by its primary key, what the target (one row read)
		// means; every read's median is given against it
		{"one-row", func() error {
			idea, err := db.Idea(ctx, f.idea)
			check(err != nil || idea.Votes == f.votes/2, "idea %+v", idea)
			return err
		}},
		{"ideas-top-page", func() error {
			page, err := db.Ideas(ctx, f.ideas.ID, core.IdeaQuery{Sort: core.IdeasTop, Page: 1, PerPage: 5})
			if err == nil {
				check(page.Total == 1000 && len(page.Ideas) == 5 && page.Ideas[0].Votes == f.votes/2, "top page %+v", page)
			}
			return err
		}},
		{"ideas-totals", func() error {
			ideas, votes, err := db.IdeaTotals(ctx, f.ideas.ID)
			check(err != nil || ideas == 1000 && votes == f.votes, "totals %d %d", ideas, votes)
			return err
		}},
		{"poll-tally-single", func() error {
			p, err := db.Poll(ctx, f.single.ID)
			check(err != nil || p.Ballots == f.votes && p.Options[0].Votes == f.votes/4, "poll %+v", p)
			return err
		}},
		{"poll-tally-multi", func() error {
			p, err := db.Poll(ctx, f.multi.ID)
			check(err != nil || p.Ballots == f.votes, "poll %+v", p)
			return err
		}},
		{"top-points", func() error {
			top, err := db.TopPoints(ctx, f.ideas.ID, core.LeaderboardSize)
			check(err != nil || len(top) == core.LeaderboardSize && top[0].MemberID == f.viral, "top points %+v", top)
			return err
		}},
		{"top-referrers", func() error {
			top, err := db.TopReferrers(ctx, f.ideas.ID, core.LeaderboardSize)
			check(err != nil || len(top) == core.LeaderboardSize, "top referrers %+v", top)
			return err
		}},
		{"standing-viral-author", func() error {
			s, err := db.MemberStanding(ctx, f.ideas.ID, f.viral)
			check(err != nil || s.Points >= f.votes/2, "standing %+v", s)
			return err
		}},
		{"standing-voter", func() error {
			_, err := db.MemberStanding(ctx, f.ideas.ID, f.voter)
			return err
		}},
	}
	var baseline float64
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				if err := r.read(); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			at := func(q float64) float64 {
				return float64(times[min(len(times)-1, int(q*float64(len(times))))].Nanoseconds()) / 1e6
			}
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			if baseline == 0 {
				baseline = at(0.50)
			}
			b.ReportMetric(at(0.50)/baseline, "p50/one-row")
		})
	}
}

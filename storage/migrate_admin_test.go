package storage_test

import (
	"context"
	"fmt"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestAdminMigrationsKeepOldData runs the numbering and code migrations over data an
// older schema holds: ideas and expenses are numbered in the order they came within
// each campaign, new ones continue from there, and of two old codes that differ only
// in case each is still found by its own spelling.
func TestAdminMigrationsKeepOldData(t *testing.T) {
	eachOldSchema(t, "0070_bounded_tables", func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var err error
		sp, m := fixture(t, db)
		for _, code := range []string{"aBc23", "AbC23", "zzz99"} {
			if err := db.Exec(ctx, `INSERT INTO campaigns (code, kind, title, description, space_id, state, opens_at, time_zone, schedule, created_by, created_at, updated_at)
VALUES (?, 'ideas', 'Old', '', ?, 'open', ?, '', '', ?, ?, ?)`, code, sp.ID, t0, m.ID, t0, t0); err != nil {
				t.Fatal(err)
			}
		}
		ids := map[string]int64{}
		for _, code := range []string{"aBc23", "AbC23", "zzz99"} {
			if ids[code], err = db.QueryInt(ctx, "SELECT id FROM campaigns WHERE code = ?", code); err != nil {
				t.Fatal(err)
			}
		}
		// ideas of two campaigns, interleaved
		for i, code := range []string{"aBc23", "zzz99", "aBc23", "zzz99", "aBc23"} {
			if err := db.Exec(ctx, `INSERT INTO ideas (campaign_id, author_id, text, text_key, status, tags, hidden, votes, created_at)
VALUES (?, ?, 'x', ?, 'open', ',', false, 0, ?)`, ids[code], m.ID, string(rune('a'+i)), t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for code, want := range map[string]int64{"aBc23": 3, "zzz99": 2} {
			for n := int64(1); n <= want; n++ {
				if _, err := db.IdeaByNumber(ctx, ids[code], n); err != nil {
					t.Fatalf("%s idea #%d: %v", code, n, err)
				}
			}
		}
		idea, _, err := db.AddIdea(ctx, &core.Idea{CampaignID: ids["aBc23"], AuthorID: m.ID, Text: "new", Status: core.IdeaOpen, CreatedAt: t0}, "new", 0, nil)
		if err != nil || idea.Number != 4 {
			t.Fatalf("a new idea after the migration: %+v, %v", idea, err)
		}
		for typed, want := range map[string]string{"aBc23": "aBc23", "AbC23": "AbC23", "abc23": "aBc23", "ZZZ99": "zzz99"} {
			c, err := db.CampaignByCode(ctx, typed)
			if err != nil || c.Code != want {
				t.Fatalf("%s: %+v, %v; want %s", typed, c, err, want)
			}
		}
	})
}

// TestKeptTotalsMigrationsSumOldData: the standings migration sums the points and
// credited referrals an older schema holds, and the leaderboard reads them; the
// ballot count migration counts the ballots held.
func TestKeptTotalsMigrationsSumOldData(t *testing.T) {
	eachOldSchema(t, "0095_space_moves", func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var err error
		sp, ada := fixture(t, db)
		bob, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "43", Name: "Bob"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(ctx, `INSERT INTO campaigns (code, kind, title, description, space_id, state, opens_at, time_zone, schedule, created_by, created_at, updated_at)
VALUES ('old42', 'ideas', 'Old', '', ?, 'open', ?, '', '', ?, ?, ?)`, sp.ID, t0, ada.ID, t0, t0); err != nil {
			t.Fatal(err)
		}
		c, err := db.QueryInt(ctx, "SELECT id FROM campaigns WHERE code = 'old42'")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			member int64
			amount int
		}{{ada.ID, 5}, {ada.ID, 1}, {bob.ID, 3}, {ada.ID, -1}, {bob.ID, 4}} {
			if err := db.Exec(ctx, "INSERT INTO points (campaign_id, member_id, action, amount, created_at) VALUES (?, ?, 'vote_received', ?, ?)", c, p.member, p.amount, t0); err != nil {
				t.Fatal(err)
			}
		}
		// Ada brought Bob in, and was credited
		if err := db.Exec(ctx, "INSERT INTO referrals (campaign_id, member_id, referrer_id, via, points, created_at, credited_at) VALUES (?, ?, ?, 'link', 0, ?, ?)", c, bob.ID, ada.ID, t0, t0); err != nil {
			t.Fatal(err)
		}
		// two ballots held, one taken back
		for i, voted := range []bool{true, true, false} {
			m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(50 + i)}, t0)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(ctx, "INSERT INTO poll_voters (campaign_id, member_id, choices, voted, created_at, updated_at) VALUES (?, ?, '0', ?, ?, ?)", c, m.ID, voted, t0, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		checkStandings(t, db)
		if n, err := db.QueryInt(ctx, "SELECT SUM(ballots) FROM poll_ballot_counts WHERE campaign_id = ?", c); n != 2 || err != nil {
			t.Errorf("ballot count after the migration: %d (%v), want 2", n, err)
		}
		top, err := db.TopPoints(ctx, c, 10)
		if err != nil || len(top) != 2 || top[0].MemberID != bob.ID || top[0].Points != 7 || top[1].Points != 5 {
			t.Fatalf("top points after the migration: %+v, %v", top, err)
		}
		if s, err := db.MemberStanding(ctx, c, ada.ID); err != nil || s.Points != 5 || s.Referrals != 1 {
			t.Fatalf("Ada's standing: %+v, %v", s, err)
		}
	})
}

// eachOldSchema runs fn on a database of each kind migrated up to the migration id
// only, as an older crowdbot left it; fn then writes old rows and migrates the rest.
func eachOldSchema(t *testing.T, id string, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	dsns := map[string]func(testing.TB) string{"sqlite": storagetest.SQLiteDSN}
	if storagetest.PostgresDSN() != "" {
		dsns["postgres"] = storagetest.PostgresSchemaDSN
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := storage.Open(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if err := db.MigrateTo(ctx, id); err != nil {
				t.Fatal(err)
			}
			fn(t, db)
		})
	}
}

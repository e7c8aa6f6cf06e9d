package storage_test

import (
	"context"
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
			if err := db.MigrateTo(ctx, "0070_bounded_tables"); err != nil {
				t.Fatal(err)
			}
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
			idea, _, err := db.AddIdea(ctx, &core.Idea{CampaignID: ids["aBc23"], AuthorID: m.ID, Text: "new", Status: core.IdeaOpen, CreatedAt: t0}, "new", 0)
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
}

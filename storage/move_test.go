package storage_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// A group upgraded to a supergroup takes its space, its links and its unsent posts
// to the new chat id, once however often the move is reported.
func TestMoveSpace(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		const from, to = "-4001", "-1004001"
		sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: from, Title: "Fans", Locale: "it"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		_, m := fixture(t, db)
		c := newIdeas(sp, m, nil)
		if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: sp.ID, ChannelID: from, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		// a post sent before the move, then one waiting
		if err := db.Enqueue(ctx, t0, core.CampaignAnnouncement(c, "announce.first")); err != nil {
			t.Fatal(err)
		}
		items, err := db.ClaimOutbox(ctx, core.Telegram, t0, 0, time.Minute, "tok", 10)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim = %+v, %v", items, err)
		}
		if ok, err := db.MarkSent(ctx, items[0].ID, "tok", "55", t0); !ok || err != nil {
			t.Fatalf("mark sent: %v %v", ok, err)
		}
		if err := db.Enqueue(ctx, t0, core.CampaignAnnouncement(c, "announce.second")); err != nil {
			t.Fatal(err)
		}

		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				moved, err := db.MoveSpace(ctx, core.Telegram, from, to, t0)
				if err != nil {
					t.Error(err)
				}
				if moved {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d calls made the move, want 1", wins.Load())
		}
		got, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: to, Title: "Fans"}, t0)
		if err != nil || got.ID != sp.ID || got.Locale != "it" || got.Retired {
			t.Fatalf("the new chat's space = %+v, %v; want the old one, %d", got, err, sp.ID)
		}
		links, _ := db.ChannelLinks(ctx, c.ID)
		if len(links) != 1 || links[0].ChannelID != to {
			t.Fatalf("links = %+v", links)
		}
		pending, _ := db.Outbox(ctx, core.OutboxPending, 10)
		if len(pending) != 1 || pending[0].ChannelID != to || pending[0].Announcement.Key != "announce.second" {
			t.Fatalf("pending = %+v", pending)
		}
		sent, _ := db.Outbox(ctx, core.OutboxSent, 10)
		if len(sent) != 1 || sent[0].ChannelID != from {
			t.Fatalf("sent = %+v: a sent post stays where it was", sent)
		}
		// reported again, by the other chat: nothing more happens
		if moved, err := db.MoveSpace(ctx, core.Telegram, from, to, t0.Add(time.Minute)); moved || err != nil {
			t.Fatalf("second report moved=%v err=%v", moved, err)
		}
	})
}

// When the new chat was seen before the move was reported, the old space's campaigns
// and links join the new chat's space.
func TestMoveSpaceIntoKnownChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		const from, to = "-4002", "-1004002"
		old, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: from, Title: "Fans", Locale: "fr"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		dest, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: to, Title: "Fans"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		_, m := fixture(t, db)
		c := newIdeas(old, m, nil)
		if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: old.ID, ChannelID: from, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		// linked to both chats already
		if _, err := db.LinkChannel(ctx, core.ChannelLink{CampaignID: c.ID, Platform: core.Telegram, SpaceID: dest.ID, ChannelID: to, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if moved, err := db.MoveSpace(ctx, core.Telegram, from, to, t0); !moved || err != nil {
			t.Fatalf("moved=%v err=%v", moved, err)
		}
		got, _ := db.Campaign(ctx, c.ID)
		if got.SpaceID != dest.ID {
			t.Fatalf("campaign space %d, want %d", got.SpaceID, dest.ID)
		}
		links, _ := db.ChannelLinks(ctx, c.ID)
		n := 0
		for _, l := range links {
			if l.ChannelID == from {
				t.Fatalf("a link to the old chat is left: %+v", links)
			}
			if l.ChannelID == to {
				n++
				if l.SpaceID != dest.ID {
					t.Fatalf("link space %d, want %d", l.SpaceID, dest.ID)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%d links to the new chat: %+v", n, links)
		}
		sp, _ := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: to}, t0)
		if sp.ID != dest.ID || sp.Locale != "fr" {
			t.Fatalf("new chat's space = %+v: it takes the old one's language", sp)
		}
		list, _ := db.Campaigns(ctx, core.CampaignFilter{SpaceID: old.ID})
		if len(list) != 0 {
			t.Fatalf("campaigns left in the old space: %+v", list)
		}
	})
}

// A member speaking in the new chat while the move is being made creates its space
// under the move's feet (Postgres, where the two transactions really overlap): the
// move is made again, into that space.
func TestMoveSpaceRacesTheNewChat(t *testing.T) {
	if storagetest.PostgresDSN() == "" {
		t.Skip(storagetest.PostgresEnv + " is not set")
	}
	ctx := context.Background()
	dsn := storagetest.PostgresSchemaDSN(t)
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	const from, to = "-4003", "-1004003"
	old, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: from, Title: "Fans"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, m := fixture(t, db)
	c := newIdeas(old, m, nil)
	if err := db.CreateCampaign(ctx, c, &core.ChannelLink{Platform: core.Telegram, SpaceID: old.ID, ChannelID: from, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	// the new chat's space, not committed yet
	other, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.ExecContext(ctx, "INSERT INTO spaces (platform, external_id, title, locale, time_zone, retired, created_at) VALUES ('telegram', $1, 'Fans', '', '', false, $2)", to, t0); err != nil {
		t.Fatal(err)
	}
	type result struct {
		moved bool
		err   error
	}
	done := make(chan result, 1)
	go func() {
		moved, err := db.MoveSpace(ctx, core.Telegram, from, to, t0)
		done <- result{moved, err}
	}()
	// the move waits on the uncommitted space's key
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE "spaces" SET "external_id"%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the move never waited on the new chat's space")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !r.moved || r.err != nil {
		t.Fatalf("moved=%v err=%v", r.moved, r.err)
	}
	dest, _ := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: to}, t0)
	got, _ := db.Campaign(ctx, c.ID)
	if dest.ID == old.ID || got.SpaceID != dest.ID {
		t.Fatalf("campaign in space %d; the new chat's is %d, the old %d", got.SpaceID, dest.ID, old.ID)
	}
	if links, _ := db.ChannelLinks(ctx, c.ID); len(links) != 1 || links[0].ChannelID != to || links[0].SpaceID != dest.ID {
		t.Fatalf("links %+v", links)
	}
}

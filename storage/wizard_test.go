package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestWizardOnePerMemberAndSpace: many set-ups started at once by one member in one
// space leave exactly one; a save at a version read before another save is refused;
// of many ends of one version exactly one ends it; an expired one is not found.
func TestWizardOnePerMemberAndSpace(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		start := func() (*core.Wizard, error) {
			w := &core.Wizard{MemberID: m.ID, SpaceID: sp.ID, Channel: "-100123", Step: "kind",
				Answers: map[string]string{}, ExpiresAt: t0.Add(time.Hour), UpdatedAt: t0}
			return w, db.StartWizard(ctx, w)
		}
		const n = 12
		var wg sync.WaitGroup
		var started atomic.Int64
		for range n {
			wg.Go(func() {
				if _, err := start(); err == nil {
					started.Add(1)
				} else if core.ErrorCode(err) != core.ECONFLICT {
					t.Errorf("start: %v", err)
				}
			})
		}
		wg.Wait()
		if left, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM wizards"); err != nil || left != 1 || started.Load() == 0 {
			t.Fatalf("%d set-ups left after %d starts (%v)", left, started.Load(), err)
		}

		w, err := db.Wizard(ctx, m.ID, sp.ID, t0)
		if err != nil || w == nil || w.Version != 1 || w.Step != "kind" {
			t.Fatalf("read %+v, %v", w, err)
		}
		stale := *w
		w.Kind, w.Step, w.Answers = core.KindPoll, "question", map[string]string{"x": "y"}
		if err := db.SaveWizard(ctx, w, t0); err != nil || w.Version != 2 {
			t.Fatalf("save: %v, version %d", err, w.Version)
		}
		if err := db.SaveWizard(ctx, &stale, t0); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("a save at an old version: %v", err)
		}
		got, err := db.Wizard(ctx, m.ID, sp.ID, t0)
		if err != nil || got.Kind != core.KindPoll || got.Answers["x"] != "y" || got.Version != 2 {
			t.Fatalf("read back %+v, %v", got, err)
		}
		if err := db.SaveWizard(ctx, w, t0.Add(2*time.Hour)); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("a save after the expiry: %v", err)
		}
		if gone, err := db.Wizard(ctx, m.ID, sp.ID, t0.Add(time.Hour)); err != nil || gone != nil {
			t.Fatalf("expired set-up read as %+v, %v", gone, err)
		}

		if ok, err := db.EndWizard(ctx, w.ID, 1); err != nil || ok {
			t.Fatalf("an end at an old version: %v %v", ok, err)
		}
		var ended atomic.Int64
		for range n {
			wg.Go(func() {
				ok, err := db.EndWizard(ctx, w.ID, w.Version)
				if err != nil {
					t.Errorf("end: %v", err)
				}
				if ok {
					ended.Add(1)
				}
			})
		}
		wg.Wait()
		if ended.Load() != 1 {
			t.Fatalf("%d of %d ends went on, want 1", ended.Load(), n)
		}
	})
}

package storage_test

import (
	"context"
	"fmt"
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

// TestWizardBind: a set-up is taken to a private chat only with its token, before
// it expires, and by its own member; one open to any admin is taken by exactly one of
// many at once, and is theirs from then on; a private chat answers one set-up of
// its member at a time (the latest taken there).
func TestWizardBind(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		other, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: "-100999", Title: "Others"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		start := func(memberID, spaceID int64, token string, anyAdmin bool) *core.Wizard {
			t.Helper()
			w := &core.Wizard{MemberID: memberID, SpaceID: spaceID, Channel: "-100123", Step: "kind", Answers: map[string]string{},
				ExpiresAt: t0.Add(time.Hour), UpdatedAt: t0, Token: token, AnyAdmin: anyAdmin}
			if err := db.StartWizard(ctx, w); err != nil {
				t.Fatal(err)
			}
			return w
		}
		stranger, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "666", Name: "Mallory"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		w := start(m.ID, sp.ID, "tok-1", false)
		for _, c := range []struct {
			name   string
			token  string
			member int64
			at     time.Time
		}{
			{"a wrong token", "tok-2", m.ID, t0},
			{"a stranger", "tok-1", stranger.ID, t0},
			{"too late", "tok-1", m.ID, t0.Add(time.Hour)},
		} {
			if ok, err := db.BindWizard(ctx, w.ID, c.token, c.member, "42", c.at); err != nil || ok {
				t.Fatalf("%s: bound %v, %v", c.name, ok, err)
			}
		}
		if got, err := db.WizardIn(ctx, stranger.ID, "42", t0); err != nil || got != nil {
			t.Fatalf("the stranger answers %+v, %v", got, err)
		}
		if ok, err := db.BindWizard(ctx, w.ID, "tok-1", m.ID, "42", t0); err != nil || !ok {
			t.Fatalf("bind: %v, %v", ok, err)
		}
		got, err := db.WizardIn(ctx, m.ID, "42", t0)
		if err != nil || got == nil || got.ID != w.ID || got.AnswerIn != "42" || got.Space == nil || got.Space.ExternalID != "-100123" {
			t.Fatalf("answered in the private chat: %+v, %v", got, err)
		}

		// a second set-up taken to the same private chat takes it over
		w2 := start(m.ID, other.ID, "tok-3", false)
		if ok, err := db.BindWizard(ctx, w2.ID, "tok-3", m.ID, "42", t0); err != nil || !ok {
			t.Fatalf("bind the second: %v, %v", ok, err)
		}
		if got, err := db.WizardIn(ctx, m.ID, "42", t0); err != nil || got == nil || got.ID != w2.ID {
			t.Fatalf("the private chat answers %+v, %v", got, err)
		}
		if n, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM wizards WHERE answer_in IS NOT NULL"); err != nil || n != 1 {
			t.Fatalf("%d set-ups answered in a private chat (%v)", n, err)
		}

		// a channel's own set-up: one admin of many takes it
		ch, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "-100999", Name: "Others"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		open := start(ch.ID, other.ID, "tok-4", true)
		const n = 10
		admins := make([]int64, n)
		for i := range admins {
			a, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: fmt.Sprint(7000 + i), Name: "Admin"}, t0)
			if err != nil {
				t.Fatal(err)
			}
			admins[i] = a.ID
		}
		var wg sync.WaitGroup
		var bound atomic.Int64
		for i := range n {
			wg.Go(func() {
				ok, err := db.BindWizard(ctx, open.ID, "tok-4", admins[i], fmt.Sprint(7000+i), t0)
				if err != nil && core.ErrorCode(err) != core.ECONFLICT {
					t.Errorf("bind: %v", err)
				}
				if ok {
					bound.Add(1)
				}
			})
		}
		wg.Wait()
		taken, err := db.WizardByID(ctx, open.ID, t0)
		if err != nil || taken == nil || bound.Load() != 1 || taken.AnyAdmin || taken.MemberID == ch.ID {
			t.Fatalf("%d admins took it: %+v, %v", bound.Load(), taken, err)
		}
		if got, err := db.WizardIn(ctx, taken.MemberID, taken.AnswerIn, t0); err != nil || got == nil || got.ID != open.ID {
			t.Fatalf("the admin who took it answers %+v, %v", got, err)
		}
	})
}

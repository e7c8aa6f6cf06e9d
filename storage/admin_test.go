package storage_test

import (
	"context"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestAdminSessions keeps an admin login, ends it at logout on every handle on the
// database, and forgets the logins that have expired when the next one starts.
func TestAdminSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := core.NewFakeClock(t0)
		svc := core.NewService(db, clock, core.DefaultSettings())
		// another replica: its own service over the same database
		other := core.NewService(db, clock, core.DefaultSettings())

		a, err := svc.StartAdminSession(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		b, err := svc.StartAdminSession(ctx, 3*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID || len(a.ID) != 32 {
			t.Fatalf("ids %q %q", a.ID, b.ID)
		}
		active := func(s *core.Service, id string) bool {
			t.Helper()
			ok, err := s.AdminSessionActive(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !active(svc, a.ID) || !active(other, a.ID) || !active(other, b.ID) {
			t.Fatal("new sessions do not hold")
		}
		for _, id := range []string{"", "nope", "00000000000000000000000000000000", a.ID[:31] + "g", a.ID + "0"} {
			if active(svc, id) {
				t.Errorf("unknown id %q holds", id)
			}
		}

		// logging out on one replica ends the session on the other; twice is no error
		if err := other.EndAdminSession(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.EndAdminSession(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if active(svc, a.ID) || !active(svc, b.ID) {
			t.Fatal("logout ended the wrong session")
		}
		got, err := db.AdminSession(ctx, a.ID)
		if err != nil || got == nil || got.RevokedAt == nil || !got.RevokedAt.Equal(t0) {
			t.Fatalf("revoked session: %+v %v", got, err)
		}

		// the next login forgets the ended sessions and keeps the live one
		clock.Advance(2 * time.Hour)
		c, err := svc.StartAdminSession(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]bool{a.ID: false, b.ID: true, c.ID: true} {
			s, err := db.AdminSession(ctx, id)
			if err != nil || (s != nil) != want {
				t.Errorf("after the next login, session %s kept=%v, want %v (%v)", id, s != nil, want, err)
			}
		}
		if !active(svc, b.ID) {
			t.Fatal("a live session ended")
		}
		// a session ends at its expiry
		clock.Advance(time.Hour)
		if active(svc, b.ID) || active(other, c.ID) {
			t.Fatal("expired sessions hold")
		}
		if _, err := svc.StartAdminSession(ctx, core.MaxAdminSessionTTL+time.Second); err == nil {
			t.Error("a login longer than the bound")
		}
	})
}

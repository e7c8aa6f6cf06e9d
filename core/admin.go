package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// AdminSession is one login to the web's admin pages. The browser's signed cookie
// names it; the database says whether it still holds, so a logout on one replica
// ends it on all of them, and a restart does not bring it back.
type AdminSession struct {
	ID        string // 128 random bits, as 32 hex digits
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time // when it was logged out, nil while it holds
}

// Active reports whether the session opens the admin pages at now.
func (a *AdminSession) Active(now time.Time) bool {
	return a != nil && a.RevokedAt == nil && now.Before(a.ExpiresAt)
}

// adminSessionIDLen is the length of an admin session id: 16 bytes in hex.
const adminSessionIDLen = 32

// MaxAdminSessionTTL bounds how long an admin login may last.
const MaxAdminSessionTTL = 7 * 24 * time.Hour

// AdminSessionStore keeps the admin logins.
type AdminSessionStore interface {
	// CreateAdminSession stores a new session, and forgets the sessions that ended
	// (expired) before now, so the table holds only the logins that may still be used.
	CreateAdminSession(ctx context.Context, s AdminSession, now time.Time) error
	// AdminSession returns a session by id, or nil when there is none.
	AdminSession(ctx context.Context, id string) (*AdminSession, error)
	// RevokeAdminSession ends a session at now. Ending one that has ended or does not
	// exist is no error.
	RevokeAdminSession(ctx context.Context, id string, now time.Time) error
}

// StartAdminSession opens an admin login lasting ttl. The caller has checked the
// admin's credentials; the session is what the browser keeps instead of them.
func (s *Service) StartAdminSession(ctx context.Context, ttl time.Duration) (*AdminSession, error) {
	if ttl <= 0 || ttl > MaxAdminSessionTTL {
		return nil, fmt.Errorf("admin session lifetime %s out of range", ttl)
	}
	id := make([]byte, adminSessionIDLen/2)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	now := s.clock.Now()
	a := AdminSession{ID: hex.EncodeToString(id), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.store.CreateAdminSession(ctx, a, now); err != nil {
		return nil, fmt.Errorf("start admin session: %w", err)
	}
	return &a, nil
}

// AdminSessionActive reports whether the admin session id still holds: it exists,
// has not expired and was not logged out.
func (s *Service) AdminSessionActive(ctx context.Context, id string) (bool, error) {
	if !validAdminSessionID(id) {
		return false, nil
	}
	a, err := s.store.AdminSession(ctx, id)
	if err != nil {
		return false, fmt.Errorf("check admin session: %w", err)
	}
	return a.Active(s.clock.Now()), nil
}

// EndAdminSession logs an admin session out, on every replica at once.
func (s *Service) EndAdminSession(ctx context.Context, id string) error {
	if !validAdminSessionID(id) {
		return nil
	}
	if err := s.store.RevokeAdminSession(ctx, id, s.clock.Now()); err != nil {
		return fmt.Errorf("end admin session: %w", err)
	}
	return nil
}

// validAdminSessionID reports whether id has the shape StartAdminSession gives, so a
// made-up cookie costs no query.
func validAdminSessionID(id string) bool {
	if len(id) != adminSessionIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

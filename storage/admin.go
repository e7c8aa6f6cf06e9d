package storage

import (
	"context"
	"fmt"
	"time"

	"crowdbot/core"
)

type adminSessionRow struct {
	ID        string `gorm:"primaryKey"`
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

func (adminSessionRow) TableName() string { return "admin_sessions" }

func (r adminSessionRow) toCore() *core.AdminSession {
	return &core.AdminSession{ID: r.ID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt}
}

// CreateAdminSession implements core.AdminSessionStore.
func (db *DB) CreateAdminSession(ctx context.Context, s core.AdminSession, now time.Time) error {
	row := adminSessionRow{ID: s.ID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
	if err := db.read(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create admin session: %w", translate(err))
	}
	// logins are rare: forgetting the ended ones here keeps the table small with no job
	if err := db.read(ctx).Where("expires_at < ?", now.UTC()).Delete(&adminSessionRow{}).Error; err != nil {
		return fmt.Errorf("forget ended admin sessions: %w", translate(err))
	}
	return nil
}

// AdminSession implements core.AdminSessionStore.
func (db *DB) AdminSession(ctx context.Context, id string) (*core.AdminSession, error) {
	var rows []adminSessionRow
	if err := db.read(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("admin session: %w", translate(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].toCore(), nil
}

// RevokeAdminSession implements core.AdminSessionStore: the first logout's time stays.
func (db *DB) RevokeAdminSession(ctx context.Context, id string, now time.Time) error {
	err := db.read(ctx).Model(&adminSessionRow{}).Where("id = ? AND revoked_at IS NULL", id).
		Update("revoked_at", now.UTC()).Error
	if err != nil {
		return fmt.Errorf("revoke admin session: %w", translate(err))
	}
	return nil
}

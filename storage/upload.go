package storage

import (
	"context"
	"fmt"
	"time"

	"crowdbot/core"
)

type uploadRow struct {
	ID          string `gorm:"primaryKey"`
	ContentType string
	Data        []byte
	CreatedAt   time.Time
}

func (uploadRow) TableName() string { return "uploads" }

// CreateUpload implements core.UploadStore.
func (db *DB) CreateUpload(ctx context.Context, u core.Upload) error {
	row := uploadRow{ID: u.ID, ContentType: u.ContentType, Data: u.Data, CreatedAt: u.CreatedAt.UTC()}
	if err := db.read(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create upload: %w", translate(err))
	}
	return nil
}

// Upload implements core.UploadStore.
func (db *DB) Upload(ctx context.Context, id string) (*core.Upload, error) {
	var rows []uploadRow
	if err := db.read(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("upload: %w", translate(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	r := rows[0]
	return &core.Upload{ID: r.ID, ContentType: r.ContentType, Data: r.Data, CreatedAt: r.CreatedAt}, nil
}

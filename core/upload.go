package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// MaxUpload bounds a picture a web member sends with a message, in bytes.
const MaxUpload = 1 << 20

// uploadIDLen is the length of an upload's id: 128 random bits, in hex.
const uploadIDLen = 32

// Upload is a picture a member of the web's local try-out sent with a message (an
// image entry), kept in the database for the web to serve: the web has no platform
// that keeps files for it.
type Upload struct {
	ID          string
	ContentType string // image/png, image/jpeg, image/webp or image/gif
	Data        []byte
	CreatedAt   time.Time
}

// UploadStore keeps uploads.
type UploadStore interface {
	// CreateUpload stores an upload.
	CreateUpload(ctx context.Context, u Upload) error
	// Upload returns the upload with id, or nil when there is none.
	Upload(ctx context.Context, id string) (*Upload, error)
}

// SaveUpload keeps a picture and returns it with its id. Its type is read from its
// first bytes, not taken from the sender: only PNG, JPEG, WebP and GIF pass, of at
// most MaxUpload bytes.
func (s *Service) SaveUpload(ctx context.Context, data []byte) (*Upload, error) {
	if len(data) > MaxUpload {
		return nil, Errorf(EINVALID, "error.entry_file_too_big", "max_mb", MaxUpload>>20)
	}
	ct := PictureType(data)
	if ct == "" {
		return nil, Errorf(EINVALID, "error.entry_file_type", "type", "?")
	}
	id := make([]byte, uploadIDLen/2)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	u := Upload{ID: hex.EncodeToString(id), ContentType: ct, Data: data, CreatedAt: s.clock.Now()}
	if err := s.store.CreateUpload(ctx, u); err != nil {
		return nil, fmt.Errorf("save upload: %w", err)
	}
	return &u, nil
}

// Upload returns the upload with id, or a not-found error.
func (s *Service) Upload(ctx context.Context, id string) (*Upload, error) {
	if len(id) != uploadIDLen {
		return nil, Errorf(ENOTFOUND, "error.upload_not_found")
	}
	u, err := s.store.Upload(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	if u == nil {
		return nil, Errorf(ENOTFOUND, "error.upload_not_found")
	}
	return u, nil
}

// PictureType names the picture type of data from its first bytes (PNG, JPEG, WebP
// or GIF), or returns "" for anything else.
func PictureType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return "image/webp"
	}
	return ""
}

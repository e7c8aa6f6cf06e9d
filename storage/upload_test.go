package storage_test

import (
	"bytes"
	"context"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestUploads keeps a picture byte for byte under a random id, refuses what is no
// picture or too big, and finds nothing under an unknown id.
func TestUploads(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := core.NewService(db, core.NewFakeClock(t0), core.DefaultSettings())
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 0xff, 7}, 1000)...)
		u, err := svc.SaveUpload(ctx, png)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Upload(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ContentType != "image/png" || !bytes.Equal(got.Data, png) || len(u.ID) != 32 {
			t.Fatalf("upload %q %s %d bytes", got.ID, got.ContentType, len(got.Data))
		}
		if _, err := svc.Upload(ctx, "0123456789abcdef0123456789abcdef"); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("unknown id: %v", err)
		}
		if _, err := svc.SaveUpload(ctx, []byte("<svg onload=alert(1)>")); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("no picture: %v", err)
		}
		if _, err := svc.SaveUpload(ctx, append(png, make([]byte, core.MaxUpload)...)); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("too big: %v", err)
		}
	})
}

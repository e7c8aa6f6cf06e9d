package storage_test

import (
	"context"
	"strings"
	"testing"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestCodeAnyCase finds a campaign by its code in any letter case, and never gives
// two campaigns codes that differ only in case.
func TestCodeAnyCase(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		sp, m := fixture(t, db)
		codes := []string{"k7Fq2", "K7fQ2", "k7fq2", "x9Yz3"}
		first, second := twoCampaignsCoded(t, db, sp, m, codes)
		if first.Code != "k7Fq2" || second.Code != "x9Yz3" {
			t.Fatalf("codes %q %q: a code differing only in case was given twice", first.Code, second.Code)
		}
		for _, typed := range []string{"k7Fq2", "K7FQ2", "k7fq2", "K7fQ2"} {
			got, err := db.CampaignByCode(ctx, typed)
			if err != nil || got.ID != first.ID || got.Code != "k7Fq2" {
				t.Fatalf("%s: %+v, %v", typed, got, err)
			}
		}
		if got, err := db.CampaignByCode(ctx, strings.ToUpper(second.Code)); err != nil || got.ID != second.ID {
			t.Fatalf("upper case: %+v, %v", got, err)
		}
		if _, err := db.CampaignByCode(ctx, "zzzz9"); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}
	})
}

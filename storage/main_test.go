package storage_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// TestMain doubles as the migrating child process of TestMigrateTwoProcesses.
func TestMain(m *testing.M) {
	if dsn := os.Getenv("CROWDBOT_TEST_MIGRATE_CHILD"); dsn != "" {
		db, err := storage.Open(context.Background(), dsn)
		if err == nil {
			err = db.Migrate(context.Background())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	fmt.Println(storagetest.Note())
	os.Exit(storagetest.Main(m))
}

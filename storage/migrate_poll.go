package storage

import "github.com/go-gormigrate/gormigrate/v2"

// pollMigrations create the tables of the poll aggregate.
func pollMigrations() []*gormigrate.Migration { return nil }

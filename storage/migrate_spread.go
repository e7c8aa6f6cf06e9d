package storage

import "github.com/go-gormigrate/gormigrate/v2"

// spreadMigrations create the tables of the spread aggregate.
func spreadMigrations() []*gormigrate.Migration { return nil }

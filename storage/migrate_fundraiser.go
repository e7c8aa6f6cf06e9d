package storage

import "github.com/go-gormigrate/gormigrate/v2"

// fundraiserMigrations create the tables of the fundraiser aggregate.
func fundraiserMigrations() []*gormigrate.Migration { return nil }

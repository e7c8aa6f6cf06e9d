package storage

import "github.com/go-gormigrate/gormigrate/v2"

// ideaMigrations create the tables of the idea aggregate.
func ideaMigrations() []*gormigrate.Migration { return nil }

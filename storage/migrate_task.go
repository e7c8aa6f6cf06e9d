package storage

import "github.com/go-gormigrate/gormigrate/v2"

// taskMigrations create the tables of the task aggregate.
func taskMigrations() []*gormigrate.Migration { return nil }

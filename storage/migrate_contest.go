package storage

import "github.com/go-gormigrate/gormigrate/v2"

// contestMigrations create the tables of the contest aggregate.
func contestMigrations() []*gormigrate.Migration { return nil }

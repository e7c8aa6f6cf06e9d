//go:build race

package storagetest

// Race is true when the race detector is on.
const Race = true

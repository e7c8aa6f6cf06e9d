package storage

import (
	"testing"

	"crowdbot/core"
)

// TestMapRows: every row is converted, in order, and no rows give an empty list
// rather than nil.
func TestMapRows(t *testing.T) {
	rows := []campaignRow{{ID: 7, Code: "k7Fq2", State: "open"}, {ID: 3, Code: "b2", State: "voting"}}
	got := mapRows(rows, campaignRow.toCore)
	if len(got) != 2 || got[0].ID != 7 || got[0].Code != "k7Fq2" || got[0].State != core.StateOpen ||
		got[1].ID != 3 || got[1].State != core.StateVoting {
		t.Fatalf("mapRows = %+v", got)
	}
	if none := mapRows([]campaignRow(nil), campaignRow.toCore); none == nil || len(none) != 0 {
		t.Errorf("no rows = %#v, want an empty list", none)
	}
}

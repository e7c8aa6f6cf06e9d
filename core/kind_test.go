package core

import (
	"reflect"
	"testing"
)

// TestEveryKindHasItsRules: every kind in Kinds has an entry in the kind table, with
// every rule set, and the table names no other kind.
func TestEveryKindHasItsRules(t *testing.T) {
	s := NewService(nil, SystemClock{}, DefaultSettings())
	for _, k := range Kinds {
		r, ok := s.kinds[k]
		if !ok {
			t.Errorf("kind %s has no rules", k)
			continue
		}
		v := reflect.ValueOf(r)
		for i := range v.NumField() {
			if v.Field(i).IsNil() {
				t.Errorf("kind %s has no %s", k, v.Type().Field(i).Name)
			}
		}
	}
	if len(s.kinds) != len(Kinds) {
		t.Errorf("%d kinds have rules, Kinds lists %d", len(s.kinds), len(Kinds))
	}
	if _, err := s.rules(&Campaign{Kind: "raffle"}); err == nil {
		t.Error("a kind without rules was given some")
	}
}

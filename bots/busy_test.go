package bots_test

import (
	"runtime"
	"testing"
	"time"

	"crowdbot/bots"
	"crowdbot/bots/botstest"
	"crowdbot/core"
	"crowdbot/storage/storagetest"
)

// TestBusyRouterSaysSo: past MaxInFlight inputs at once, an input is answered at once
// that the bot is busy, in the member's language, without waiting for the database;
// one that runs out of its deadline is told the same. Both carry their code.
func TestBusyRouterSaysSo(t *testing.T) {
	store := &botstest.Trouble{DB: storagetest.SQLite(t)}
	h := botstest.New(t, func(o *bots.Options) {
		o.Service = core.NewService(store, core.NewFakeClock(botstest.Start), botstest.Settings())
		o.MaxInFlight = 1
		o.Deadline = time.Second
	})
	store.Set(botstest.Stalled)
	first := make(chan []bots.Reply)
	go func() { first <- h.Say(botstest.Bob, "/campaign list") }()
	for store.Waiting() == 0 {
		runtime.Gosched()
	}
	calls := store.Calls()
	busy := h.Say(botstest.Carol.In("fr"), "/campaign list")
	if len(busy) != 1 || busy[0].Key != "error.unavailable" || busy[0].Failure != core.EUNAVAILABLE || busy[0].Text != h.Router.T("fr", bots.M("error.unavailable")) {
		t.Fatalf("an input past the limit: %+v", busy)
	}
	if store.Calls() != calls {
		t.Fatal("an input past the limit waited for the database")
	}
	if r := <-first; len(r) != 1 || r[0].Key != "error.unavailable" || r[0].Failure != core.EUNAVAILABLE {
		t.Fatalf("an input past its deadline: %+v", r)
	}
	store.Set(botstest.Fine)
	if r := h.Say(botstest.Bob, "/campaign list"); len(r) != 1 || r[0].Failure != "" {
		t.Fatalf("after the trouble: %+v", r)
	}
}

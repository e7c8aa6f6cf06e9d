package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"crowdbot/bots"
	"crowdbot/core"
)

// refreshEvery is how often posted poll cards are brought up to date: votes between
// two refreshes cost one edit per posted card.
const refreshEvery = 10 * time.Second

// runSpreading runs the scheduler (deadlines, progress posts, reminders) and the
// outbox dispatcher, which posts through the given platform posters, until ctx ends.
// Every replica runs both: the database decides who does what.
func runSpreading(ctx context.Context, svc *core.Service, outbox core.OutboxStore, router *bots.Router, metrics *bots.Metrics, log *slog.Logger, posters ...bots.Poster) {
	var wg sync.WaitGroup
	wg.Go(func() { bots.NewScheduler(svc, log, bots.DefaultTick).Run(ctx) })
	if len(posters) == 0 {
		log.Info("outbox dispatcher idle: no platform adapter is on")
	} else {
		d := bots.NewDispatcher(bots.DispatcherOptions{Outbox: outbox, Router: router, Posters: posters, Logger: log, Metrics: metrics})
		wg.Go(func() { d.Run(ctx) })
		byPlatform := map[core.Platform]bots.Poster{}
		for _, p := range posters {
			byPlatform[p.Platform()] = p
		}
		wg.Go(func() { bots.NewRefresher(router, byPlatform).Run(ctx, refreshEvery) })
	}
	wg.Wait()
}

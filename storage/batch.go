package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"crowdbot/core"
)

// batcher is group commit for one hot statement: requests made at the same moment
// by many goroutines are run together, as one statement in one transaction, and each
// caller gets its own result once that transaction has committed. A crowd pressing
// vote buttons then costs the database one commit per batch instead of one per vote,
// while every vote is still acknowledged on its own, after it is durable.
//
// No goroutine runs while nobody waits: the first caller that finds fewer than max
// flushes under way starts one, and a flush keeps taking what has gathered in the
// meantime until nothing is left. Requests that share a key (the same member on the
// same idea, the same platform update) never run in the same batch nor in two
// batches at once; the later one waits for the next batch, so each batch is free of
// duplicates and results map to requests one to one.
type batcher[Req, Res any] struct {
	// run executes one batch and returns one result per request, in order. An
	// error fails every request of the batch.
	run func(ctx context.Context, reqs []Req) ([]Res, error)
	// max is how many batches may run at once, size how many requests one holds.
	max, size int
	// timeout bounds one batch, which runs on to its end when its callers have
	// stopped waiting (see do).
	timeout time.Duration

	mu       sync.Mutex
	pending  []*batchCall[Req, Res]
	inFlight map[string]bool
	flushing int
}

type batchCall[Req, Res any] struct {
	req  Req
	keys []string
	res  Res
	err  error
	done chan struct{}
}

func newBatcher[Req, Res any](max, size int, run func(context.Context, []Req) ([]Res, error)) *batcher[Req, Res] {
	return &batcher[Req, Res]{run: run, max: max, size: size, timeout: batchTimeout, inFlight: map[string]bool{}}
}

// do runs req in the next batch that can take it and returns its result. When ctx
// ends first, a request still waiting for a batch is taken out (it will not run) and
// one already in a batch is left to it; either way the caller is told the request is
// unavailable, which says it may or may not have been done, and the batch's own
// timeout bounds what goes on without it.
func (b *batcher[Req, Res]) do(ctx context.Context, req Req, keys ...string) (Res, error) {
	c := &batchCall[Req, Res]{req: req, keys: keys, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	if b.flushing < b.max {
		b.flushing++
		go b.flush()
	}
	b.mu.Unlock()
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
	}
	b.mu.Lock()
	if i := slices.Index(b.pending, c); i >= 0 {
		b.pending = slices.Delete(b.pending, i, i+1)
	}
	b.mu.Unlock()
	var zero Res
	return zero, fmt.Errorf("%w: %w", core.Errorf(core.EUNAVAILABLE, "error.unavailable"), ctx.Err())
}

// flush runs batches until no pending request can be taken.
func (b *batcher[Req, Res]) flush() {
	for {
		b.mu.Lock()
		batch := b.take()
		if len(batch) == 0 {
			b.flushing--
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()

		reqs := make([]Req, len(batch))
		for i, c := range batch {
			reqs[i] = c.req
		}
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		res, err := b.run(ctx, reqs)
		cancel()
		if err == nil && len(res) != len(reqs) {
			err = fmt.Errorf("batch of %d requests: %d results", len(reqs), len(res))
		}

		b.mu.Lock()
		for _, c := range batch {
			for _, k := range c.keys {
				delete(b.inFlight, k)
			}
		}
		b.mu.Unlock()
		for i, c := range batch {
			if err != nil {
				c.err = err
			} else {
				c.res = res[i]
			}
			close(c.done)
		}
	}
}

// take removes from pending, oldest first, up to size requests whose keys are not in
// flight, and marks their keys in flight. It is called with mu held.
func (b *batcher[Req, Res]) take() []*batchCall[Req, Res] {
	var batch []*batchCall[Req, Res]
	rest := b.pending[:0]
	for _, c := range b.pending {
		if len(batch) == b.size || b.anyInFlight(c.keys) {
			rest = append(rest, c)
			continue
		}
		for _, k := range c.keys {
			b.inFlight[k] = true
		}
		batch = append(batch, c)
	}
	clear(b.pending[len(rest):])
	b.pending = rest
	return batch
}

func (b *batcher[Req, Res]) anyInFlight(keys []string) bool {
	for _, k := range keys {
		if b.inFlight[k] {
			return true
		}
	}
	return false
}

// queryRows runs one of the group-commit statements on q's connection (the pool's, or
// a transaction's) and hands each row to scan. It goes round gorm's statement builder
// and reflective scanning, which a statement run for hundreds of requests at once
// does not need: its text and its columns are fixed.
func queryRows(ctx context.Context, q *gorm.DB, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.Statement.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// voterKeys are the batcher keys of a press by voter on what ("vote:<idea id>"): the
// voter by reference, the same whether they are given by id or are still to be
// found, and for one still to be found the member too, whom one batch at a time
// makes (see memberSQL).
func voterKeys(what string, voter *core.Member) []string {
	keys := []string{what + ":" + string(voter.Platform) + ":" + voter.ExternalID}
	if voter.ID == 0 {
		keys = append(keys, memberKey(voter))
	}
	return keys
}

// pendingUpdate returns the platform update of ctx still to record with a batched
// change, with keys and its batcher key, or nil and keys as they are.
func pendingUpdate(ctx context.Context, keys []string) (*core.Update, []string) {
	u := core.UpdateFrom(ctx)
	if u == nil || u.Done() {
		return nil, keys
	}
	return u, append(keys, "update:"+u.Key)
}

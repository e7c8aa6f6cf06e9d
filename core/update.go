package core

import (
	"context"
	"sync/atomic"
)

// Update marks the platform update a request comes from, so that the store records
// it in the same transaction as the update's effect and a second delivery of the same
// update changes nothing (it fails with EDUPLICATE).
type Update struct {
	Key  string // platform-scoped, e.g. "telegram:812736"
	done atomic.Bool
}

// Done reports whether the update has been recorded with an effect already.
func (u *Update) Done() bool { return u.done.Load() }

// MarkDone notes that the update's effect has been committed; later transactions of
// the same request do not record it again.
func (u *Update) MarkDone() { u.done.Store(true) }

type updateKey struct{}

// WithUpdate returns a context that carries the platform update being handled.
// An empty id leaves ctx as is (the update cannot repeat, e.g. a web request).
func WithUpdate(ctx context.Context, platform Platform, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, updateKey{}, &Update{Key: string(platform) + ":" + id})
}

// UpdateFrom returns the update carried by ctx, or nil.
func UpdateFrom(ctx context.Context) *Update {
	u, _ := ctx.Value(updateKey{}).(*Update)
	return u
}

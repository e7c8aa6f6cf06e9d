package bots

import "context"

// spreadCommands lists the commands of the spread area.
func (r *Router) spreadCommands() []*Spec { return nil }

// spreadActions lists the button actions of the spread area.
func (r *Router) spreadActions() map[string]ActionFunc { return nil }

// startPayload handles /start with a deep-link payload.
func (r *Router) startPayload(ctx context.Context, req *Request, payload string) ([]Reply, error) {
	return replies(reply("start.welcome"))
}

// spreadCards lists the announcement cards of the spread area.
func (r *Router) spreadCards() map[string]CardFunc { return nil }

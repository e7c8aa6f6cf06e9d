package bots

// pollCommands lists the commands of the poll area.
func (r *Router) pollCommands() []*Spec { return nil }

// pollActions lists the button actions of the poll area.
func (r *Router) pollActions() map[string]ActionFunc { return nil }

// pollCards lists the announcement cards of the poll area.
func (r *Router) pollCards() map[string]CardFunc { return nil }

package bots

// contestCommands lists the commands of the contest area.
func (r *Router) contestCommands() []*Spec { return nil }

// contestActions lists the button actions of the contest area.
func (r *Router) contestActions() map[string]ActionFunc { return nil }

// contestCards lists the announcement cards of the contest area.
func (r *Router) contestCards() map[string]CardFunc { return nil }

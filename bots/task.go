package bots

// taskCommands lists the commands of the task area.
func (r *Router) taskCommands() []*Spec { return nil }

// taskActions lists the button actions of the task area.
func (r *Router) taskActions() map[string]ActionFunc { return nil }

// taskCards lists the announcement cards of the task area.
func (r *Router) taskCards() map[string]CardFunc { return nil }

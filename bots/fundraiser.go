package bots

// fundraiserCommands lists the commands of the fundraiser area.
func (r *Router) fundraiserCommands() []*Spec { return nil }

// fundraiserActions lists the button actions of the fundraiser area.
func (r *Router) fundraiserActions() map[string]ActionFunc { return nil }

// fundraiserCards lists the announcement cards of the fundraiser area.
func (r *Router) fundraiserCards() map[string]CardFunc { return nil }

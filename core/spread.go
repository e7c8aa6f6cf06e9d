package core

// SpreadStore keeps schedules, referrals and points.
type SpreadStore interface{}

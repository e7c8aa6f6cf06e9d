// Package core is crowdbot's domain: campaigns of five kinds (ideas, polls, contests,
// fundraisers, microtasks), the spaces and members they live among, their rules, and
// the Service whose methods change them. It does no I/O: the database is the Store
// interface (implemented by package storage), time is a Clock, and the words a member
// reads are message keys that the conversation layer translates. It imports the
// standard library and nothing else (a test holds it to that): even update
// schedules, cron specs, are read by a ScheduleParser the service is given in its
// Settings (bots.ParseCron, with robfig/cron).
//
// One file holds each aggregate with its types, its Validate and its Service methods
// (idea.go, poll.go, contest.go, fundraiser.go, task.go); where one grows large, a
// concern of its own gets a file named after it (task_import.go reads and checks
// imported task items; contest_entry.go and contest_vote.go take a contest's entries
// and its voting). A few names come back across the code:
//
//   - house: what every kind shares rather than one kind's own rules: campaigns and
//     their states, spaces, members, languages, admin rights (campaign.go, space.go).
//   - spread: what makes a campaign travel: share links and referrals, points and the
//     leaderboard, scheduled progress posts, deadline reminders (spread.go), and the
//     outbox that delivers every announcement (announcement.go).
//   - card: an announcement with its kind's own shape (a poll with its vote buttons
//     and tally), drawn when delivered and again when refreshed (PollCard).
//   - front, front end: a place people reach the bot: Telegram, Discord or the web.
//
// docs/DESIGN.md describes the layers and follows one vote through them.
package core

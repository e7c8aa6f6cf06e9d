package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"crowdbot/core"
)

// ClaimChore implements core.CleanupStore: one conditional upsert, so of the
// replicas asking at once exactly one finds the chore due and moves it on.
func (db *DB) ClaimChore(ctx context.Context, name string, now time.Time, every time.Duration) (bool, error) {
	now = now.UTC()
	res := db.read(ctx).Exec(`INSERT INTO chores (name, next_at) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET next_at = excluded.next_at WHERE chores.next_at <= ?`,
		name, now.Add(every), now)
	if res.Error != nil {
		return false, fmt.Errorf("claim chore %s: %w", name, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// deleteBatch returns a DELETE of the rows of table that pick selects (at most its
// LIMIT), pick naming the column it selects as %[1]s. On Postgres the rows are named
// by their ctid: the delete finds them without a join, and a row changed since it was
// picked (a member who just chose a language) has a new ctid and is left alone.
func (db *DB) deleteBatch(table, key, pick string) string {
	if db.dialect == Postgres {
		return fmt.Sprintf("DELETE FROM %s WHERE ctid = ANY(ARRAY(%s))", table, fmt.Sprintf(pick, "ctid"))
	}
	return fmt.Sprintf("DELETE FROM %s WHERE %s IN (%s)", table, key, fmt.Sprintf(pick, key))
}

// pruneOutboxPick picks a batch of outbox rows done with: sent before the cut-off (by
// the index on platform, state, sent_at) or parked with their last try before it (by
// the index on state, next_try_at). A poll's card is edited while its campaign is in
// progress and for a while after it changes (core.PollCardRefreshWindow), so it stays
// that long. Deleting a row
// deletes its poll card record; its once key stays in outbox_once.
const pruneOutboxPick = `SELECT o.%[1]s FROM outbox_items o
	WHERE (o.platform IN ? AND o.state = 'sent' AND o.sent_at < ? OR o.state = 'parked' AND o.next_try_at < ?)
	AND NOT (o."key" = ? AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = o.campaign_id
		AND (c.state IN ? OR c.updated_at >= ?)))
	ORDER BY o.id LIMIT ?`

// PruneOutbox implements core.CleanupStore.
func (db *DB) PruneOutbox(ctx context.Context, before, cardsBefore time.Time, limit int) (int, error) {
	before, cardsBefore = before.UTC(), cardsBefore.UTC()
	platforms := []string{string(core.Discord), string(core.Telegram), string(core.Web)}
	inProgress := append(liveStateValues(), string(core.StateDraft))
	res := db.read(ctx).Exec(db.deleteBatch("outbox_items", "id", pruneOutboxPick),
		platforms, before, before, pollCardKey, inProgress, cardsBefore, limit)
	if res.Error != nil {
		return 0, fmt.Errorf("prune outbox: %w", translate(res.Error))
	}
	return int(res.RowsAffected), nil
}

// PruneUpdates implements core.CleanupStore.
func (db *DB) PruneUpdates(ctx context.Context, before time.Time, limit int) (int, error) {
	res := db.read(ctx).Exec(db.deleteBatch("processed_updates", "rowid",
		"SELECT %[1]s FROM processed_updates WHERE created_at < ? ORDER BY created_at LIMIT ?"), before.UTC(), limit)
	if res.Error != nil {
		return 0, fmt.Errorf("prune processed updates: %w", translate(res.Error))
	}
	return int(res.RowsAffected), nil
}

// memberRefs lists every column that refers to a member, but for prompts (see
// pruneMembersPick). A member named in any of them took part in something (or was
// told of something) and is never pruned; a table that gains such a column belongs
// here (TestMemberRefsCoverSchema checks the schema).
var memberRefs = []struct{ table, column string }{
	{"campaigns", "created_by"},
	{"points", "member_id"},
	{"standings", "member_id"},
	{"earnings", "member_id"},
	{"referrals", "member_id"},
	{"referrals", "referrer_id"},
	{"outbox_items", "member_id"},
	{"ideas", "author_id"},
	{"idea_comments", "author_id"},
	{"idea_votes", "member_id"},
	{"poll_voters", "member_id"},
	{"contest_entries", "author_id"},
	{"contest_entrants", "member_id"},
	{"contest_votes", "member_id"},
	{"contest_votes", "author_id"},
	{"contest_awards", "member_id"},
	{"pledges", "member_id"},
	{"expenses", "created_by"},
	{"expenses", "struck_by"},
	{"task_items", "leased_by"},
	{"task_answers", "member_id"},
	{"task_answers", "reviewed_by"},
	{"task_skips", "member_id"},
	{"task_workers", "member_id"},
	{"star_payments", "member_id"},
	{"recognitions", "member_id"},
	{"wizards", "member_id"},
}

// pruneMembersPick picks a batch of idle web visitors: members of the web known only
// by a session (never a try-out name, never another platform's), made before the
// cut-off, who chose no language, were asked no question since the cut-off (an old,
// unanswered one goes with them) and whom no other row refers to. It returns who
// went, for the member cache.
var pruneMembersPick = func() string {
	var b strings.Builder
	b.WriteString(`SELECT m.%[1]s FROM members m
	WHERE m.platform = ? AND m.external_id LIKE ? AND m.locale = '' AND m.created_at < ?`)
	for _, r := range memberRefs {
		fmt.Fprintf(&b, "\n\tAND NOT EXISTS (SELECT 1 FROM %s x WHERE x.%s = m.id)", r.table, r.column)
	}
	b.WriteString("\n\tAND NOT EXISTS (SELECT 1 FROM prompts x WHERE x.member_id = m.id AND x.expires_at >= ?)")
	b.WriteString("\n\tORDER BY m.id LIMIT ?")
	return b.String()
}()

// PruneIdleMembers implements core.CleanupStore. A member whose first change commits
// while they are deleted keeps their row: the change's foreign key holds the delete
// back, which then fails and is tried again next run, when the member is no longer
// idle.
func (db *DB) PruneIdleMembers(ctx context.Context, before time.Time, limit int) (int, error) {
	var gone []struct{ Platform, ExternalID string }
	before = before.UTC()
	del := db.deleteBatch("members", "id", pruneMembersPick) + " RETURNING platform, external_id"
	err := db.read(ctx).Raw(del, string(core.Web), core.WebSessionPrefix+"%", before, before, limit).Scan(&gone).Error
	if err != nil {
		return 0, fmt.Errorf("prune idle members: %w", translate(err))
	}
	for _, m := range gone {
		db.members.drop(m.Platform + ":" + m.ExternalID)
	}
	return len(gone), nil
}

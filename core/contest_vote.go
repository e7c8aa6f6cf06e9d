package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Entry votes: core decides who may vote for an entry and when (mayVoteFor): the
// contest voting and its round's deadline still ahead, the entry competing in the
// round (a finalist in the final one), not the member's own. It decides once, for
// the vote button BrowseEntries shows and for the vote VoteEntry casts. Storage
// enforces what must hold at the write, under concurrency (storage/contest.go): one
// vote per member per round (a primary key), never for one's own entry (a check
// constraint), the round still open and the entry still in it when the vote is
// written, and the counts moving with the vote.

// VoteEntry casts the actor's vote for an entry in the contest's current round, or
// moves it there. Members cannot vote for their own entries.
func (s *Service) VoteEntry(ctx context.Context, actor Actor, entryID int64) (*Entry, *EntryVote, error) {
	e, err := s.store.Entry(ctx, entryID)
	if err != nil {
		return nil, nil, err
	}
	if e.Status != EntryActive {
		return nil, nil, Errorf(ENOTFOUND, "error.entry_not_found", "id", e.Number)
	}
	c, err := s.store.Campaign(ctx, e.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	if err := mayVoteFor(c, k, e, actor.Member.ID, now); err != nil {
		return nil, nil, err
	}
	v, err := s.store.CastEntryVote(ctx, entryID, actor.Member.ID, now, s.PointsFor(PointsVote))
	if err != nil {
		return nil, nil, err
	}
	return e, v, nil
}

// votingOpen reports whether a contest's voting round is open at now.
func votingOpen(c *Campaign, now time.Time) bool {
	return c.State == StateVoting && c.DeadlineAt != nil && now.Before(*c.DeadlineAt)
}

// mayVoteFor decides whether a member may vote for an entry of contest c (settings
// k) at now, and says why not.
func mayVoteFor(c *Campaign, k *Contest, e *Entry, memberID int64, now time.Time) error {
	switch {
	case e.Status != EntryActive:
		return Errorf(ENOTFOUND, "error.entry_not_found", "id", e.Number)
	case !votingOpen(c, now):
		return Errorf(ECLOSED, "error.contest_not_voting", "code", c.Code)
	case e.AuthorID == memberID:
		return Errorf(EFORBIDDEN, "error.entry_own_vote")
	case k.Round == 2 && !e.Finalist:
		return Errorf(EINVALID, "error.entry_not_finalist", "id", e.Number)
	}
	return nil
}

// onceKey scopes a phase's Once key to the campaign: the outbox keeps one key per
// destination, and a channel may follow several contests.
func onceKey(c *Campaign, phase string) string { return fmt.Sprintf("contest:%d:%s", c.ID, phase) }

// formatTime shows a time in a campaign's zone, for announcements (which keep their
// arguments as text).
func formatTime(t time.Time, tz string) string {
	if loc, err := LoadZone(tz); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04 MST")
}

// ShortlistEntries starts the final round at once among the entries the brand
// names; the community then votes among them until voting closes.
func (s *Service) ShortlistEntries(ctx context.Context, actor Actor, code string, ids []int64) (*Campaign, []Entry, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, k, err := s.Contest(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	if c.State != StateVoting {
		return nil, nil, Errorf(ECLOSED, "error.contest_not_voting", "code", c.Code)
	}
	if k.Round != 1 {
		return nil, nil, Errorf(ECONFLICT, "error.contest_final_started")
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) < 2 || len(ids) > MaxFinalists {
		return nil, nil, Errorf(EINVALID, "error.contest_finalists", "max", MaxFinalists)
	}
	finalists, err := s.startFinal(ctx, c, ids, 0, s.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	return c, finalists, nil
}

// startFinal moves a contest to its final round among ids, or among the top n of
// the first round when ids is nil, until voting closes.
func (s *Service) startFinal(ctx context.Context, c *Campaign, ids []int64, n int, now time.Time) ([]Entry, error) {
	closes := *c.ClosesAt
	f := FinalRound{CampaignID: c.ID, EntryIDs: ids, N: n, Deadline: closes, At: now,
		Announce: func(finalists []Entry) []Announcement {
			a := CampaignAnnouncement(c, "announce.contest_final", "title", c.Title, "code", c.Code,
				"count", len(finalists), "closes", formatTime(closes, c.TimeZone))
			a.Once = onceKey(c, "final")
			return []Announcement{a}
		}}
	finalists, err := s.store.StartFinalRound(ctx, f)
	if err != nil {
		return nil, err
	}
	if !closes.After(now) {
		// the final round was already over when it began (downtime): close it too
		if c, err = s.store.Campaign(ctx, c.ID); err != nil {
			return nil, err
		}
		return finalists, s.closeContest(ctx, c, now)
	}
	return finalists, nil
}

// openContestVoting moves a contest from its submission phase to its voting phase,
// or closes it when nobody entered. When the next deadline has passed too (after
// downtime), the contest moves on again at once.
func (s *Service) openContestVoting(ctx context.Context, c *Campaign, now time.Time) error {
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return err
	}
	entries, _, err := s.store.ContestTotals(ctx, c.ID)
	if err != nil {
		return err
	}
	if entries == 0 {
		a := CampaignAnnouncement(c, "announce.contest_empty", "title", c.Title, "code", c.Code)
		a.Once = onceKey(c, "closed")
		return s.store.TransitionCampaign(ctx, Transition{CampaignID: c.ID, From: StateOpen, To: StateClosed, At: now,
			Announcements: []Announcement{a}})
	}
	next := *c.ClosesAt
	if k.FinalAt != nil && k.Round == 1 {
		next = *k.FinalAt
	}
	a := CampaignAnnouncement(c, "announce.contest_voting", "title", c.Title, "code", c.Code, "count", entries,
		"closes", formatTime(next, c.TimeZone))
	a.Once = onceKey(c, "voting")
	err = s.store.TransitionCampaign(ctx, Transition{CampaignID: c.ID, From: StateOpen, To: StateVoting, At: now,
		NextDeadline: &next, Announcements: []Announcement{a}})
	if err != nil || next.After(now) {
		return err
	}
	if c, err = s.store.Campaign(ctx, c.ID); err != nil {
		return err
	}
	return s.closeContest(ctx, c, now)
}

// closeContest ends a contest's voting round at its deadline or on an admin's
// order. When the first round of a contest with a planned final is due, the final
// round starts instead. With community judging, the entry with the most votes wins;
// a tie waits for the brand.
func (s *Service) closeContest(ctx context.Context, c *Campaign, now time.Time) error {
	k, err := s.store.Contest(ctx, c.ID)
	if err != nil {
		return err
	}
	if c.State == StateVoting && k.Round == 1 && k.FinalAt != nil && c.DeadlineAt != nil && c.ClosesAt != nil &&
		!now.Before(*c.DeadlineAt) && c.DeadlineAt.Before(*c.ClosesAt) {
		_, err := s.startFinal(ctx, c, nil, k.Finalists, now)
		return err
	}
	cc := ContestClose{
		Transition: Transition{CampaignID: c.ID, From: c.State, To: StateClosed, At: now},
		AutoWinner: k.Judging == JudgingCommunity && c.State == StateVoting,
		Round:      k.Round,
		Prize:      k.Prize,
		Announce: func(w *Entry) []Announcement {
			closed := CampaignAnnouncement(c, "announce.contest_closed", "title", c.Title, "code", c.Code)
			closed.Once = onceKey(c, "closed")
			if w == nil {
				return []Announcement{closed}
			}
			return append([]Announcement{closed}, s.winnerAnnouncements(c, k, w)...)
		},
	}
	_, err = s.store.CloseContest(ctx, cc)
	return err
}

// winnerAnnouncements tell the linked channels and the winner.
func (s *Service) winnerAnnouncements(c *Campaign, k *Contest, w *Entry) []Announcement {
	pub := CampaignAnnouncement(c, "announce.contest_winner", "title", c.Title, "code", c.Code, "id", w.Number,
		"entry", w.Title, "author", w.AuthorName, "prize", k.Prize)
	pub.Once = onceKey(c, "winner")
	return []Announcement{pub, MemberNotice(c, w.AuthorID, "notice.contest_won", "title", c.Title, "code", c.Code,
		"id", w.Number, "entry", w.Title, "prize", k.Prize)}
}

// PickWinner names an entry the winner and credits the prize to its author. The
// brand picks freely once entries are closed when it judges alone; with community
// judging it only breaks a tie at the top once voting is closed; with both, it picks
// among the community's shortlist once voting is closed.
func (s *Service) PickWinner(ctx context.Context, actor Actor, entryID int64) (*Entry, *Contest, error) {
	e, c, k, err := s.entryForAdmin(ctx, actor, entryID)
	if err != nil {
		return nil, nil, err
	}
	if e.Status != EntryActive {
		return nil, nil, Errorf(ECONFLICT, "error.entry_disqualified", "id", e.Number)
	}
	if k.WinnerEntryID != nil {
		return nil, nil, Errorf(ECONFLICT, "error.contest_winner_exists")
	}
	states := []State{StateClosed}
	switch {
	case c.State == StateCancelled:
		return nil, nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	case k.Judging == JudgingBrand:
		states = []State{StateVoting, StateClosed}
		if c.State == StateOpen {
			return nil, nil, Errorf(ECLOSED, "error.contest_pick_too_early", "code", c.Code)
		}
	case c.State != StateClosed:
		return nil, nil, Errorf(ECLOSED, "error.contest_pick_after_voting", "code", c.Code)
	default:
		n := 1
		if k.Judging == JudgingBoth {
			n = BothShortlist
		}
		top, err := s.store.TopEntries(ctx, c.ID, k.Round, n)
		if err != nil {
			return nil, nil, err
		}
		if !slices.ContainsFunc(top, func(t Entry) bool { return t.ID == e.ID }) {
			return nil, nil, Errorf(EINVALID, "error.contest_pick_not_top", "id", e.Number, "ids", entryIDs(top))
		}
	}
	w, err := s.store.AwardEntry(ctx, Award{EntryID: e.ID, Reason: AwardPrize, Amount: k.Prize, States: states,
		At: s.clock.Now(), Announce: func(w *Entry) []Announcement { return s.winnerAnnouncements(c, k, w) }})
	if err != nil {
		return nil, nil, err
	}
	return w, k, nil
}

func entryIDs(es []Entry) string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = fmt.Sprintf("#%d", e.Number)
	}
	return strings.Join(ids, " ")
}

// UseEntry records that the brand uses an entry that did not win, and pays its
// author amount ("" for the contest's prize; an amount without a currency is in the
// prize's).
func (s *Service) UseEntry(ctx context.Context, actor Actor, entryID int64, amount string) (*Entry, error) {
	e, c, k, err := s.entryForAdmin(ctx, actor, entryID)
	if err != nil {
		return nil, err
	}
	if e.Status != EntryActive {
		return nil, Errorf(ECONFLICT, "error.entry_disqualified", "id", e.Number)
	}
	if c.State != StateVoting && c.State != StateClosed {
		return nil, Errorf(ECLOSED, "error.contest_pick_too_early", "code", c.Code)
	}
	pay := k.Prize
	if strings.TrimSpace(amount) != "" {
		if pay, err = ParseMoney(amount, k.Prize.Currency); err != nil {
			return nil, err
		}
	}
	return s.store.AwardEntry(ctx, Award{EntryID: e.ID, Reason: AwardUsedEntry, Amount: pay,
		States: []State{StateVoting, StateClosed}, At: s.clock.Now(),
		Announce: func(e *Entry) []Announcement {
			return []Announcement{MemberNotice(c, e.AuthorID, "notice.entry_used", "title", c.Title, "code", c.Code,
				"id", e.Number, "entry", e.Title, "amount", pay)}
		}})
}

// ContestPayouts lists what a contest paid, for its admins.
func (s *Service) ContestPayouts(ctx context.Context, actor Actor, code string) (*Campaign, []Payout, error) {
	if !actor.Admin {
		return nil, nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	c, _, err := s.Contest(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if err := mayManage(actor, c); err != nil {
		return nil, nil, err
	}
	p, err := s.store.ContestPayouts(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("contest payouts: %w", err)
	}
	return c, p, nil
}

package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SpreadStore keeps what makes campaigns travel: progress schedules, reminders,
// referrals and the points leaderboard.
type SpreadStore interface {
	// DueUpdates returns live campaigns whose next progress post is at or before now,
	// or was never scheduled.
	DueUpdates(ctx context.Context, now time.Time, limit int) ([]DueUpdate, error)
	// ClaimUpdate moves a live campaign's next progress post to next and queues post
	// (when not nil) in the same transaction, only if the post is still due at now
	// (next_update_at null or at or before now). It returns false when the campaign is
	// no longer due: another replica ran it, or it stopped being live.
	ClaimUpdate(ctx context.Context, campaignID int64, next time.Time, post *Announcement, now time.Time) (bool, error)
	// DueReminders returns live campaigns whose deadline falls in (now, until] and
	// that have not been reminded of that deadline.
	DueReminders(ctx context.Context, now, until time.Time, limit int) ([]Campaign, error)
	// QueueReminder records that the campaign was reminded of its deadline and queues
	// the reminder in the same transaction; it returns false when it already was.
	QueueReminder(ctx context.Context, campaignID int64, deadline time.Time, ann Announcement, now time.Time) (bool, error)
	// AddReferral records who brought a member to a campaign, unless the member
	// already came through someone's link (the first referrer counts) or already took
	// part; it returns whether it was recorded.
	AddReferral(ctx context.Context, r Referral, points int) (bool, error)
	// TopPoints returns the members with the most points in a campaign.
	TopPoints(ctx context.Context, campaignID int64, limit int) ([]Standing, error)
	// TopReferrers returns the members who brought the most people in (credited
	// referrals) to a campaign.
	TopReferrers(ctx context.Context, campaignID int64, limit int) ([]Standing, error)
	// MemberStanding returns one member's points and credited referrals in a campaign.
	MemberStanding(ctx context.Context, campaignID, memberID int64) (*Standing, error)
}

// DueUpdate is a campaign whose progress post is due.
type DueUpdate struct {
	Campaign Campaign
	// At is when the post was due; nil when the campaign was never scheduled (it was
	// just created, or its schedule changed).
	At *time.Time
}

// Standing is a member's place on a campaign's leaderboard.
type Standing struct {
	MemberID  int64
	Name      string
	Points    int
	Referrals int // people brought in who took part
}

// Leaderboard is a campaign's ranking of points and of people brought in, with the
// points each action earns.
type Leaderboard struct {
	Campaign  *Campaign
	Points    []Standing
	Referrals []Standing
	Me        *Standing      // the asking member
	Rules     map[string]int // points per action
}

// Limits of the spread area.
const (
	// LeaderboardSize is how many members /top lists.
	LeaderboardSize = 10
	// ReminderBefore is how long before a deadline its reminder goes out.
	ReminderBefore = 24 * time.Hour
	// MaxVia bounds the name of the way a referral came (telegram, web).
	MaxVia = 16
)

// ProgressKey is the announcement key of a campaign's scheduled progress post.
func ProgressKey(k Kind) string { return "progress_post." + string(k) }

// Refer records that the actor came to a campaign through referrerID's personal link
// (via names the way: "telegram" for a deep link, "web" for a web link). The first
// referrer of a member for a campaign is the one credited, when the member first
// takes part; a member's own link, a member who already took part, an unknown
// referrer and a campaign no longer live are ignored without error, so a link always
// leads to the campaign.
func (s *Service) Refer(ctx context.Context, actor Actor, code string, referrerID int64, via string) error {
	if via == "" || Len(via) > MaxVia || strings.IndexFunc(via, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return Errorf(EINVALID, "error.bad_referral")
	}
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return err
	}
	if referrerID <= 0 || referrerID == actor.Member.ID || actor.Member.ID == 0 || !c.State.Live() {
		return nil
	}
	if _, err := s.store.Member(ctx, referrerID); ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return fmt.Errorf("refer: %w", err)
	}
	r := Referral{CampaignID: c.ID, MemberID: actor.Member.ID, ReferrerID: referrerID, Via: via, CreatedAt: s.clock.Now()}
	if _, err := s.store.AddReferral(ctx, r, s.PointsFor(PointsReferral)); err != nil {
		return fmt.Errorf("refer: %w", err)
	}
	return nil
}

// ShareLinks are a member's personal links to a campaign.
type ShareLinks struct {
	Campaign *Campaign
	// Telegram is the t.me deep link, or "" when the bot's name is not known.
	Telegram string
	// Web is the public page with the member's referral.
	Web string
}

// ShareLinks returns the actor's personal links to a live campaign: a Telegram deep
// link to the bot named bot ("" to leave it out) and a web link under publicURL.
func (s *Service) ShareLinks(ctx context.Context, actor Actor, code, bot, publicURL string) (*ShareLinks, error) {
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	if !c.State.Live() {
		return nil, Errorf(ECLOSED, "error.campaign_closed", "code", c.Code)
	}
	l := &ShareLinks{Campaign: c}
	if bot != "" {
		l.Telegram = "https://t.me/" + bot + "?start=" + ReferralPayload(c.Code, actor.Member.ID)
	}
	if publicURL != "" {
		l.Web = strings.TrimRight(publicURL, "/") + "/c/" + c.Code + "?ref=" + strconv.FormatInt(actor.Member.ID, 10)
	}
	return l, nil
}

// MaxStartPayload is Telegram's limit on a deep link's start parameter.
const MaxStartPayload = 64

// ReferralPayload returns the Telegram start payload of memberID's link to the
// campaign: "r_<code>_<member id in base 36>", at most 2+5+1+13 = 21 characters of
// [A-Za-z0-9_]. It names the referrer in the clear: forging one can only credit
// someone else, never oneself (self-referral is ignored), and the credit still needs
// a new member who takes part.
func ReferralPayload(code string, memberID int64) string {
	return "r_" + code + "_" + strconv.FormatInt(memberID, 36)
}

// CampaignPayload returns the Telegram start payload that opens a campaign without
// a referral: "c_<code>".
func CampaignPayload(code string) string { return "c_" + code }

// ParseStartPayload reads a start payload made by ReferralPayload or CampaignPayload.
// It returns ok false for anything else.
func ParseStartPayload(p string) (code string, referrerID int64, ok bool) {
	if len(p) > MaxStartPayload {
		return "", 0, false
	}
	kind, rest, found := strings.Cut(p, "_")
	if !found {
		return "", 0, false
	}
	switch kind {
	case "c":
		return rest, 0, ValidCode(rest)
	case "r":
		code, id, found := strings.Cut(rest, "_")
		if !found || !ValidCode(code) {
			return "", 0, false
		}
		n, err := strconv.ParseInt(id, 36, 64)
		if err != nil || n <= 0 || strconv.FormatInt(n, 36) != id {
			return "", 0, false
		}
		return code, n, true
	}
	return "", 0, false
}

// Leaderboard returns a campaign's top members by points and by people brought in,
// and where the actor stands.
func (s *Service) Leaderboard(ctx context.Context, actor Actor, code string) (*Leaderboard, error) {
	c, err := s.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	b := &Leaderboard{Campaign: c, Rules: map[string]int{}}
	if b.Points, err = s.store.TopPoints(ctx, c.ID, LeaderboardSize); err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	if b.Referrals, err = s.store.TopReferrers(ctx, c.ID, LeaderboardSize); err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	if actor.Member.ID != 0 {
		if b.Me, err = s.store.MemberStanding(ctx, c.ID, actor.Member.ID); err != nil {
			return nil, fmt.Errorf("leaderboard: %w", err)
		}
	}
	for k, v := range s.settings.Points {
		b.Rules[k] = v
	}
	return b, nil
}

// ParkedPosts returns the latest announcements of the actor's space's campaigns that
// the dispatcher gave up on, with the platform's error, newest first. Admins only.
func (s *Service) ParkedPosts(ctx context.Context, actor Actor, limit int) ([]OutboxItem, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	items, err := s.store.Outbox(ctx, OutboxParked, 500)
	if err != nil {
		return nil, fmt.Errorf("parked posts: %w", err)
	}
	// only this space's campaigns: another community's channels are not its business
	mine := map[int64]bool{}
	var out []OutboxItem
	for _, it := range items {
		ok, seen := mine[it.Announcement.CampaignID]
		if !seen {
			c, err := s.store.Campaign(ctx, it.Announcement.CampaignID)
			if err != nil {
				return nil, fmt.Errorf("parked posts: %w", err)
			}
			ok = c.SpaceID == actor.Space.ID
			mine[it.Announcement.CampaignID] = ok
		}
		if ok {
			out = append(out, it)
		}
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// PointActions lists, per kind, the actions that earn points in it, in the order
// they are shown.
var PointActions = map[Kind][]string{
	KindIdeas:      {PointsIdea, PointsVoteReceived, PointsReferral},
	KindPoll:       {PointsBallot, PointsReferral},
	KindContest:    {PointsEntry, PointsVote, PointsReferral},
	KindFundraiser: {PointsPledge, PointsReferral},
	KindTasks:      {PointsAnswer, PointsReferral},
}

// PostDueUpdates queues the scheduled progress post of every live campaign whose
// next post time has passed, and stores its next run. A run missed during downtime
// happens once, now, and the next is the first one after now; a campaign never
// scheduled gets its first run time and no post. Each campaign is claimed with a
// conditional update, so two replicas never both post it. It returns how many posts
// were queued.
func (s *Service) PostDueUpdates(ctx context.Context) (int, error) {
	now := s.clock.Now()
	due, err := s.store.DueUpdates(ctx, now, 100)
	if err != nil {
		return 0, fmt.Errorf("due updates: %w", err)
	}
	posted := 0
	for i := range due {
		c := &due[i].Campaign
		spec := c.Schedule
		if spec == "" {
			spec = DefaultSchedule
		}
		next, err := s.NextRun(spec, c.TimeZone, now)
		if err != nil {
			// a stored schedule that no longer parses: try again in a day rather
			// than on every tick
			next = now.Add(24 * time.Hour)
		}
		var post *Announcement
		if due[i].At != nil {
			a := CampaignAnnouncement(c, ProgressKey(c.Kind), "title", c.Title, "code", c.Code)
			a.Image = "progress"
			post = &a
		}
		ok, err := s.store.ClaimUpdate(ctx, c.ID, next, post, now)
		if err != nil {
			return posted, fmt.Errorf("schedule %s: %w", c.Code, err)
		}
		if ok && post != nil {
			posted++
		}
	}
	return posted, nil
}

// QueueReminders queues, once per deadline, the reminder that a live campaign's
// deadline is less than ReminderBefore away. Campaigns that ran for less than that
// before their deadline get none (their creation said it all). It returns how many
// reminders were queued.
func (s *Service) QueueReminders(ctx context.Context) (int, error) {
	now := s.clock.Now()
	due, err := s.store.DueReminders(ctx, now, now.Add(ReminderBefore), 100)
	if err != nil {
		return 0, fmt.Errorf("due reminders: %w", err)
	}
	queued := 0
	for i := range due {
		c := &due[i]
		if c.DeadlineAt == nil || c.OpensAt.After(c.DeadlineAt.Add(-ReminderBefore)) {
			continue
		}
		key := "remind.closes"
		if c.Kind == KindContest && c.State == StateOpen {
			key = "remind.entries_close"
		}
		a := CampaignAnnouncement(c, key, "title", c.Title, "code", c.Code, "deadline", c.DeadlineAt.Unix())
		// Once keys are unique per destination across campaigns
		a.Once = "remind:" + strconv.FormatInt(c.ID, 10) + ":" + strconv.FormatInt(c.DeadlineAt.Unix(), 10)
		ok, err := s.store.QueueReminder(ctx, c.ID, *c.DeadlineAt, a, now)
		if err != nil {
			return queued, fmt.Errorf("remind %s: %w", c.Code, err)
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

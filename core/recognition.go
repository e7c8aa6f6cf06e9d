package core

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Measure is what ranks a campaign's contributors: each kind has its own.
type Measure string

// The measures of the kinds.
const (
	MeasurePoints        Measure = "points"         // polls and fundraisers: the kept standings
	MeasureAcceptedIdeas Measure = "accepted_ideas" // ideas planned, in progress or done
	MeasureWins          Measure = "wins"           // contest entries awarded (the prize first, then used)
	MeasureAccuracy      Measure = "accuracy"       // the share of a member's decided answers accepted
)

// MeasureOf returns the measure that ranks contributors of a campaign of kind k.
func MeasureOf(k Kind) Measure {
	switch k {
	case KindIdeas:
		return MeasureAcceptedIdeas
	case KindContest:
		return MeasureWins
	case KindTasks:
		return MeasureAccuracy
	}
	return MeasurePoints
}

// AcceptedIdeaStatuses are the statuses that count an idea as accepted.
var AcceptedIdeaStatuses = []IdeaStatus{IdeaPlanned, IdeaInProgress, IdeaDone}

// Contributor is a member ranked by their campaign's measure.
type Contributor struct {
	MemberID int64
	Platform Platform
	Name     string
	// Score is the measure's number: points, accepted ideas, awarded entries, or the
	// accuracy in per cent.
	Score int
	// Of is what an accuracy is out of: the member's decided answers (0 otherwise).
	Of int
}

// Recognition actions: what a recognition gives on the member's platform.
const (
	RecognizeNothing = ""      // no platform grant: the web, or a space without a setting
	RecognizeRole    = "role"  // a Discord role
	RecognizeTitle   = "title" // a Telegram administrator's custom title
)

// Recognition states: where the platform grant is.
const (
	GrantPending = "pending" // waiting to be given
	GrantGiven   = "given"   // given (or nothing to give)
	GrantFailed  = "failed"  // the platform refused it; a new /recognize retries
)

// Revocation states: where taking the grant back is, once the campaign rotated.
const (
	RevokeNone    = ""        // the grant stands
	RevokePending = "pending" // waiting to be taken back
	RevokeDone    = "done"    // taken back (or there was nothing to take back)
	RevokeKept    = "kept"    // the next campaign gave the same member the same thing
	RevokeFailed  = "failed"  // the platform refused to take it back
)

// Recognition records that a campaign recognized a member as one of its top
// contributors, and what that gave them on their platform. A member is recognized
// once per campaign (a unique key): a second close or a repeated command gives
// nothing twice.
type Recognition struct {
	ID         int64
	CampaignID int64
	Code       string // the campaign's, when listed for a member
	Title      string
	MemberID   int64
	Name       string
	Rank       int
	Score      int
	Measure    Measure
	SpaceID    int64  // the space the grant is given in; 0 for none
	Action     string // RecognizeRole, RecognizeTitle or RecognizeNothing
	Value      string // the role id or the title
	State      string
	Revoke     string
	LastError  string // the message key of the platform's last refusal
	CreatedAt  time.Time
}

// Standing reports whether the recognition's grant still stands.
func (r Recognition) Standing() bool { return r.Revoke == RevokeNone }

// RecognitionSetting is what a space gives its campaigns' top contributors: a
// Discord role, or a Telegram custom title.
type RecognitionSetting struct {
	SpaceID         int64
	Platform        Platform
	SpaceExternalID string
	RoleID          string // Discord: the role's id
	Title           string // Telegram: the custom title
	UpdatedAt       time.Time
}

// Action returns what the setting gives and its value, or RecognizeNothing.
func (s RecognitionSetting) Action() (string, string) {
	switch {
	case s.RoleID != "":
		return RecognizeRole, s.RoleID
	case s.Title != "":
		return RecognizeTitle, s.Title
	}
	return RecognizeNothing, ""
}

// RecognitionWork is one grant to give or take back on a platform, claimed by a
// dispatcher under a lease.
type RecognitionWork struct {
	ID               int64
	CampaignID       int64
	MemberID         int64
	Take             bool // take the grant back rather than give it
	Platform         Platform
	SpaceExternalID  string // the guild or chat
	MemberExternalID string // the member's platform id
	Action           string
	Value            string
	Attempts         int
	Claim            string
}

// ProfileStanding is a member's points in one campaign and their place there.
type ProfileStanding struct {
	CampaignID int64
	Code       string
	Title      string
	Kind       Kind
	State      State
	Points     int
	Rank       int // 1 for the most points
}

// ProfileStats are the numbers a member's badges are drawn from.
type ProfileStats struct {
	Points          int               // in every campaign
	Standings       []ProfileStanding // newest campaign first, at most MaxProfileStandings
	AcceptedIdeas   int
	ContestWins     int // entries that won a contest's prize
	AcceptedAnswers int
}

// Badges, derived from what a member did: computed when asked, never stored.
const (
	BadgeFirstIdea     = "first_idea"     // an idea of theirs was accepted
	BadgeContestWinner = "contest_winner" // an entry of theirs won a contest's prize
	BadgeTop3          = "top3"           // top 3 by points of a campaign that ended
	BadgeAnswers100    = "answers_100"    // 100 accepted task answers
)

// Badges lists every badge, in the order they are shown.
var Badges = []string{BadgeFirstIdea, BadgeContestWinner, BadgeTop3, BadgeAnswers100}

// badges derives a member's badges from their numbers.
func (st *ProfileStats) badges() []string {
	var out []string
	if st.AcceptedIdeas > 0 {
		out = append(out, BadgeFirstIdea)
	}
	if st.ContestWins > 0 {
		out = append(out, BadgeContestWinner)
	}
	for _, s := range st.Standings {
		if s.State.Final() && s.State != StateCancelled && s.Rank <= 3 && s.Points > 0 {
			out = append(out, BadgeTop3)
			break
		}
	}
	if st.AcceptedAnswers >= 100 {
		out = append(out, BadgeAnswers100)
	}
	return out
}

// Profile is what /profile shows of a member: points per campaign, badges,
// earnings and the recognitions that stand.
type Profile struct {
	Member       Member
	Points       int // in every campaign
	Standings    []ProfileStanding
	Badges       []string
	Earnings     []Earning
	Recognitions []Recognition
}

// RecognitionStore keeps recognitions and the spaces' settings for them.
type RecognitionStore interface {
	// TopContributors ranks a campaign's members by measure m, best first, leaving
	// out those with nothing to count; an accuracy needs at least minDecided decided
	// answers.
	TopContributors(ctx context.Context, campaignID int64, m Measure, minDecided, limit int) ([]Contributor, error)
	// SetRecognitionSetting stores (or, when both RoleID and Title are empty,
	// removes) a space's setting.
	SetRecognitionSetting(ctx context.Context, s RecognitionSetting) error
	// RecognitionSetting returns a space's setting; its action is RecognizeNothing
	// when it has none.
	RecognitionSetting(ctx context.Context, spaceID int64) (*RecognitionSetting, error)
	// RecognitionSpaces returns the settings of the campaign's own space and of the
	// spaces its channels are linked in, the campaign's own space first.
	RecognitionSpaces(ctx context.Context, campaignID int64) ([]RecognitionSetting, error)
	// Recognize records the recognitions in one transaction and returns those that
	// were new: a member recognized by the campaign already is left as they are. In
	// the same transaction it gives a failed grant of the campaign another try, and,
	// when it recognized anyone new, rotates the space's other campaigns of the same
	// kind, older or newer (the latest to recognize stands): their grants are to be
	// taken back, but for a member the campaign gives the same thing again.
	Recognize(ctx context.Context, c *Campaign, recs []Recognition, now time.Time) ([]Recognition, error)
	// Recognitions lists a campaign's recognitions by rank.
	Recognitions(ctx context.Context, campaignID int64) ([]Recognition, error)
	// MemberRecognitions lists the standing recognitions of a member, newest first.
	MemberRecognitions(ctx context.Context, memberID int64) ([]Recognition, error)
	// ClaimRecognitionWork leases up to limit grants of a platform to give or to
	// take back, until now+lease, under token; takings first, so that a grant the next
	// campaign gives again is never taken after it is given.
	ClaimRecognitionWork(ctx context.Context, platform Platform, now time.Time, lease time.Duration, token string, limit int) ([]RecognitionWork, error)
	// FinishRecognitionWork records the outcome of claimed work: done when errKey is
	// "", else tried again at next, or failed for good when final. A notice, when
	// not nil, is queued in the same transaction. It returns false when the claim
	// was lost.
	FinishRecognitionWork(ctx context.Context, w RecognitionWork, errKey string, final bool, next time.Time, notice *Announcement, now time.Time) (bool, error)
	// ProfileStats returns the numbers of a member's profile.
	ProfileStats(ctx context.Context, memberID int64) (*ProfileStats, error)
}

// Limits of recognition.
const (
	// DefaultRecognizeTop is how many contributors a close or /recognize recognizes.
	DefaultRecognizeTop = 3
	// MaxRecognizeTop bounds /recognize's N.
	MaxRecognizeTop = 25
	// MaxTitleLen is Telegram's limit on an administrator's custom title.
	MaxTitleLen = 16
	// MaxRecognitionAttempts is how many failed tries of a grant make it fail.
	MaxRecognitionAttempts = 8
	// MaxProfileStandings bounds the campaigns a profile lists.
	MaxProfileStandings = 20
)

// RecognitionReport is what /recognize did.
type RecognitionReport struct {
	Campaign *Campaign
	Added    []Recognition // recognized now
	All      []Recognition // everyone the campaign recognized, by rank
}

// TopContributors returns a campaign's best n contributors by its kind's measure.
func (s *Service) TopContributors(ctx context.Context, c *Campaign, n int) ([]Contributor, error) {
	top, err := s.store.TopContributors(ctx, c.ID, MeasureOf(c.Kind), s.settings.TaskGoldWarmup, n)
	if err != nil {
		return nil, fmt.Errorf("top contributors: %w", err)
	}
	return top, nil
}

// Recognize recognizes the top n contributors of a campaign the actor manages (0
// for DefaultRecognizeTop): each is recorded once, and given the space's role or
// title on their platform by the dispatcher. Running it again recognizes only those
// not recognized yet, and gives a grant the platform refused another try.
func (s *Service) Recognize(ctx context.Context, actor Actor, code string, n int) (*RecognitionReport, error) {
	c, err := s.managedCampaign(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		n = DefaultRecognizeTop
	}
	if n < 1 || n > MaxRecognizeTop {
		return nil, Errorf(EINVALID, "error.recognize_top", "max", MaxRecognizeTop)
	}
	if c.State == StateDraft || c.State == StateCancelled || c.State == StateFailed {
		return nil, Errorf(ECLOSED, "error.recognize_state", "code", c.Code)
	}
	added, err := s.recognize(ctx, c, n, s.clock.Now())
	if err != nil {
		return nil, err
	}
	all, err := s.store.Recognitions(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("recognize: %w", err)
	}
	return &RecognitionReport{Campaign: c, Added: added, All: all}, nil
}

// Recognized lists whom a campaign recognized, by rank: the honour stays on its
// public page after a rotation took the role or title back.
func (s *Service) Recognized(ctx context.Context, c *Campaign) ([]Recognition, error) {
	all, err := s.store.Recognitions(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("recognized: %w", err)
	}
	return all, nil
}

// recognize records the top n contributors of c with the grant each gets: the
// setting of the campaign's own space when the member is on its platform, else of
// the first linked space of the member's platform that has one.
func (s *Service) recognize(ctx context.Context, c *Campaign, n int, now time.Time) ([]Recognition, error) {
	top, err := s.TopContributors(ctx, c, n)
	if err != nil {
		return nil, err
	}
	if len(top) == 0 {
		return nil, nil
	}
	spaces, err := s.store.RecognitionSpaces(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("recognize: %w", err)
	}
	recs := make([]Recognition, 0, len(top))
	for i, t := range top {
		r := Recognition{CampaignID: c.ID, MemberID: t.MemberID, Name: t.Name, Rank: i + 1, Score: t.Score,
			Measure: MeasureOf(c.Kind), State: GrantGiven, CreatedAt: now}
		for _, sp := range spaces {
			if action, value := sp.Action(); sp.Platform == t.Platform && action != RecognizeNothing {
				r.SpaceID, r.Action, r.Value, r.State = sp.SpaceID, action, value, GrantPending
				break
			}
		}
		recs = append(recs, r)
	}
	added, err := s.store.Recognize(ctx, c, recs, now)
	if err != nil {
		return nil, fmt.Errorf("recognize: %w", err)
	}
	return added, nil
}

// recognizeEnded recognizes the top contributors of a campaign that has just
// ended, unless it ended without a result (cancelled, or a fundraiser that failed).
func (s *Service) recognizeEnded(ctx context.Context, c *Campaign, now time.Time) error {
	ended, err := s.store.Campaign(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("recognize: %w", err)
	}
	if ended.State != StateClosed && ended.State != StateFunded {
		return nil
	}
	if _, err := s.recognize(ctx, ended, DefaultRecognizeTop, now); err != nil {
		return fmt.Errorf("recognize %s: %w", c.Code, err)
	}
	return nil
}

// SetRecognition sets what the actor's space gives its campaigns' top
// contributors: on Discord a role (its id, or its mention <@&id>), on Telegram a
// custom title (at most MaxTitleLen characters, no emoji). An empty value turns it
// off. Admins of the space only.
func (s *Service) SetRecognition(ctx context.Context, actor Actor, action, value string) (*RecognitionSetting, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	set := RecognitionSetting{SpaceID: actor.Space.ID, Platform: actor.Space.Platform,
		SpaceExternalID: actor.Space.ExternalID, UpdatedAt: s.clock.Now()}
	switch action {
	case RecognizeRole:
		if actor.Space.Platform != Discord {
			return nil, Errorf(EINVALID, "error.recognition_role_discord")
		}
		id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(value), "<@&"), ">")
		if !snowflake(id) {
			return nil, Errorf(EINVALID, "error.recognition_bad_role", "role", CleanLine(Clip(value, 40)))
		}
		set.RoleID = id
	case RecognizeTitle:
		if actor.Space.Platform != Telegram {
			return nil, Errorf(EINVALID, "error.recognition_title_telegram")
		}
		title, err := CheckCustomTitle(value)
		if err != nil {
			return nil, err
		}
		set.Title = title
	case RecognizeNothing:
	default:
		return nil, Errorf(EINVALID, "error.recognition_bad_action")
	}
	if err := s.store.SetRecognitionSetting(ctx, set); err != nil {
		return nil, fmt.Errorf("set recognition: %w", err)
	}
	return &set, nil
}

// RecognitionSetting returns the actor's space's setting. Admins of the space only.
func (s *Service) RecognitionSetting(ctx context.Context, actor Actor) (*RecognitionSetting, error) {
	if !actor.Admin {
		return nil, Errorf(EFORBIDDEN, "error.admin_only")
	}
	return s.store.RecognitionSetting(ctx, actor.Space.ID)
}

// snowflake reports whether s is a Discord id: 1 to 20 digits.
func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckCustomTitle cleans a Telegram administrator's custom title and checks
// Telegram's rules for it: 1 to MaxTitleLen characters, and no emoji.
func CheckCustomTitle(title string) (string, error) {
	title = CleanLine(title)
	if title == "" || Len(title) > MaxTitleLen {
		return "", Errorf(EINVALID, "error.recognition_title_length", "max", MaxTitleLen)
	}
	for _, r := range title {
		if isEmoji(r) {
			return "", Errorf(EINVALID, "error.recognition_title_emoji")
		}
	}
	return title, nil
}

// isEmoji reports whether r is an emoji or a part of one (a variation selector, a
// joiner, a skin tone, a regional indicator), or another pictograph Telegram refuses.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // pictographs, emoticons, transport, flags, skin tones
		r >= 0x2600 && r <= 0x27BF, // miscellaneous symbols and dingbats
		r >= 0x2B00 && r <= 0x2BFF, // arrows and stars drawn as emoji
		r >= 0xFE00 && r <= 0xFE0F, // variation selectors
		r == 0x200D, r == 0x20E3,   // joiner, keycap
		r >= 0xE0020 && r <= 0xE007F: // tag characters of flags
		return true
	}
	return unicode.Is(unicode.So, r) && r > 0x2000
}

// ClaimRecognitionWork leases grants of a platform to give or to take back, for a
// dispatcher.
func (s *Service) ClaimRecognitionWork(ctx context.Context, p Platform, lease time.Duration, token string, limit int) ([]RecognitionWork, error) {
	return s.store.ClaimRecognitionWork(ctx, p, s.clock.Now(), lease, token, limit)
}

// FinishRecognitionWork records what the platform answered to claimed work. A
// refusal that carries a message key (an *Error from the adapter: a missing
// permission, a chat that is no supergroup) fails the grant at once; any other
// error is tried again later, MaxRecognitionAttempts times. When a grant fails for
// good the campaign's creator is told why, once per campaign and reason.
func (s *Service) FinishRecognitionWork(ctx context.Context, w RecognitionWork, cause error) error {
	now := s.clock.Now()
	var key string
	final := false
	if cause != nil {
		key = "error.recognition_failed"
		if e := AsError(cause); e != nil && e.Code != EINTERNAL && e.Code != EUNAVAILABLE {
			key, final = e.Key, true
		}
		final = final || w.Attempts+1 >= MaxRecognitionAttempts
	}
	var notice *Announcement
	if final {
		c, err := s.store.Campaign(ctx, w.CampaignID)
		if err != nil {
			return fmt.Errorf("finish recognition: %w", err)
		}
		if c.CreatedBy != 0 {
			what := "recognition.failed_give"
			if w.Take {
				what = "recognition.failed_take"
			}
			n := MemberNotice(c, c.CreatedBy, what, "code", c.Code, "title", c.Title, "reason", key)
			n.Once = fmt.Sprintf("recognition:%d:%t:%s", c.ID, w.Take, key)
			notice = &n
		}
	}
	next := now.Add(recognitionBackoff(w.Attempts + 1))
	if _, err := s.store.FinishRecognitionWork(ctx, w, key, final, next, notice, now); err != nil {
		return fmt.Errorf("finish recognition: %w", err)
	}
	return nil
}

// recognitionBackoff is the wait before trying a grant again after its n-th
// failure: 10 s doubling, at most 30 minutes.
func recognitionBackoff(n int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < n && d < 30*time.Minute; i++ {
		d *= 2
	}
	return min(d, 30*time.Minute)
}

// Profile returns the actor's profile: points per campaign, badges, earnings and
// the recognitions that stand.
func (s *Service) Profile(ctx context.Context, actor Actor) (*Profile, error) {
	p := &Profile{Member: actor.Member}
	if actor.Member.ID == 0 {
		return p, nil
	}
	st, err := s.store.ProfileStats(ctx, actor.Member.ID)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	p.Points, p.Standings = st.Points, st.Standings
	p.Badges = st.badges()
	if p.Earnings, err = s.store.Earnings(ctx, actor.Member.ID); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if p.Recognitions, err = s.store.MemberRecognitions(ctx, actor.Member.ID); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return p, nil
}

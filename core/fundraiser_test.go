package core

import (
	"strings"
	"testing"
)

func eur(cents int64) Money { return Money{Amount: cents, Currency: "EUR"} }

func TestFundPercentAndLimits(t *testing.T) {
	cases := []struct {
		raised, goal int64
		want         int
	}{
		{0, 100, 0}, {24, 100, 24}, {2499, 10000, 24}, {2500, 10000, 25}, {12400, 10000, 124},
		{1, 3, 33}, {1 << 60, 1 << 40, 1 << 20 * 100}, {-5, 100, 0},
	}
	for _, c := range cases {
		f := Fundraiser{Raised: eur(c.raised), Goal: eur(c.goal)}
		if got := f.Percent(); got != c.want {
			t.Errorf("%d of %d = %d%%, want %d", c.raised, c.goal, got, c.want)
		}
	}
	// the smallest amount that reaches a share, never one cent short
	for _, c := range []struct {
		goal int64
		pct  int
		want int64
	}{{100000, 25, 25000}, {1001, 25, 251}, {3, 50, 2}, {1, 100, 1}} {
		if got := threshold(c.goal, c.pct); got != c.want || percentOf(got, c.goal) < c.pct || percentOf(got-1, c.goal) >= c.pct {
			t.Errorf("threshold(%d, %d) = %d, want %d", c.goal, c.pct, got, c.want)
		}
	}
	f := Fundraiser{Goal: Money{Amount: 90_000_000, Currency: "JPY"}}
	if got := f.MaxPledge(); got.Amount != MaxAmount {
		t.Errorf("max pledge %v is over MaxAmount", got)
	}
	f = Fundraiser{Goal: eur(100000)}
	if got := f.MaxPledge(); got != eur(1000000) {
		t.Errorf("max pledge %v", got)
	}
}

func TestTierValidate(t *testing.T) {
	f := &Fundraiser{Goal: eur(100000), Mode: FundAllOrNothing}
	cases := []struct {
		tier Tier
		err  string
	}{
		{Tier{Title: "  Signed\tCD ", Min: eur(2500), Limit: 100}, ""},
		{Tier{Title: "", Min: eur(2500)}, "error.empty"},
		{Tier{Title: strings.Repeat("x", MaxTierTitle+1), Min: eur(2500)}, "error.too_long"},
		{Tier{Title: "12", Min: eur(2500)}, "error.tier_bad_title"},
		{Tier{Title: "#2", Min: eur(2500)}, "error.tier_bad_title"},
		{Tier{Title: "None", Min: eur(2500)}, "error.tier_bad_title"},
		{Tier{Title: "Poster", Min: Money{2500, "USD"}}, "error.fund_wrong_currency"},
		{Tier{Title: "Poster", Min: eur(1000001)}, "error.pledge_too_large"},
		{Tier{Title: "Poster", Min: eur(100), Limit: -1}, "error.tier_bad_limit"},
		{Tier{Title: "Poster", Min: eur(100), Limit: MaxTierLimit + 1}, "error.tier_bad_limit"},
		{Tier{Title: "Poster", Min: eur(100), Description: strings.Repeat("x", MaxTierDescription+1)}, "error.too_long"},
	}
	for _, c := range cases {
		err := c.tier.Validate(f)
		if e := AsError(err); c.err == "" && err != nil || c.err != "" && (e == nil || e.Key != c.err) {
			t.Errorf("%q: %v, want %q", c.tier.Title, err, c.err)
		}
	}
	tier := Tier{Title: " Signed\tCD ", Min: eur(2500)}
	if err := tier.Validate(f); err != nil || tier.Title != "Signed CD" {
		t.Errorf("title not cleaned: %q, %v", tier.Title, err)
	}
}

func TestFindTier(t *testing.T) {
	tiers := []Tier{{ID: 7, Number: 1, Title: "Signed CD"}, {ID: 9, Number: 2, Title: "Thanks"}}
	for ref, want := range map[string]int64{"1": 7, "#2": 9, "signed cd": 7, " THANKS ": 9, "0": 0, "none": 0, "#0": 0} {
		got, err := FindTier(tiers, ref)
		if err != nil || want == 0 && got != nil || want != 0 && (got == nil || got.ID != want) {
			t.Errorf("FindTier(%q) = %+v, %v; want id %d", ref, got, err, want)
		}
	}
	for _, ref := range []string{"3", "-1", "Gold", "Signed"} {
		if _, err := FindTier(tiers, ref); ErrorCode(err) != ENOTFOUND {
			t.Errorf("FindTier(%q): %v", ref, err)
		}
	}
}

// TestFundCrossings announces each milestone and stretch goal the first time the
// peak passes it, and nothing while it stays below its old height.
func TestFundCrossings(t *testing.T) {
	c := &Campaign{ID: 1, Code: "k7Fq2", Title: "Album"}
	goals := []StretchGoal{{ID: 3, Target: eur(150000)}, {ID: 4, Target: eur(200000)}}
	cases := []struct {
		before, after int64
		want          []string
	}{
		{0, 24999, nil},
		{0, 25000, []string{"fund:milestone:25"}},
		{25000, 25000, nil},
		{24999, 80000, []string{"fund:milestone:25", "fund:milestone:50", "fund:milestone:75"}},
		{80000, 160000, []string{"fund:milestone:100", "fund:stretch:3"}},
		{160000, 90000, nil},
		{0, 500000, []string{"fund:milestone:25", "fund:milestone:50", "fund:milestone:75", "fund:milestone:100", "fund:stretch:3", "fund:stretch:4"}},
	}
	for _, cs := range cases {
		f := &Fundraiser{Goal: eur(100000), Raised: eur(cs.after), Peak: eur(max(cs.before, cs.after))}
		var got []string
		for _, a := range FundCrossings(c, f, eur(cs.before), goals) {
			got = append(got, a.Once)
			if a.CampaignID != 1 || a.MemberID != 0 || a.Args["code"] != "k7Fq2" {
				t.Errorf("announcement %+v", a)
			}
		}
		if strings.Join(got, " ") != strings.Join(cs.want, " ") {
			t.Errorf("%d -> %d announced %v, want %v", cs.before, cs.after, got, cs.want)
		}
		// FundMayCross, knowing only the lowest stretch goal above before, agrees
		var next int64
		for _, g := range goals {
			if g.Target.Amount > cs.before && next == 0 {
				next = g.Target.Amount
			}
		}
		if may := FundMayCross(f.Goal, eur(cs.before), f.Peak, next); may != (len(got) > 0) {
			t.Errorf("%d -> %d (next stretch %d): may cross %v, announced %v", cs.before, cs.after, next, may, got)
		}
	}
	// a stretch goal the milestones do not pass
	if !FundMayCross(eur(100000), eur(160000), eur(170000), 165000) || FundMayCross(eur(100000), eur(160000), eur(170000), 175000) {
		t.Error("a stretch goal between the milestones")
	}
	if a := StretchAnnouncement(c, &Fundraiser{Peak: eur(150000)}, goals[0]); len(a) != 1 || a[0].Key != "announce.fund_stretch" {
		t.Errorf("a stretch goal added below the peak: %v", a)
	}
	if a := StretchAnnouncement(c, &Fundraiser{Peak: eur(149999)}, goals[0]); len(a) != 0 {
		t.Errorf("a stretch goal added above the peak: %v", a)
	}
}

func TestFundSettlement(t *testing.T) {
	c := &Campaign{ID: 1, Code: "k7Fq2", Title: "Album"}
	backers := []Backer{{Pledge: Pledge{MemberID: 5, Amount: eur(3000)}, Tier: "CD"}, {Pledge: Pledge{MemberID: 6, Amount: eur(100)}}}
	cases := []struct {
		mode   FundMode
		raised int64
		state  State
		notice string
	}{
		{FundAllOrNothing, 100000, StateFunded, "notice.fund_funded"},
		{FundAllOrNothing, 99999, StateFailed, "notice.fund_failed"},
		{FundKeepItAll, 10, StateClosed, "notice.fund_closed"},
		{FundKeepItAll, 200000, StateClosed, "notice.fund_closed"},
	}
	for _, cs := range cases {
		f := &Fundraiser{Goal: eur(100000), Raised: eur(cs.raised), Mode: cs.mode, Backers: 2}
		state, anns := FundSettlement(c, f, backers)
		if state != cs.state || len(anns) != 3 || anns[0].MemberID != 0 || anns[0].Once != "fund:settled" {
			t.Fatalf("%s with %d: %s, %+v", cs.mode, cs.raised, state, anns)
		}
		for i, a := range anns[1:] {
			if a.Key != cs.notice || a.MemberID != backers[i].MemberID || a.Args["amount"] != backers[i].Amount || a.Args["tier"] != backers[i].Tier {
				t.Errorf("notice %+v", a)
			}
		}
	}
}

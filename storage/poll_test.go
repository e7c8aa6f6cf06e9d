package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crowdbot/core"
	"crowdbot/storage"
	"crowdbot/storage/storagetest"
)

// pollService returns a service over db with a fake clock at t0, and an admin actor in
// a Telegram group.
func pollService(t testing.TB, db *storage.DB, settings core.Settings) (*core.Service, core.Actor) {
	t.Helper()
	ctx := context.Background()
	sp, err := db.UpsertSpace(ctx, core.SpaceRef{Platform: core.Telegram, ExternalID: "-100777", Title: "Fans"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.UpsertMember(ctx, core.MemberRef{Platform: core.Telegram, ExternalID: "1", Name: "Admin"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(db, core.NewFakeClock(t0), settings)
	return svc, core.Actor{Member: *m, Space: *sp, Channel: "-100777", Admin: true}
}

// voter returns the actor of a member seen for the first time.
func voter(t testing.TB, db *storage.DB, admin core.Actor, id string) (core.Actor, error) {
	m, err := db.UpsertMember(context.Background(), core.MemberRef{Platform: core.Telegram, ExternalID: id, Name: "fan " + id}, t0)
	if err != nil {
		return core.Actor{}, err
	}
	return core.Actor{Member: *m, Space: admin.Space, Channel: admin.Channel}, nil
}

// pollTotals returns a poll with its tally, and the sum of its options' votes.
func pollTotals(t *testing.T, svc *core.Service, code string) (*core.Poll, int) {
	t.Helper()
	_, p, err := svc.Poll(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, o := range p.Options {
		sum += o.Votes
	}
	return p, sum
}

// indexes returns the indexes of options.
func indexes(opts []core.PollOption) []int {
	out := make([]int, len(opts))
	for i, o := range opts {
		out[i] = o.Index
	}
	return out
}

func reportFailures(t *testing.T, failures []error) {
	t.Helper()
	for _, err := range failures[:min(len(failures), 5)] {
		t.Error(err)
	}
	if len(failures) > 5 {
		t.Errorf("... and %d more failures", len(failures)-5)
	}
}

// TestConcurrentBallots has 5,000 members vote at once on one anonymous poll (a tenth
// of them then change their mind), and smaller crowds do the same on an ordinary
// poll and on a multi=2 poll: every count must be exact, and nobody counted twice.
// (On SQLite under -race the crowds are a tenth: see Scale.)
func TestConcurrentBallots(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, kind := range []string{"anonymous", "public", "multi"} {
		t.Run(kind, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				svc, admin := pollService(t, db, core.DefaultSettings())
				in := core.NewPoll{Question: "Best day?", Options: []string{"Mon", "Tue", "Wed", "Thu", "Fri"},
					Anonymous: kind == "anonymous"}
				if kind == "multi" {
					in.Multi = 2
				}
				c, _, err := svc.CreatePoll(ctx, admin, in)
				if err != nil {
					t.Fatal(err)
				}
				members := storagetest.Scale(db, 5000)
				if kind != "anonymous" {
					members = storagetest.Scale(db, 600)
				}
				want := make([]int, 5)
				for i := range members {
					switch {
					case kind == "multi":
						want[i%5]++
						want[(i+2)%5]++
					case i%10 == 0:
						want[(i+1)%5]++
					default:
						want[i%5]++
					}
				}
				failures := storagetest.Crowd(members, 64, func(i int) error {
					a, err := voter(t, db, admin, fmt.Sprint(10000+i))
					if err != nil {
						return err
					}
					if _, held, _, err := svc.Vote(ctx, &a, c.Code, i%5); err != nil || len(held) != 1 {
						return fmt.Errorf("member %d vote: %v %v", i, held, err)
					}
					switch {
					case kind == "multi":
						if _, held, _, err := svc.Vote(ctx, &a, c.Code, (i+2)%5); err != nil || len(held) != 2 {
							return fmt.Errorf("member %d second choice: %v %v", i, held, err)
						}
					case i%10 == 0:
						if _, held, _, err := svc.Vote(ctx, &a, c.Code, (i+1)%5); err != nil || !slices.Equal(indexes(held), []int{(i + 1) % 5}) {
							return fmt.Errorf("member %d change: %v %v", i, held, err)
						}
					}
					return nil
				})
				reportFailures(t, failures)
				_, p, err := svc.Poll(ctx, c.Code)
				if err != nil {
					t.Fatal(err)
				}
				got := make([]int, 5)
				for i, o := range p.Options {
					got[i] = o.Votes
				}
				if p.Ballots != members || !slices.Equal(got, want) {
					t.Fatalf("%d members: %d ballots, votes %v, want %v", members, p.Ballots, got, want)
				}
				if p.Version < int64(members) {
					t.Fatalf("version %d after %d ballots", p.Version, members)
				}
				checkBallotCounts(t, db)
			})
		})
	}
}

// TestConcurrentLimit has members rush a sign-up poll whose options take few people:
// each tries the options in turn until one takes them. No option ever passes its
// limit, and everyone refused is refused cleanly.
func TestConcurrentLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		members := storagetest.Scale(db, 1000)
		limit := max(1, members/4)
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Who helps?", Options: []string{"Setup", "Bar", "Cleanup"}, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var placed, refused atomic.Int64
		failures := storagetest.Crowd(members, 64, func(i int) error {
			a, err := voter(t, db, admin, fmt.Sprint(20000+i))
			if err != nil {
				return err
			}
			for o := range 3 {
				_, _, _, err := svc.Vote(ctx, &a, c.Code, (i+o)%3)
				if err == nil {
					placed.Add(1)
					// some try to move to a fuller option: they are refused or moved, never both
					if i%7 == 0 {
						if _, _, _, err := svc.Vote(ctx, &a, c.Code, (i+o+1)%3); err != nil && core.ErrorCode(err) != core.ELIMIT {
							return err
						}
					}
					return nil
				}
				if core.ErrorCode(err) != core.ELIMIT || core.AsError(err).Key != "error.poll_option_full" {
					return fmt.Errorf("member %d: %v", i, err)
				}
			}
			refused.Add(1)
			return nil
		})
		reportFailures(t, failures)
		_, p, err := svc.Poll(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, o := range p.Options {
			if o.Votes > limit {
				t.Errorf("option %s has %d votes, limit %d", o.Label, o.Votes, limit)
			}
			total += o.Votes
		}
		seats := min(members, 3*limit)
		if int(placed.Load()) != seats || int(refused.Load()) != members-seats || total != seats || p.Ballots != seats {
			t.Fatalf("%d members, limit %d: placed %d, refused %d, votes %d, ballots %d", members, limit, placed.Load(), refused.Load(), total, p.Ballots)
		}
		checkBallotCounts(t, db)
	})
}

// TestVotesRaceTheClose closes a poll while members vote: every vote that was
// acknowledged is in the final tally, and every other one was refused as closed. The
// last quarter of the crowd votes once the close has committed, so that some votes
// are refused however fast the others are.
func TestVotesRaceTheClose(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Q", Options: []string{"A", "B", "C"}})
		if err != nil {
			t.Fatal(err)
		}
		members := storagetest.Scale(db, 400)
		var counted, refused atomic.Int64
		closer, closed := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		var atClose *core.Poll
		wg.Go(func() {
			<-closer
			if _, err := svc.ClosePoll(ctx, admin, c.Code); err != nil {
				t.Error(err)
			}
			close(closed)
			_, atClose, _ = svc.Poll(ctx, c.Code)
		})
		failures := storagetest.Crowd(members, 32, func(i int) error {
			if i == members/2 {
				close(closer)
			}
			if i >= members*3/4 {
				<-closed
			}
			a, err := voter(t, db, admin, fmt.Sprint(30000+i))
			if err != nil {
				return err
			}
			switch _, _, _, err := svc.Vote(ctx, &a, c.Code, i%3); core.ErrorCode(err) {
			case "":
				counted.Add(1)
			case core.ECLOSED:
				refused.Add(1)
			default:
				return err
			}
			return nil
		})
		wg.Wait()
		reportFailures(t, failures)
		p, sum := pollTotals(t, svc, c.Code)
		if p.Ballots != int(counted.Load()) || sum != p.Ballots || counted.Load()+refused.Load() != int64(members) || refused.Load() == 0 {
			t.Fatalf("%d acknowledged, %d refused; tally holds %d ballots, %d votes", counted.Load(), refused.Load(), p.Ballots, sum)
		}
		// nothing landed after the close committed
		if atClose == nil || atClose.Ballots != p.Ballots || atClose.Version != p.Version {
			t.Fatalf("tally at the close %+v, at the end %+v", atClose, p)
		}
		checkBallotCounts(t, db)
	})
}

// TestOneMemberRacesThemselves presses two options of a single-choice poll at once,
// many times: whatever order wins, the member holds at most one vote.
func TestOneMemberRacesThemselves(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Q", Options: []string{"A", "B"}, Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		a, err := voter(t, db, admin, "racer")
		if err != nil {
			t.Fatal(err)
		}
		reportFailures(t, storagetest.Crowd(storagetest.Scale(db, 200), 8, func(i int) error {
			_, _, _, err := svc.Vote(ctx, &a, c.Code, i%2)
			return err
		}))
		_, p, _ := svc.Poll(ctx, c.Code)
		if sum := p.Options[0].Votes + p.Options[1].Votes; sum != p.Ballots || p.Ballots > 1 {
			t.Fatalf("one member holds %d votes and %d ballots", sum, p.Ballots)
		}
		checkBallotCounts(t, db)
	})
}

// TestAnonymousBallotsAreSealed checks what the database holds for an anonymous poll:
// no option in the clear, tokens that differ for the same choice, and tokens that do
// not open without the key.
func TestAnonymousBallotsAreSealed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Secret?", Options: []string{"A", "B", "C"}, Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		var voters []core.Actor
		for i := range 3 {
			a, err := voter(t, db, admin, fmt.Sprint("anon", i))
			if err != nil {
				t.Fatal(err)
			}
			voters = append(voters, a)
			if _, _, _, err := svc.Vote(ctx, &a, c.Code, 1); err != nil {
				t.Fatal(err)
			}
		}
		stored, err := db.StoredBallots(ctx, c.ID)
		if err != nil || len(stored) != 3 {
			t.Fatalf("stored %v, %v", stored, err)
		}
		for i, s := range stored {
			if !strings.HasPrefix(s, "s1.") || len(s) < 30 || slices.Contains(stored[:i], s) {
				t.Fatalf("ballot %d is not an opaque token: %q in %q", i, s, stored)
			}
		}
		if _, err := db.PollBallots(ctx, c.ID, 1, 10); core.ErrorCode(err) != core.EFORBIDDEN {
			t.Fatalf("the store lists anonymous ballots: %v", err)
		}

		// another installation's key opens nothing: the change is refused, nothing moves
		other := core.NewService(&otherSecret{db}, core.NewFakeClock(t0), core.DefaultSettings())
		if _, _, _, err := other.Vote(ctx, &voters[0], c.Code, 2); core.AsError(err) == nil || core.AsError(err).Key != "error.poll_ballot_sealed" {
			t.Fatalf("a foreign key opened a ballot: %v", err)
		}
		// a configured key takes over: old ballots still open, new ones use it
		keyed := core.NewService(db, core.NewFakeClock(t0), core.Settings{BallotKey: []byte("operator key from the environment")})
		if _, held, _, err := keyed.Vote(ctx, &voters[0], c.Code, 2); err != nil || !slices.Equal(indexes(held), []int{2}) {
			t.Fatalf("change with a configured key: %v %v", held, err)
		}
		if _, _, _, err := svc.Vote(ctx, &voters[0], c.Code, 0); core.AsError(err) == nil || core.AsError(err).Key != "error.poll_ballot_sealed" {
			t.Fatalf("a ballot sealed with the configured key opened without it: %v", err)
		}
		_, p, _ := svc.Poll(ctx, c.Code)
		if p.Ballots != 3 || p.Options[0].Votes != 0 || p.Options[1].Votes != 2 || p.Options[2].Votes != 1 {
			t.Fatalf("tally %+v", p.Options)
		}
		checkBallotCounts(t, db)
	})
}

// otherSecret is the store with another installation's ballot secret.
type otherSecret struct{ *storage.DB }

func (otherSecret) BallotSecret(context.Context) ([]byte, error) {
	return []byte("0123456789abcdef0123456789abcdef"), nil
}

func TestBallotSecretIsSharedAndStable(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		keys := make([][]byte, 16)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() {
				k, err := db.BallotSecret(ctx)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		for _, k := range keys {
			if len(k) != 32 || !slices.Equal(k, keys[0]) {
				t.Fatalf("secrets differ: %x vs %x", k, keys[0])
			}
		}
	})
}

func TestPollExportAndPoints(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Pick", Options: []string{"A", "B", "C"}, Multi: 2})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := voter(t, db, admin, "x1")
		b, _ := voter(t, db, admin, "x2")
		for _, v := range []struct {
			who core.Actor
			opt int
		}{{a, 2}, {a, 0}, {b, 1}, {b, 1}, {b, 1}} {
			if _, _, _, err := svc.Vote(ctx, &v.who, c.Code, v.opt); err != nil {
				t.Fatal(err)
			}
		}
		table, err := svc.Export(ctx, admin, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		if table.Name != c.Code+"-ballots" || len(table.Rows) != 2 || table.Rows[0][0] != "telegram:x1" || table.Rows[0][2] != "A; C" || table.Rows[1][2] != "B" {
			t.Fatalf("export %+v", table)
		}
		if _, err := svc.Export(ctx, core.Actor{}, c.Code); core.ErrorCode(err) != core.EFORBIDDEN {
			t.Fatalf("export by a member: %v", err)
		}
		// a ballot earns its points once, however often it changes
		for _, who := range []core.Actor{a, b} {
			if n, err := db.PointsOf(ctx, c.ID, who.Member.ID); n != core.DefaultSettings().Points[core.PointsBallot] || err != nil {
				t.Fatalf("member %d has %d points (%v)", who.Member.ID, n, err)
			}
		}
	})
}

// TestPollCardClaims checks the refresher's bookkeeping: which posted cards are out
// of date, and that one version of a card is claimed once however many ask.
func TestPollCardClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Q", Options: []string{"A", "B"}})
		if err != nil {
			t.Fatal(err)
		}
		stale := func() []core.PollCard {
			t.Helper()
			cards, err := svc.StalePollCards(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			return cards
		}
		a, _ := voter(t, db, admin, "v1")
		if _, _, _, err := svc.Vote(ctx, &a, c.Code, 0); err != nil {
			t.Fatal(err)
		}
		if cards := stale(); len(cards) != 0 {
			t.Fatalf("a card not yet delivered is stale: %+v", cards)
		}
		if err := db.Exec(ctx, `UPDATE outbox_items SET state = 'sent', message_id = '99' WHERE "key" = 'poll.card'`); err != nil {
			t.Fatal(err)
		}
		cards := stale()
		if len(cards) != 1 || cards[0].Version != 1 || cards[0].State != core.StateOpen || cards[0].SpaceExternalID != "-100777" ||
			cards[0].Item.MessageID != "99" || cards[0].Item.ChannelID != "-100777" {
			t.Fatalf("stale cards %+v", cards)
		}
		var wins atomic.Int64
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				ok, err := svc.ClaimPollCard(ctx, cards[0])
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || len(stale()) != 0 {
			t.Fatalf("%d claims of one card version", wins.Load())
		}
		// a failed edit is released and comes back
		if err := svc.ReleasePollCard(ctx, cards[0]); err != nil {
			t.Fatal(err)
		}
		if again := stale(); len(again) != 1 {
			t.Fatal("a released card is not retried")
		}
		if ok, _ := svc.ClaimPollCard(ctx, cards[0]); !ok {
			t.Fatal("a released card cannot be claimed")
		}
		// an older version never overwrites a newer claim
		older := cards[0]
		older.Version = 0
		if ok, _ := svc.ClaimPollCard(ctx, older); ok {
			t.Fatal("an older version was claimed")
		}
		// a state change alone (a cancel) makes the card stale
		if _, err := svc.CancelCampaign(ctx, admin, c.Code); err != nil {
			t.Fatal(err)
		}
		if cards := stale(); len(cards) != 1 || cards[0].State != core.StateCancelled || cards[0].Version != 1 {
			t.Fatalf("after cancel %+v", cards)
		}
	})
}

// TestPollCreateQueuesCardOnce: the card goes to the outbox with the poll, and posting
// it again reaches only channels that lack it.
func TestPollCreateQueuesCardOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		closes := t0.Add(time.Hour)
		c, p, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: strings.Repeat("q", 300), Options: []string{" A ", "B"}, ClosesAt: &closes})
		if err != nil {
			t.Fatal(err)
		}
		if core.Len(c.Title) != core.MaxTitle || p.Options[0].Label != "A" || c.DeadlineAt == nil {
			t.Fatalf("campaign %+v poll %+v", c, p)
		}
		if _, err := svc.PostPoll(ctx, admin, c.Code); err != nil {
			t.Fatal(err)
		}
		items, _ := db.Outbox(ctx, "", 10)
		if len(items) != 1 || items[0].Announcement.Key != "poll.card" || items[0].Announcement.CampaignID != c.ID {
			t.Fatalf("outbox %+v", items)
		}
		// a second poll in the same channel gets its own card and its own result
		c2, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Two", Options: []string{"A", "B"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{c.Code, c2.Code} {
			if _, err := svc.ClosePoll(ctx, admin, code); err != nil {
				t.Fatal(err)
			}
		}
		items, _ = db.Outbox(ctx, "", 10)
		keys := map[string]int{}
		for _, it := range items {
			keys[it.Announcement.Key]++
		}
		if keys["poll.card"] != 2 || keys["poll.result"] != 2 {
			t.Fatalf("outbox %v", keys)
		}
	})
}

// TestFirstBallotsBatch runs one batch of the Postgres first-ballot statements with
// ballots that must land and ballots that must change nothing (a member who voted
// before, a capped option, a closed poll), and checks each answer and every row the
// batch writes; a batch holding an update seen before writes nothing at all.
func TestFirstBallotsBatch(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	svc, admin := pollService(t, db, core.DefaultSettings())
	open, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Open?", Options: []string{"A", "B", "C"}})
	if err != nil {
		t.Fatal(err)
	}
	capped, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Who helps?", Options: []string{"Bar", "Door"}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	closed, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Closed?", Options: []string{"Yes", "No"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ClosePoll(ctx, admin, closed.Code); err != nil {
		t.Fatal(err)
	}
	var m [5]core.Actor
	for i := range m {
		if m[i], err = voter(t, db, admin, fmt.Sprint(40000+i)); err != nil {
			t.Fatal(err)
		}
	}
	// m[0] came through m[4]'s link; m[1] voted for B already; an update was seen
	if ok, err := db.AddReferral(ctx, core.Referral{CampaignID: open.ID, MemberID: m[0].Member.ID, ReferrerID: m[4].Member.ID, Via: "t", CreatedAt: t0}, 7); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, _, _, err := svc.Vote(ctx, &m[1], open.Code, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "INSERT INTO processed_updates (key, created_at) VALUES ('telegram:seen', ?)", t0); err != nil {
		t.Fatal(err)
	}

	ballot := func(c *core.Campaign, a core.Actor, option int, key string, points int) storage.FirstBallot {
		return storage.FirstBallot{CampaignID: c.ID, MemberID: a.Member.ID, Choices: fmt.Sprint(option), Option: option, Key: key, At: t0, Points: points}
	}
	got, err := db.FirstBallots(ctx, []storage.FirstBallot{
		ballot(open, m[0], 0, "telegram:1", 3), // lands, credits the referral
		ballot(open, m[1], 0, "telegram:2", 3), // voted before
		ballot(capped, m[2], 0, "", 3),         // capped options take the general path
		ballot(closed, m[2], 0, "", 3),         // closed
		ballot(open, m[2], 2, "", 0),           // lands, no points
	})
	if err != nil {
		t.Fatal(err)
	}
	landed := func(res []storage.FirstBallotResult) []bool {
		out := make([]bool, len(res))
		for i, r := range res {
			out[i] = r.Landed
		}
		return out
	}
	if want := []bool{true, false, false, false, true}; !slices.Equal(landed(got), want) {
		t.Fatalf("landed %v, want %v", landed(got), want)
	}
	tally := func(c *core.Campaign) (int, []int) {
		t.Helper()
		_, p, err := svc.Poll(ctx, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		votes := make([]int, len(p.Options))
		for i, o := range p.Options {
			votes[i] = o.Votes
		}
		return p.Ballots, votes
	}
	if n, votes := tally(open); n != 3 || !slices.Equal(votes, []int{1, 1, 1}) {
		t.Errorf("open poll: %d ballots, votes %v", n, votes)
	}
	for _, c := range []*core.Campaign{capped, closed} {
		if n, votes := tally(c); n != 0 || slices.Max(votes) != 0 {
			t.Errorf("%s: %d ballots, votes %v after ballots that did not land", c.Code, n, votes)
		}
		if rows, err := db.StoredBallots(ctx, c.ID); err != nil || len(rows) != 0 {
			t.Errorf("%s keeps ballot rows %q (%v)", c.Code, rows, err)
		}
	}
	if rows, _ := db.StoredBallots(ctx, open.ID); !slices.Equal(rows, []string{"0", "1", "2"}) {
		t.Errorf("open poll holds ballots %q", rows)
	}
	for a, want := range map[int]int{0: 3, 2: 0, 4: 7} {
		if p, err := db.PointsOf(ctx, open.ID, m[a].Member.ID); p != want || err != nil {
			t.Errorf("member %d has %d points (%v), want %d", a, p, err, want)
		}
	}
	if n, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM processed_updates WHERE key IN ('telegram:1', 'telegram:2')"); n != 1 || err != nil {
		t.Errorf("%d of the updates recorded (%v), want the one that landed", n, err)
	}

	// the general path takes the others and says why
	if _, _, _, err := svc.Vote(ctx, &m[2], capped.Code, 0); err != nil {
		t.Errorf("capped option through the general path: %v", err)
	}
	if _, _, _, err := svc.Vote(ctx, &m[3], closed.Code, 0); core.ErrorCode(err) != core.ECLOSED {
		t.Errorf("closed poll: %v", err)
	}

	// a batch with an update seen before fails whole and writes nothing
	if _, err := db.FirstBallots(ctx, []storage.FirstBallot{ballot(open, m[3], 0, "", 1), ballot(open, m[4], 1, "telegram:seen", 1)}); err == nil {
		t.Error("a batch with an update seen before landed")
	}
	if n, votes := tally(open); n != 3 || !slices.Equal(votes, []int{1, 1, 1}) {
		t.Errorf("after a failed batch: %d ballots, votes %v", n, votes)
	}

	// voters by reference ride in the batch: a new one is made, a known one found,
	// both with their ballot, and a ballot that does not land still finds its voter
	byRef := func(c *core.Campaign, ref core.MemberRef, option int) storage.FirstBallot {
		return storage.FirstBallot{CampaignID: c.ID, Ref: ref, Choices: fmt.Sprint(option), Option: option, At: t0, Points: 1}
	}
	known := m[3].Member
	got, err = db.FirstBallots(ctx, []storage.FirstBallot{
		byRef(open, core.MemberRef{Platform: core.Discord, ExternalID: "new", Name: "Nia"}, 1),
		byRef(open, core.MemberRef{Platform: known.Platform, ExternalID: known.ExternalID, Name: known.Name}, 2),
		byRef(closed, core.MemberRef{Platform: core.Discord, ExternalID: "late", Name: "Lu"}, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	made, _ := db.FindMember(ctx, core.MemberRef{Platform: core.Discord, ExternalID: "new"})
	late, _ := db.FindMember(ctx, core.MemberRef{Platform: core.Discord, ExternalID: "late"})
	if made == nil || late == nil {
		t.Fatalf("members by reference not made: %v %v", made, late)
	}
	if want := []bool{true, true, false}; !slices.Equal(landed(got), want) {
		t.Errorf("by reference landed %v, want %v", landed(got), want)
	}
	for i, id := range []int64{made.ID, known.ID, late.ID} {
		if got[i].Member.ID != id {
			t.Errorf("ballot by reference %d found member %d, want %d", i, got[i].Member.ID, id)
		}
	}
	if n, votes := tally(open); n != 5 || !slices.Equal(votes, []int{1, 2, 2}) {
		t.Errorf("after ballots by reference: %d ballots, votes %v", n, votes)
	}
	if p, err := db.PointsOf(ctx, open.ID, made.ID); p != 1 || err != nil {
		t.Errorf("new member has %d points (%v), want 1", p, err)
	}
	checkStandings(t, db)
	checkBallotCounts(t, db)
}

// TestBallotsByReference: people the bot has never seen cast ballots as actors
// identified later (core.Service.IdentifyLater), many at once, some pressing a second
// option at the same moment, on an open and on an anonymous poll: each is made a
// member once, holds one ballot, and every count matches the ballots stored; a later
// press, again by reference, changes the ballot it finds (the anonymous one opened
// under the member's id).
func TestBallotsByReference(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		for _, anonymous := range []bool{false, true} {
			c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Which?", Options: []string{"A", "B", "C"}, Anonymous: anonymous})
			if err != nil {
				t.Fatal(err)
			}
			base := 60000
			if anonymous {
				base = 61000
			}
			stranger := func(i int) *core.Actor {
				id := fmt.Sprint(base + i)
				return &core.Actor{Member: core.Member{Platform: core.Discord, ExternalID: id, Name: "new " + id}, Space: admin.Space, Channel: admin.Channel}
			}
			people := storagetest.Scale(db, 600)
			failures := storagetest.Crowd(people, 48, func(i int) error {
				errs := make(chan error, 2)
				press := func(option int) {
					a := stranger(i)
					_, _, _, err := svc.Vote(ctx, a, c.Code, option)
					if err == nil && a.Member.ID == 0 {
						err = fmt.Errorf("person %d not filled in", i)
					}
					errs <- err
				}
				go press(i % 3)
				if i%7 == 0 {
					go press((i + 1) % 3)
				} else {
					errs <- nil
				}
				return errors.Join(<-errs, <-errs)
			})
			reportFailures(t, failures)
			p, sum := pollTotals(t, svc, c.Code)
			rows, _ := db.StoredBallots(ctx, c.ID)
			members, err := db.QueryInt(ctx, "SELECT COUNT(*) FROM members WHERE platform = 'discord' AND external_id LIKE ?", fmt.Sprint(base/1000)+"%")
			if err != nil || p.Ballots != people || sum != people || len(rows) != people || members != int64(people) {
				t.Errorf("anonymous=%v: %d ballots counted, %d option votes, %d stored, %d members, for %d people (%v)",
					anonymous, p.Ballots, sum, len(rows), members, people, err)
			}
			// person 1 holds option 1: pressing it again by reference takes it back
			if _, held, _, err := svc.Vote(ctx, stranger(1), c.Code, 1); err != nil || len(held) != 0 {
				t.Errorf("anonymous=%v: second press by reference: %v, holds %v", anonymous, err, held)
			}
		}
		checkStandings(t, db)
		checkBallotCounts(t, db)
	})
}

// checkBallotCounts checks every poll's kept ballot count against its voters holding
// a ballot.
func checkBallotCounts(t testing.TB, db *storage.DB) {
	t.Helper()
	n, err := db.QueryInt(context.Background(), `SELECT COUNT(*) FROM polls p
		WHERE (SELECT COALESCE(SUM(ballots), 0) FROM poll_ballot_counts b WHERE b.campaign_id = p.campaign_id)
		<> (SELECT COUNT(*) FROM poll_voters v WHERE v.campaign_id = p.campaign_id AND v.voted)`)
	if err != nil || n != 0 {
		t.Errorf("%d polls whose kept ballot count is not their voters' (%v)", n, err)
	}
}

// TestFirstBallotsAnswerWithTheirTally checks the counts a crowd's first ballots are
// answered with (the card of each press): each holds the member's own ballot, and
// the last ballot on each option, whose write held the option, shows its final count.
func TestFirstBallotsAnswerWithTheirTally(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, db, core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Which?", Options: []string{"A", "B", "C"}})
		if err != nil {
			t.Fatal(err)
		}
		members := storagetest.Scale(db, 300)
		var mu sync.Mutex
		best := make([]int, 3) // the highest count of each option a voter for it was shown
		failures := storagetest.Crowd(members, 32, func(i int) error {
			// voters by reference, as a crowd the bot has never seen presses
			a := core.Actor{Member: core.Member{Platform: core.Telegram, ExternalID: fmt.Sprint(40000 + i), Name: "fan"},
				Space: admin.Space, Channel: admin.Channel}
			option := i % 2 // C gets nothing
			_, _, p, err := svc.Vote(ctx, &a, c.Code, option)
			if err != nil {
				return err
			}
			sum := 0
			for _, o := range p.Options {
				sum += o.Votes
			}
			if p.Options[option].Votes < 1 || p.Options[2].Votes != 0 || p.Ballots != sum || sum > members {
				return fmt.Errorf("ballot %d for %d answered with %+v", i, option, p)
			}
			mu.Lock()
			best[option] = max(best[option], p.Options[option].Votes)
			mu.Unlock()
			return nil
		})
		reportFailures(t, failures)
		p, sum := pollTotals(t, svc, c.Code)
		if sum != members || p.Ballots != members {
			t.Fatalf("tally %+v after %d ballots", p, members)
		}
		for i := range 2 {
			if best[i] != p.Options[i].Votes {
				t.Errorf("option %d: the last voter saw %d votes, the poll holds %d", i, best[i], p.Options[i].Votes)
			}
		}
		checkBallotCounts(t, db)
	})
}

// TestPressesAfterAnotherReplicaCloses checks that a poll or fundraiser closed by
// another replica refuses the next press at once, though this replica read the
// campaign as open a moment ago.
func TestPressesAfterAnotherReplicaCloses(t *testing.T) {
	storagetest.Replicas(t, 2, func(t *testing.T, dbs []*storage.DB) {
		ctx := context.Background()
		svc, admin := pollService(t, dbs[0], core.DefaultSettings())
		other := core.NewService(dbs[1], core.NewFakeClock(t0), core.DefaultSettings())
		c, _, err := svc.CreatePoll(ctx, admin, core.NewPoll{Question: "Which?", Options: []string{"A", "B"}})
		if err != nil {
			t.Fatal(err)
		}
		fc, _, err := svc.CreateFundraiser(ctx, admin, core.NewFundraiser{Title: "Roof", Goal: "1000 EUR", Locale: "en", ClosesAt: new(t0.Add(30 * 24 * time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		press := func(i int) (error, error) {
			a := core.Actor{Member: core.Member{Platform: core.Telegram, ExternalID: fmt.Sprint(50000 + i), Name: "fan"},
				Space: admin.Space, Channel: admin.Channel}
			_, _, _, verr := svc.Vote(ctx, &a, c.Code, 0)
			if err := svc.Enroll(ctx, &a); err != nil {
				t.Fatal(err)
			}
			_, _, perr := svc.Pledge(ctx, &a, core.PledgeInput{Code: fc.Code, Amount: "5", Locale: "en"})
			return verr, perr
		}
		if verr, perr := press(0); verr != nil || perr != nil {
			t.Fatalf("while open: %v, %v", verr, perr)
		}
		if _, err := other.ClosePoll(ctx, admin, c.Code); err != nil {
			t.Fatal(err)
		}
		if _, err := other.CancelCampaign(ctx, admin, fc.Code); err != nil {
			t.Fatal(err)
		}
		if verr, perr := press(1); core.ErrorCode(verr) != core.ECLOSED || core.ErrorCode(perr) != core.ECLOSED {
			t.Fatalf("after the other replica closed: %v, %v", verr, perr)
		}
		_, p, err := svc.Poll(ctx, c.Code)
		if err != nil || p.Ballots != 1 {
			t.Fatalf("poll after the close: %+v %v", p, err)
		}
	})
}

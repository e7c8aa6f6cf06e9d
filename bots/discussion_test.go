package bots_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	. "crowdbot/bots/botstest"
	"crowdbot/core"
)

// commentNotices returns the queued notices of new comments to who, oldest first.
func commentNotices(t *testing.T, h *Harness, who Who) []core.OutboxItem {
	t.Helper()
	m, err := h.Store.FindMember(context.Background(), core.MemberRef{Platform: who.Platform, ExternalID: who.ID})
	if err != nil || m == nil {
		t.Fatalf("member %s: %v", who.Name, err)
	}
	items, err := h.Store.Outbox(context.Background(), "", core.MaxOutboxList)
	if err != nil {
		t.Fatal(err)
	}
	var out []core.OutboxItem
	for i := len(items) - 1; i >= 0; i-- {
		if it := items[i]; it.Announcement.Key == "notice.idea_comments" && it.MemberID == m.ID {
			out = append(out, it)
		}
	}
	return out
}

// TestDiscussionConversation discusses an idea in each language: comments,
// the list, the count on the board, the author's paced notice, moderation by the
// campaign's admins only, bad input, a repeated update and the close.
func TestDiscussionConversation(t *testing.T) {
	for _, lang := range core.Locales {
		t.Run(lang, func(t *testing.T) {
			h := New(t)
			admin, bob, carol, dave := Admin.In(lang), Bob.In(lang), Carol.In(lang), Dave.In(lang)
			code := Code(t, h.Expect(h.Say(admin, `/campaign new ideas "Next flavour"`), "campaign.created"))
			idea := h.Expect(h.Say(bob, "/idea "+code+" Pistachio and lemon"), "idea.added").Args["id"].(int64)
			ref := fmt.Sprintf("%s %d", code, idea)

			h.Expect(h.Say(carol, "/comments "+ref), "comments.empty")
			first := h.Expect(h.Say(carol, "/comment "+ref+" I can design   the label 🎨"), "comment.added")
			if first.Args["n"] != int64(1) || first.Args["id"] != idea {
				t.Fatalf("first comment: %v", first.Args)
			}
			h.Expect(h.Say(dave, "/comment "+strings.ToLower(code)+fmt.Sprintf(" #%d", idea)+" I know a lemon grower"), "comment.added")
			h.Expect(h.Say(bob, "/comment "+ref+" Thanks both!"), "comment.added")

			list := h.Expect(h.Say(carol, "/comments "+ref), "comments.title")
			if len(list.Lines) != 3 || list.Args["count"] != 3 || !strings.Contains(list.Text, "I can design the label 🎨") || !strings.Contains(list.Text, "Dave") {
				t.Fatalf("comments: %q", list.Text)
			}
			board := h.Expect(h.Say(carol, "/ideas "+code), "ideas.title")
			if board.Lines[0].Args["comments"] != 3 || !strings.Contains(board.Text, "💬3") {
				t.Fatalf("the board shows no comment count: %q", board.Text)
			}

			// Bob heard of Carol's comment at once; Dave's, within the hour, waits
			// (Bob's own is no news), and comes with the next one after the hour
			notices := commentNotices(t, h, bob)
			if len(notices) != 1 {
				t.Fatalf("%d notices to the author, want 1", len(notices))
			}
			h.Clock.Advance(59 * time.Minute)
			h.Expect(h.Say(carol, "/comment "+ref+" Label draft is ready"), "comment.added")
			if n := len(commentNotices(t, h, bob)); n != 1 {
				t.Fatalf("a second notice within the hour: %d", n)
			}
			h.Clock.Advance(time.Minute)
			h.Expect(h.Say(dave, "/comment "+ref+" Grower says yes"), "comment.added")
			notices = commentNotices(t, h, bob)
			if len(notices) != 2 {
				t.Fatalf("%d notices after the hour, want 2", len(notices))
			}
			card, err := h.Router.Card(context.Background(), notices[1].Announcement, lang)
			if err != nil {
				t.Fatal(err)
			}
			want := h.Router.Catalog().T(lang, "notice.idea_comments", map[string]any{"count": 3, "id": idea, "title": "Next flavour", "code": code})
			if card.Text != want || !strings.Contains(card.Text, "3") {
				t.Fatalf("notice reads %q, want %q", card.Text, want)
			}

			// moderation: the campaign's admins only
			h.Expect(h.Say(bob, "/comment hide "+ref+" 2"), "error.admin_only")
			stranger := Who{Platform: core.Telegram, ID: "2001", Name: "Mallory", Locale: lang, Admin: true, Space: "-2002", Channel: "-2002"}
			h.Expect(h.Say(stranger, "/comment hide "+ref+" 2"), "error.not_your_campaign")
			h.Expect(h.Say(admin, "/comment hide "+ref+" 2"), "comment.hidden")
			h.Expect(h.Say(admin, "/comment hide "+ref+" 2"), "error.comment_already_hidden")
			h.Expect(h.Say(admin, "/comment hide "+ref+" 99"), "error.comment_not_found")
			h.Expect(h.Say(admin, "/comment hide "+ref+" x"), "error.bad_comment_id")
			if l := h.Expect(h.Say(carol, "/comments "+ref), "comments.title"); len(l.Lines) != 4 || strings.Contains(l.Text, "lemon grower") {
				t.Fatalf("a hidden comment is listed: %q", l.Text)
			}
			h.Expect(h.Say(admin, "/comment unhide "+ref+" 2"), "comment.unhidden")
			h.Expect(h.Say(admin, "/comment unhide "+ref+" 2"), "error.comment_not_hidden")

			// bad input: nothing is stored, and the member is told why
			h.Expect(h.Say(carol, "/comment "+ref), "error.usage")
			h.Expect(h.Say(carol, "/comment "+ref+" \x00\x01\u202e  "), "error.empty")
			h.Expect(h.Say(carol, "/comment "+ref+" "+strings.Repeat("é", core.MaxCommentText+1)), "error.too_long")
			h.Expect(h.Say(carol, "/comment "+code+" 99 hello"), "error.idea_not_found")
			h.Expect(h.Say(carol, fmt.Sprintf("/comment %d hello there", idea)), "error.ref_needs_code")

			// the same update delivered twice adds one comment
			in := h.Input(carol)
			in.Text = "/comment " + ref + " Said once"
			h.Expect(h.Do(in), "comment.added")
			if again := h.Do(in); len(again) != 0 {
				t.Fatalf("repeated update answered %v", Keys(again))
			}
			if l := h.Expect(h.Say(carol, "/comments "+ref), "comments.title"); l.Args["count"] != 6 {
				t.Fatalf("%v comments after a repeated update, want 6", l.Args["count"])
			}

			// a comment through the button's question
			ask := h.Expect(h.Press(dave, fmt.Sprintf("ck:%d", first.Args["idea_id"])), "comment.prompt")
			if ask.Prompt == nil {
				t.Fatalf("no prompt: %+v", ask)
			}
			h.Expect(h.Say(dave, "By the prompt"), "comment.added")

			// a hidden idea takes no comment and shows none
			h.Expect(h.Say(admin, "/idea hide "+ref), "idea.hidden")
			h.Expect(h.Say(carol, "/comment "+ref+" still there?"), "error.idea_not_found")
			h.Expect(h.Say(carol, "/comments "+ref), "error.idea_not_found")
			h.Expect(h.Say(admin, "/idea unhide "+ref), "idea.unhidden")

			h.Expect(h.Say(admin, "/campaign close "+code+" confirm"), "campaign.closed")
			h.Expect(h.Say(carol, "/comment "+ref+" Too late"), "error.campaign_closed")
			h.Expect(h.Say(carol, "/comments "+ref), "comments.title")
		})
	}
}

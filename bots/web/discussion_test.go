package web

import (
	"fmt"
	"strings"
	"testing"

	"crowdbot/bots/botstest"
)

// TestCampaignPageDiscussion comments on an idea in the playground and reads the
// discussion on the campaign's public page: the count, the latest comments escaped,
// a note of the earlier ones, and no hidden comment.
func TestCampaignPageDiscussion(t *testing.T) {
	e := newEnv(t)
	c := e.create("Bike lanes", "")
	b := e.browser()
	b.say("bob", "/idea "+c.Code+" Along the canal")
	b.say("bob", "/idea "+c.Code+" Past the schools")
	for i := range 6 {
		b.say("dave", fmt.Sprintf("/comment %s 1 Note %d", c.Code, i+1))
	}
	added := b.say("carol", "/comment "+c.Code+` 1 <script>alert("c")</script> I can map it`)
	if len(added) != 1 || !strings.Contains(text(added[0]), e.tr("en", "comment.added", "n", 7, "id", 1)) {
		t.Fatalf("the playground answered %v", added)
	}
	e.h.Expect(e.h.Say(botstest.Admin, "/comment hide "+c.Code+" 1 6"), "comment.hidden")

	page := b.get("/c/" + c.Code).Body
	for _, want := range []string{
		e.tr("en", "web.count.comments", "count", 6),
		"&lt;script&gt;alert(&#34;c&#34;)&lt;/script&gt; I can map it",
		`<span class="author">dave</span> <span class="text">Note 5</span>`,
		e.tr("en", "web.comments.more", "count", 1, "code", c.Code, "id", 1),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script>alert", "Note 1", "Note 6"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	// the idea without comments shows no count
	if n := strings.Count(page, `class="comments-count"`); n != 1 {
		t.Errorf("%d comment counts on the page, want 1", n)
	}
	// Bob, the idea's author, hears of the comments with his next message (the
	// web's way of private notices), and reads them
	list := b.say("bob", "/comments "+c.Code+" 1")
	if len(list) != 2 || text(list[0]) != e.tr("en", "notice.idea_comments", "count", 1, "id", 1, "title", "Bike lanes", "code", c.Code) ||
		!strings.Contains(text(list[1]), "I can map it") {
		t.Errorf("/comments in the playground: %v", list)
	}
}

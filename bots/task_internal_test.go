package bots

import "testing"

func TestTaskCutOption(t *testing.T) {
	for _, tc := range []struct{ line, rest, value string }{
		{`/tasks new "T" answer=choice:"red car","blue car" per_item=3`, `/tasks new "T"  per_item=3`, `choice:"red car","blue car"`},
		{`/tasks new "T" ANSWER="choice:a, b"`, `/tasks new "T" `, `choice:a, b`},
		{`/tasks new "T" instructions="type answer=yes here" answer=text`, `/tasks new "T" instructions="type answer=yes here" `, `text`},
		{`/tasks new "T" my_answer=x`, `/tasks new "T" my_answer=x`, ``},
	} {
		rest, value, _ := taskCutOption(tc.line, "answer")
		if rest != tc.rest || value != tc.value {
			t.Errorf("taskCutOption(%q) = %q, %q; want %q, %q", tc.line, rest, value, tc.rest, tc.value)
		}
	}
	head, body := taskSplitLines("/tasks new \"T\" instructions=\"two\nlines\" answer=text\nitem 1\nitem 2")
	if head != "/tasks new \"T\" instructions=\"two\nlines\" answer=text" || body != "item 1\nitem 2" {
		t.Errorf("split: %q | %q", head, body)
	}
}

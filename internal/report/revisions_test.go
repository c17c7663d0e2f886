package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

// revisionsRun is the typical run as if its variants came from two
// revisions: the baseline's from HEAD~1, the others from the worktree.
func revisionsRun() *result.Run {
	run := typicalRun()
	for i := range run.Variants {
		v := &run.Variants[i]
		v.Settings = v.Settings.Clone()
		r := &result.Revision{Rev: "worktree", Commit: "5d6e7f8aa", Short: "5d6e7f8", Subject: "Pre-size the buffer", Dirty: true}
		if v.Name == run.Baseline {
			r = &result.Revision{Rev: "HEAD~1", Commit: "3f2a9c1bb", Short: "3f2a9c1", Subject: "Add the quote cache", Tree: "t1"}
		}
		v.Settings["rev"] = r.Rev
		v.Revision = r
	}
	return run
}

func TestRevisionsInReports(t *testing.T) {
	run := revisionsRun()
	const line = `revisions: HEAD~1 (3f2a9c1 "Add the quote cache", baseline), worktree (5d6e7f8 + uncommitted changes)`
	var text, md, page bytes.Buffer
	if err := Text(&text, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\n"+line+"\n") {
		t.Errorf("text report without the revisions line:\n%s", text.String())
	}
	if !strings.Contains(text.String(), "rev=HEAD~1 GOAMD64=v1") {
		t.Errorf("the baseline's settings do not name its revision:\n%s", text.String())
	}
	if err := Markdown(&md, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), `Revisions: HEAD\~1 (3f2a9c1 "Add the quote cache", baseline), worktree (5d6e7f8 + uncommitted changes)`) {
		t.Errorf("markdown report without the revisions:\n%s", md.String())
	}
	if err := HTML(&page, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "3f2a9c1 &#34;Add the quote cache&#34;") {
		t.Errorf("HTML report without the revisions")
	}
	// A run without revisions says nothing of them.
	text.Reset()
	if err := Text(&text, typicalRun(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "revisions") || strings.Contains(text.String(), "rev=") {
		t.Errorf("a run without revisions mentions them:\n%s", text.String())
	}
}

func TestSameCodeAcrossRevisions(t *testing.T) {
	run := revisionsRun()
	var text bytes.Buffer
	if err := Text(&text, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "(they differ only in revision, -ldflags, and the compiler produced identical code)") {
		t.Errorf("same-code note:\n%s", text.String())
	}
}

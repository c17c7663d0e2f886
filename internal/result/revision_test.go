package result

import (
	"fmt"
	"testing"

	"github.com/gotune/gotune/internal/axis"
)

func TestRevisionLabel(t *testing.T) {
	tests := []struct {
		r    Revision
		want string
	}{
		{Revision{Rev: "HEAD~1", Short: "3f2a9c1", Subject: "Pre-size the buffer", Tree: "t"}, `HEAD~1 (3f2a9c1 "Pre-size the buffer")`},
		{Revision{Rev: "3f2a9c1", Short: "3f2a9c1", Subject: "x", Tree: "t"}, `3f2a9c1 ("x")`},
		{Revision{Rev: "worktree", Short: "3f2a9c1", Subject: "x", Dirty: true}, `worktree (3f2a9c1 + uncommitted changes)`},
		{Revision{Rev: "worktree", Short: "3f2a9c1", Subject: "x"}, `worktree (3f2a9c1 "x")`},
		{Revision{Rev: "worktree"}, `worktree`},
	}
	for _, tt := range tests {
		if got := tt.r.Label(); got != tt.want {
			t.Errorf("Label() = %s, want %s", got, tt.want)
		}
	}
}

func TestFileConfigRev(t *testing.T) {
	v := Variant{Name: "baseline", Settings: axis.Settings{"goamd64": "v1"}}
	if got := fmt.Sprint(v.FileConfig()); got != "[[variant baseline] [goamd64 v1] [pgo none] [ldflags none] [gcflags none] [env none] [gogc none] [gomemlimit none] [gomaxprocs none] [runenv none]]" {
		t.Errorf("without revisions: %s", got)
	}
	v.Settings["rev"] = "HEAD~1"
	if got := fmt.Sprint(v.FileConfig()[:2]); got != "[[variant baseline] [rev HEAD~1]]" {
		t.Errorf("with a revision: %s", got)
	}
}

func TestRevisionsLine(t *testing.T) {
	vs := []Variant{
		{Name: "baseline", Revision: &Revision{Rev: "main", Short: "3f2a9c1", Subject: "a", Tree: "t"}},
		{Name: "pgo=off", Revision: &Revision{Rev: "main", Short: "3f2a9c1", Subject: "a", Tree: "t"}},
		{Name: "rev=worktree", Revision: &Revision{Rev: "worktree"}},
	}
	if got := RevisionsLine(vs, "baseline"); got != `revisions: main (3f2a9c1 "a", baseline), worktree` {
		t.Errorf("RevisionsLine = %s", got)
	}
	vs[0].Revision, vs[1].Revision = &Revision{Rev: "worktree"}, nil
	if got := RevisionsLine(vs[:2], "baseline"); got != "revisions: worktree (baseline)" {
		t.Errorf("RevisionsLine = %s", got)
	}
	if got := RevisionsLine(vs[1:2], "baseline"); got != "" {
		t.Errorf("RevisionsLine without revisions = %q", got)
	}
}

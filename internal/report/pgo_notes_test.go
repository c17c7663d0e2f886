package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

func TestTextShowsPGOEvidence(t *testing.T) {
	run := typicalRun()
	run.PGOCollected = &result.PGOCollection{Profile: "/tmp/gotune-1722/collected.pgo", Rounds: 2, Samples: 1041, Bytes: 28058}
	run.Variants = append(run.Variants,
		result.Variant{Name: "pgo=collect", Status: result.StatusOK, Settings: axis.Settings{"pgo": "collect"}, Profile: "/tmp/gotune-1722/collected.pgo",
			PGOEffect: &result.PGOEffect{CodeChanged: true, HotInlines: 17, Devirtualized: 1, HotFunctions: 19}},
		result.Variant{Name: "pgo=collect,ldflags=-s -w", Status: result.StatusOK, Settings: axis.Settings{"pgo": "collect", "ldflags": "-s -w"}, SameCodeAs: "pgo=collect",
			PGOEffect: &result.PGOEffect{CodeChanged: true, HotInlines: 17, Devirtualized: 1, HotFunctions: 19}},
		result.Variant{Name: "pgo=empty.pprof", Status: result.StatusSkipped, Settings: axis.Settings{"pgo": "empty.pprof"}, Reason: "no PGO effect: code equals -pgo=off",
			PGOEffect: &result.PGOEffect{CodeChanged: false}},
		result.Variant{Name: "pgo=other.pprof", Status: result.StatusSkipped, Settings: axis.Settings{"pgo": "other.pprof"},
			PGOEffect: &result.PGOEffect{CodeChanged: false}},
		result.Variant{Name: "goamd64=v3,pgo=collect", Status: result.StatusOK, Settings: axis.Settings{"goamd64": "v3", "pgo": "collect"}, Profile: "/tmp/gotune-1722/collected.pgo",
			PGOEffect: &result.PGOEffect{CodeChanged: true, HotInlines: 17, Devirtualized: 1, HotFunctions: 19}},
	)
	analysed(run) // the new variants have no samples: not measured
	var buf bytes.Buffer
	if err := Text(&buf, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "pgo=collect,ldflags=-s -w: PGO took effect") {
		t.Errorf("a same-code twin repeats its twin's PGO evidence")
	}
	for _, want := range []string{
		"pgo=collect: profile from 2 profiling rounds of the baseline's benchmarks, before and apart from the measured blocks: 1041 samples, 27.4 KiB",
		// The same evidence for two variants is one note.
		"  - pgo=collect and goamd64=v3,pgo=collect: PGO took effect: code differs from -pgo=off; 17 hot call sites inlined, 1 calls devirtualized, 19 hot functions\n",
		"pgo=other.pprof: no PGO effect: its compiled code equals -pgo=off, so it was not measured",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
	// A skipped variant whose row says why has no note repeating it.
	if n := strings.Count(buf.String(), "no PGO effect"); n != 2 {
		t.Errorf("%q is said %d times, want twice (the row of pgo=empty.pprof, the note of pgo=other.pprof):\n%s", "no PGO effect", n, buf.String())
	}
}

func TestTextCountsScreenedOutVariants(t *testing.T) {
	run := typicalRun()
	for _, name := range []string{"goamd64=v2,pgo=off", "goamd64=v3,pgo=off"} {
		run.Variants = append(run.Variants, result.Variant{Name: name, Status: result.StatusSkipped,
			Reason: result.ReasonScreenedOut + " varies one axis at a time (--search grid builds every variant)"})
	}
	var buf bytes.Buffer
	if err := Text(&buf, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "goamd64=v2,pgo=off") {
		t.Errorf("a screened-out variant has a row of its own:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "2 variants of the matrix were not built: screening varies one axis at a time") {
		t.Errorf("no note counts the screened-out variants:\n%s", buf.String())
	}
}

// TestTextMeasuredProfileWithoutEffect: a variant measured although its
// profile had no effect (the baseline, or goamd64=v3 with the baseline's
// own default.pgo) is not said to be "not measured" (issue 11 item 5).
func TestTextMeasuredProfileWithoutEffect(t *testing.T) {
	run := typicalRun()
	for _, name := range []string{"goamd64=v1", "goamd64=v3"} {
		v := run.Variant(name)
		v.Profile = "/src/cmd/app/default.pgo"
		v.PGOEffect = &result.PGOEffect{CodeChanged: false}
	}
	analysed(run)
	var buf bytes.Buffer
	if err := Text(&buf, run, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "goamd64=v1 and goamd64=v3: no PGO effect: its compiled code equals -pgo=off; measured all the same, since the profile is the baseline's own"
	if !strings.Contains(buf.String(), want) || strings.Contains(buf.String(), "not measured") {
		t.Errorf("report lacks %q, or says a measured variant was not measured:\n%s", want, buf.String())
	}
}

// TestTextAppliedProfile: the winner's build line names its profile and
// the command that commits it; once --apply wrote it as default.pgo, the
// line is a plain go build (-pgo=auto finds it) and no command is shown.
func TestTextAppliedProfile(t *testing.T) {
	for _, applied := range []bool{false, true} {
		run := typicalRun()
		w := run.Variant(run.Analysis.Winner)
		if w == nil {
			t.Fatal("the typical run has no winner")
		}
		w.BuildLine = "GOAMD64=v3 go build -pgo='/tmp/work dir/collected.pprof' ./cmd/app"
		run.Analysis.Recommendation.Profile = &result.ProfileToApply{Path: "/tmp/work dir/collected.pprof", Mains: []string{"cmd/app"},
			Command: "gotune pgo apply '/tmp/work dir/collected.pprof'", Applied: applied}
		var buf bytes.Buffer
		if err := Text(&buf, run, Options{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if applied {
			if !strings.Contains(out, "GOAMD64=v3 go build ./cmd/app\n") || strings.Contains(out, "collected.pprof") {
				t.Errorf("applied: want the plain build line and no profile path:\n%s", out)
			}
			continue
		}
		for _, want := range []string{"GOAMD64=v3 go build -pgo='/tmp/work dir/collected.pprof' ./cmd/app", "gotune pgo apply '/tmp/work dir/collected.pprof'"} {
			if !strings.Contains(out, want) {
				t.Errorf("not applied: report lacks %q:\n%s", want, out)
			}
		}
	}
}

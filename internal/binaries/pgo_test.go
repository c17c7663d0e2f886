package binaries

import (
	"github.com/gotune/gotune/internal/axis"

	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// built returns a variant as the builder leaves it: OK, with one build of
// example.com/m/p whose code fingerprint is fp.
func built(name, pgo, fp string) result.Variant {
	v := result.Variant{
		Name:     name,
		Status:   result.StatusOK,
		Settings: axis.Settings{"goamd64": "v1", "pgo": pgo},
		Builds:   []result.Build{{Package: "example.com/m/p", Fingerprint: fp}},
	}
	if pgo != "off" {
		v.Profile = pgo
	}
	return v
}

func v3(v result.Variant) result.Variant {
	v.Settings = v.Settings.With(axis.GOAMD64, "v3")
	return v
}

const decisionOutput = `# example.com/m/p
hot-node enabled increased budget=2000 for func=example.com/m/p.Sum
hot-budget check allows inlining for call example.com/m/p.Mix (cost 120) at ./p.go:9:6 in function example.com/m/p.Sum
hot-budget check allows inlining for call example.com/m/p.Sum (cost 223) at ./p_test.go:8:6 in function example.com/m/p.BenchmarkSum
./p.go:12:3: PGO devirtualizing interface call s.Area to (*Rect).Area
`

func TestProvePGO(t *testing.T) {
	fake := &gotool.Fake{}
	fake.On("-d=pgodebug=1", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stderr: []byte(decisionOutput)}, nil
	})
	run := &result.Run{
		Baseline: "baseline",
		Packages: []string{"example.com/m/p"},
		Variants: []result.Variant{
			built("baseline", "off", "plain"),
			built("pgo=/w/empty.pprof", "/w/empty.pprof", "plain"), // the compiler ignored it
			built("pgo=/w/good.pprof", "/w/good.pprof", "pgo"),
			built("pgo=/w/same.pprof", "/w/same.pprof", "pgo"),
			built("twin-of-empty", "off", "plain"),
			v3(built("v3-empty", "/w/empty.pprof", "plain3")),
			v3(built("v3-off", "off", "plain3")),
			v3(built("v3-off-again", "off", "plain3")),
		},
	}
	// The builder marked the later variants of equal code.
	run.Variants[1].SameCodeAs = "baseline"
	run.Variants[3].SameCodeAs = "pgo=/w/good.pprof"
	run.Variants[4].SameCodeAs = "baseline"
	run.Variants[6].SameCodeAs = "v3-empty"
	run.Variants[7].SameCodeAs = "v3-empty"
	var log bytes.Buffer
	m := New(Options{Runner: fake, Log: &log, Target: &target.Target{Module: "example.com/m", Dir: "/src"}, Packages: run.Packages, RunDir: t.TempDir()})
	if err := m.provePGO(context.Background(), run, names(run)); err != nil {
		t.Fatal(err)
	}

	empty := run.Variants[1]
	if empty.Status != result.StatusSkipped || !strings.HasPrefix(empty.Reason, "no PGO effect: the compiled code is identical to -pgo=off") {
		t.Errorf("no-effect variant: status %q reason %q", empty.Status, empty.Reason)
	}
	if e := empty.PGOEffect; e == nil || e.CodeChanged || e.OffVariant != "baseline" {
		t.Errorf("no-effect evidence = %+v", e)
	}
	good := run.Variants[2]
	want := result.PGOEffect{Profile: "/w/good.pprof", CodeChanged: true, OffVariant: "baseline", HotInlines: 2, Devirtualized: 1, HotFunctions: 1}
	if good.Status != result.StatusOK || good.PGOEffect == nil || *good.PGOEffect != want {
		t.Errorf("effective variant: status %q evidence %+v, want %+v", good.Status, good.PGOEffect, want)
	}
	if same := run.Variants[3].PGOEffect; same == nil || same.HotInlines != 2 || same.Devirtualized != 1 {
		t.Errorf("same-code variant evidence = %+v, want the twin's counts", same)
	}
	if run.Variants[0].PGOEffect != nil || run.Variants[4].PGOEffect != nil {
		t.Errorf("pgo=off variants got PGO evidence")
	}
	// The pgo=off variant measured in place of a no-effect one is measured
	// itself now; its twin points at it.
	if v := run.Variants[5]; v.Status != result.StatusSkipped || v.PGOEffect.OffVariant != "v3-off" {
		t.Errorf("v3-empty: status %q evidence %+v", v.Status, v.PGOEffect)
	}
	if a, b := run.Variants[6].SameCodeAs, run.Variants[7].SameCodeAs; a != "" || b != "v3-off" {
		t.Errorf("SameCodeAs of v3-off, v3-off-again = %q, %q; want \"\", v3-off", a, b)
	}
	// One decision build: the same-code twin reuses the counts.
	if n := len(fake.Calls); n != 1 {
		t.Errorf("%d commands, want 1 decision build: %v", n, fake.Calls)
	}
	if !strings.Contains(log.String(), "pgo=/w/good.pprof: PGO took effect: code differs from -pgo=off; in example.com/m's packages 2 hot call sites inlined, 1 call(s) devirtualized") {
		t.Errorf("log = %s", log.String())
	}
}

func TestProvePGOFingerprintsAnOffBuild(t *testing.T) {
	// Without a pgo=off variant of the same settings in the run, gotune
	// fingerprints a -pgo=off build itself: the same settings without the
	// profile and without the PGO knobs.
	fake := &gotool.Fake{}
	fake.On("go list -export", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte("example.com/m/p aaa/ccc\n")}, nil
	})
	fake.On("-d=pgodebug=1", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stderr: []byte(decisionOutput)}, nil
	})
	v := built("knob", "/src/cmd/x/default.pgo", "pgo")
	v.Settings = v.Settings.With(axis.GOAMD64, "v3").With(axis.GCFlags, "all=-l -d=pgoinlinebudget=4000")
	run := &result.Run{Baseline: "baseline", Packages: []string{"example.com/m/p"}, Variants: []result.Variant{built("baseline", "off", "plain"), v}}
	m := New(Options{Runner: fake, Log: &bytes.Buffer{}, Target: &target.Target{Module: "example.com/m", Dir: "/src"}, Packages: run.Packages, RunDir: t.TempDir()})
	if err := m.provePGO(context.Background(), run, names(run)); err != nil {
		t.Fatal(err)
	}
	if e := run.Variants[1].PGOEffect; e == nil || !e.CodeChanged || e.OffVariant != "" || e.HotInlines != 2 {
		t.Errorf("evidence = %+v", e)
	}
	if len(fake.Calls) != 2 {
		t.Fatalf("commands = %v, want a fingerprint and a decision build", fake.Calls)
	}
	list, debug := fake.Calls[0], fake.Calls[1]
	if got := strings.Join(list.Args, " "); !strings.Contains(got, "-pgo=off -gcflags=all=-l") || strings.Contains(got, "pgoinlinebudget") || strings.Join(list.Env, " ") != "GOAMD64=v3" {
		t.Errorf("fingerprint build: %s", list)
	}
	if got := strings.Join(debug.Args, " "); !strings.Contains(got, "-pgo=/src/cmd/x/default.pgo -gcflags=all=-l -d=pgoinlinebudget=4000 -gcflags=example.com/m/...=-l -d=pgoinlinebudget=4000 -m -d=pgodebug=1") {
		t.Errorf("decision build: %s", debug)
	}
}

// names returns the names of run's variants: every one just built.
func names(run *result.Run) []string {
	var out []string
	for _, v := range run.Variants {
		out = append(out, v.Name)
	}
	return out
}

// TestProvePGOKeepsTheBaselinesProfile: a repository's default.pgo that
// the compiler ignores makes no variant skipped but those the PGO axis
// made differ from the baseline (issue 11 item 5): goamd64=v3 with the
// same default.pgo is measured, with a warning, as the baseline is.
func TestProvePGOKeepsTheBaselinesProfile(t *testing.T) {
	const dflt = "/src/cmd/app/default.pgo"
	run := &result.Run{
		Baseline: "baseline",
		Packages: []string{"example.com/m/p"},
		Variants: []result.Variant{
			built("baseline", dflt, "plain"),
			v3(built("goamd64=v3", dflt, "plain3")),
			built("pgo=off", "off", "plain"),
			v3(built("goamd64=v3,pgo=off", "off", "plain3")),
			built("pgo=/w/other.pprof", "/w/other.pprof", "plain"),
		},
	}
	run.Variants[2].SameCodeAs = "baseline"
	run.Variants[3].SameCodeAs = "goamd64=v3"
	m := New(Options{Runner: &gotool.Fake{}, Log: &bytes.Buffer{}, Target: &target.Target{Module: "example.com/m", Dir: "/src"}, Packages: run.Packages, RunDir: t.TempDir()})
	if err := m.provePGO(context.Background(), run, names(run)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"baseline", "goamd64=v3"} {
		v := run.Variant(name)
		if v.Status != result.StatusOK || v.PGOEffect == nil || v.PGOEffect.CodeChanged {
			t.Errorf("%s: status %q (%s), evidence %+v; want measured, with the evidence of no effect", name, v.Status, v.Reason, v.PGOEffect)
		}
	}
	if v := run.Variant("pgo=/w/other.pprof"); v.Status != result.StatusSkipped || !strings.HasPrefix(v.Reason, "no PGO effect") {
		t.Errorf("the PGO axis's own variant: status %q, reason %q; want skipped for no PGO effect", v.Status, v.Reason)
	}
	if w := strings.Join(run.Warnings, "\n"); !strings.Contains(w, "goamd64=v3: no PGO effect") || !strings.Contains(w, "measured all the same: it is the baseline's own profile") {
		t.Errorf("warnings:\n%s", w)
	}
	if v := run.Variant("goamd64=v3,pgo=off"); v.SameCodeAs != "goamd64=v3" {
		t.Errorf("goamd64=v3,pgo=off: same code as %q, want goamd64=v3, still measured", v.SameCodeAs)
	}
}

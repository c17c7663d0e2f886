// The text report's notes: what the table cannot say (same code, PGO
// evidence, screening, failures, warnings), shared by every format.

package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// notes writes what the table cannot say: which variants share code, the
// failures of the run and its warnings.
func (r *textReport) notes() {
	notes := r.noteLines()
	if len(notes) == 0 {
		return
	}
	r.printf("Notes:\n")
	for _, n := range notes {
		r.printf("  - %s\n", n)
	}
	r.printf("\n")
}

// noteLines returns the notes of the run, one line each: same-code
// variants, failures and warnings.
func (r *textReport) noteLines() []string {
	var notes []string
	for i := range r.run.Variants {
		v := &r.run.Variants[i]
		if v.SameCodeAs == "" {
			continue
		}
		twin := r.run.Variant(v.SameCodeAs)
		why := ""
		if twin != nil {
			why = " (" + sameCodeWhy(v.Settings, twin.Settings) + ")"
		}
		notes = append(notes, fmt.Sprintf("%s has the same compiled code as %s%s: measured once; its speed is the same by construction",
			v.Name, v.SameCodeAs, why))
	}
	if n := countScreenedOut(r.run.Variants); n > 0 {
		notes = append(notes, fmt.Sprintf("%d variants of the matrix were not built: screening varies one axis at a time from the baseline, then combines the best values (--search grid builds every variant)", n))
	}
	notes = append(notes, toolchainNotes(r.run)...)
	notes = append(notes, r.pgoNotes()...)
	notes = append(notes, r.failureNotes()...)
	for _, w := range r.run.Warnings {
		notes = append(notes, "warning: "+oneLine(w, 200))
	}
	return notes
}

// screenedOut reports whether screening left v unbuilt.
func screenedOut(v *result.Variant) bool {
	return v.Status == result.StatusSkipped && strings.HasPrefix(v.Reason, result.ReasonScreenedOut)
}

func countScreenedOut(vs []result.Variant) int {
	n := 0
	for i := range vs {
		if screenedOut(&vs[i]) {
			n++
		}
	}
	return n
}

// pgoNotes returns the evidence that each PGO variant's profile took effect
// (its compiled code differs from -pgo=off, and the compiler's PGO decisions
// in the module's packages), and where a collected profile came from.
func (r *textReport) pgoNotes() []string {
	var notes []string
	if c := r.run.PGOCollected; c != nil {
		if c.Error != "" {
			notes = append(notes, "pgo=collect: no profile: "+oneLine(c.Error, 160))
		} else if c.Endpoint != "" {
			notes = append(notes, serviceCollectNote(c))
		} else {
			notes = append(notes, fmt.Sprintf("pgo=collect: profile from %s of the baseline's benchmarks, before and apart from the measured blocks: %d samples, %s",
				plural(c.Rounds, "profiling round"), c.Samples, Bytes(c.Bytes)))
		}
	}
	// One note per distinct evidence, naming every variant it holds for:
	// the same profile gives the same decisions at every GOAMD64 level.
	var order []string
	names := map[string][]string{}
	for i := range r.run.Variants {
		v := &r.run.Variants[i]
		e := v.PGOEffect
		if e == nil || v.SameCodeAs != "" {
			continue // a same-code twin's evidence is its twin's
		}
		var what string
		switch {
		case !e.CodeChanged && strings.Contains(v.Reason, "no PGO effect"):
			continue // its row says so
		case !e.CodeChanged && v.Status != result.StatusSkipped:
			what = "no PGO effect: its compiled code equals -pgo=off; measured all the same, since the profile is the baseline's own"
		case !e.CodeChanged:
			what = "no PGO effect: its compiled code equals -pgo=off, so it was not measured"
		case e.Error != "":
			what = "PGO took effect: code differs from -pgo=off; decisions not counted: " + oneLine(e.Error, 120)
		default:
			what = fmt.Sprintf("PGO took effect: code differs from -pgo=off; %d hot call sites inlined, %d calls devirtualized, %d hot functions", e.HotInlines, e.Devirtualized, e.HotFunctions)
		}
		if e.Toolchain != "" && len(r.run.Toolchains) > 0 {
			what = "under " + e.Toolchain + ", " + what // the proof holds per toolchain
		}
		if _, ok := names[what]; !ok {
			order = append(order, what)
		}
		names[what] = append(names[what], v.Name)
	}
	for _, what := range order {
		notes = append(notes, listWords(names[what])+": "+what)
	}
	return notes
}

// listWords joins names as a sentence does: "a", "a and b", "a, b and c".
func listWords(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// failureNotes returns one line per failed variant, package and error,
// with the cycles it failed in, at most maxFailures lines.
func (r *textReport) failureNotes() []string {
	type key struct{ variant, pkg, err string }
	cycleOf := map[int]int{}
	for _, b := range r.run.Blocks {
		cycleOf[b.Index] = b.Cycle
	}
	var order []key
	count := map[key]int{}
	when := map[key][]int{}
	for _, f := range r.run.Failures {
		k := key{f.Variant, f.Package, oneLine(f.Error, 160)}
		if _, ok := count[k]; !ok {
			order = append(order, k)
		}
		count[k]++
		when[k] = append(when[k], cycleOf[f.Block])
	}
	var out []string
	for i, k := range order {
		if i == maxFailures {
			rest := 0
			for _, k := range order[i:] {
				rest += count[k]
			}
			noun := "failures"
			if rest == 1 {
				noun = "failure"
			}
			out = append(out, fmt.Sprintf("... and %d more %s (all are in the JSON result)", rest, noun))
			break
		}
		var where []string
		if k.variant != "" {
			where = append(where, k.variant)
		}
		if k.pkg != "" {
			where = append(where, relPackage(r.run.Module, k.pkg))
		}
		if cs := cyclesPhrase(when[k]); cs != "" {
			where = append(where, cs)
		}
		out = append(out, fmt.Sprintf("failure: %s: %s", strings.Join(where, ", "), k.err))
	}
	return out
}

// cyclesPhrase describes the cycles of repeated failures compactly, e.g.
// "cycle 4", "cycles 1-3, 7". Unknown cycles (0: a failure outside any
// recorded block, such as calibration) are left out.
func cyclesPhrase(cycles []int) string {
	cs := slices.Clone(cycles)
	cs = slices.DeleteFunc(cs, func(n int) bool { return n <= 0 })
	slices.Sort(cs)
	cs = slices.Compact(cs)
	if len(cs) == 0 {
		return ""
	}
	var parts []string
	for i := 0; i < len(cs); {
		j := i
		for j+1 < len(cs) && cs[j+1] == cs[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", cs[i], cs[j]))
		} else {
			parts = append(parts, fmt.Sprint(cs[i]))
		}
		i = j + 1
	}
	word := "cycles "
	if len(cs) == 1 {
		word = "cycle "
	}
	return word + strings.Join(parts, ", ")
}

// sameCodeWhy explains in a few words why two variants whose settings
// differ compiled to the same code.
func sameCodeWhy(v, twin axis.Settings) string {
	var diffs []string
	for _, a := range v.Differ(twin) {
		diffs = append(diffs, axisWord(a))
	}
	switch {
	case len(diffs) == 0:
		return "identical settings"
	case len(diffs) == 1 && diffs[0] == "-ldflags":
		vl, tl := v.Get(axis.LDFlags), twin.Get(axis.LDFlags)
		added := fieldsNotIn(vl, tl)
		if len(added) > 0 && len(fieldsNotIn(tl, vl)) == 0 && onlyStrip(added) {
			return "linker flags " + strings.Join(added, " ") + " only strip symbols"
		}
		return "they differ only in linker flags, which do not change compiled code"
	default:
		return "they differ only in " + strings.Join(diffs, ", ") + ", and the compiler produced identical code"
	}
}

// axisWord names an axis as the go command's users know it: GOAMD64,
// -pgo, -ldflags.
func axisWord(a *axis.Axis) string {
	switch {
	case a == axis.Env:
		return "environment"
	case a == axis.Rev:
		return "revision"
	case a == axis.Toolchain:
		return "Go toolchain"
	case a == axis.GOEXPERIMENT:
		return "GOEXPERIMENT"
	case a.Kind == axis.Build && a == axis.GOAMD64:
		return "GOAMD64"
	case a.Kind == axis.Build:
		return "-" + a.Name
	}
	return a.Name
}

// fieldsNotIn returns the blank-separated fields of a that are not in b.
func fieldsNotIn(a, b string) []string {
	bf := strings.Fields(b)
	var out []string
	for _, f := range strings.Fields(a) {
		if !slices.Contains(bf, f) {
			out = append(out, f)
		}
	}
	return out
}

// onlyStrip reports whether every linker flag only strips symbol or debug
// information.
func onlyStrip(flags []string) bool {
	for _, f := range flags {
		if f != "-s" && f != "-w" {
			return false
		}
	}
	return true
}

package report

import (
	"fmt"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// toolchainNotes says, for a run with the toolchain axis, how each Go
// release fared: how long checking (and fetching) it took, how long its
// builds took, or why it was skipped. None without the axis.
func toolchainNotes(run *result.Run) []string {
	if len(run.Toolchains) == 0 {
		return nil
	}
	type sum struct {
		builds, cached int
		secs           float64
	}
	sums := map[string]*sum{}
	var order []string
	seen := map[string]bool{} // binaries shared by variants of other run settings count once
	for i := range run.Variants {
		v := &run.Variants[i]
		tc := v.Settings.Get(axis.Toolchain)
		if tc == "" {
			tc = run.GoVersion
		}
		s := sums[tc]
		if s == nil {
			s = &sum{}
			sums[tc] = s
			order = append(order, tc)
		}
		for _, b := range v.Builds {
			if b.Binary == "" || seen[b.Binary] {
				continue
			}
			seen[b.Binary] = true
			s.builds++
			s.secs += b.Seconds
			if b.Cached {
				s.cached++
			}
		}
	}
	checked := map[string]result.Toolchain{}
	for _, t := range run.Toolchains {
		checked[t.Version] = t
	}
	var parts []string
	for _, tc := range order {
		t, ok := checked[tc]
		s := sums[tc]
		var p string
		switch {
		case ok && t.Error != "":
			p = tc + " skipped: " + oneLine(t.Error, 160)
		case s.builds == 0:
			p = tc + ": nothing built"
		default:
			p = fmt.Sprintf("%s: %s in %.1fs", tc, plural(s.builds, "build"), s.secs)
			if s.cached > 0 {
				p += fmt.Sprintf(" (%d from gotune's cache, timed when first built)", s.cached)
			}
		}
		if ok && t.Error == "" {
			p += fmt.Sprintf("; checked with go version in %.1fs", t.Seconds)
		}
		parts = append(parts, p)
	}
	return []string{"Go toolchains: " + strings.Join(parts, "; ")}
}

// toolchainAdvice tells how to make the winner's toolchain the module's
// own, or "" when the winner names none or the go command's own.
func toolchainAdvice(run *result.Run, winner *result.Variant) string {
	if winner == nil || len(run.Toolchains) == 0 {
		return ""
	}
	tc := winner.Settings.Get(axis.Toolchain)
	if tc == "" || tc == run.GoVersion {
		return ""
	}
	return fmt.Sprintf("with Go %s: 'go get toolchain@%s' writes it into go.mod's toolchain line for every build (GOTOOLCHAIN=%s does it for one)", tc, tc, tc)
}

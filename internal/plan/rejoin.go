package plan

import (
	"fmt"
	"os"
	"slices"

	"github.com/gotune/gotune/internal/result"
)

// Rejoin turns the plan of a check against a saved result (a plan of the
// baseline alone) into a plan that measures the saved baseline's binaries
// again, next to this commit's baseline build, in the same paired blocks:
// the two sides are then measured together and the machine's drift
// between the two runs cancels. The saved baseline becomes the plan's
// baseline, named savedName, and this commit's build the candidate, named
// currentName.
//
// It needs the saved binaries as they were: saved on this machine (the
// same CPU, count and GOAMD64 level) and every binary of the layouts the
// plan measures still on disk with its recorded size. Otherwise it
// returns why not and leaves the plan unchanged: the caller then compares
// with the saved samples, measured apart.
func (p *Plan) Rejoin(saved *result.Run, savedName, currentName string) error {
	sb := saved.Variant(saved.Baseline)
	switch {
	case sb == nil || sb.Status != result.StatusOK || len(sb.Builds) == 0:
		return fmt.Errorf("its baseline has no binaries")
	case len(p.Variants) != 1:
		return fmt.Errorf("the plan measures %d variants, not the baseline alone", len(p.Variants))
	case machine(saved.Host) != machine(p.Host):
		return fmt.Errorf("it was measured on another machine (%s, %d CPUs)", saved.Host.CPU, saved.Host.NumCPU)
	}
	layouts := max(1, p.Options.Layouts)
	var builds []result.Build
	for _, b := range sb.Builds {
		if b.Layout >= layouts {
			continue
		}
		fi, err := os.Stat(b.Binary)
		if err != nil || !fi.Mode().IsRegular() || (b.Size > 0 && fi.Size() != b.Size) {
			return fmt.Errorf("its binary %s is gone or changed", b.Binary)
		}
		builds = append(builds, b)
	}
	for k := range layouts {
		if !slices.ContainsFunc(builds, func(b result.Build) bool { return b.Layout == k }) {
			return fmt.Errorf("it has no binaries of code layout %d", k)
		}
	}
	old := result.Variant{
		Name:      savedName,
		Settings:  sb.Settings,
		Profile:   sb.Profile,
		Status:    result.StatusOK,
		BuildLine: sb.BuildLine,
		RunEnv:    sb.RunEnv,
		Builds:    builds,
	}
	cur := p.Variants[0]
	cur.Name, cur.Complexity = currentName, 1
	p.Variants = []result.Variant{old, cur}
	return nil
}

// machine is h without the kernel and the Go version: the machine that
// measures, for Rejoin (results of gotune before those fields rejoin).
func machine(h result.Host) result.Host {
	h.Kernel, h.GoVersion = "", ""
	return h
}

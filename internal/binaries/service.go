package binaries

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
)

// ServiceProfileSeconds is how long each CPU profile of the baseline
// server runs in service mode's pgo=collect.
const ServiceProfileSeconds = 10

// ServerProfile is what profiling a server under the load yields: the
// profile's CPU samples and the load it saw (the target rate in requests
// per second, the requests sent, the share that failed).
type ServerProfile struct {
	Samples, Requests int
	Rate, ErrorRate   float64
}

// collectService takes the profile of pgo=collect variants in service
// mode: it builds the baseline server, runs CollectRounds trials of it
// under the configured load (apart from the measured trials), fetches a
// CPU profile from its pprof endpoint during each, and merges them. A
// failure fails the pgo=collect variants with the reason, and the run
// goes on.
func (m *Maker) collectService(ctx context.Context, run *result.Run, co CollectOptions, idx []int, point func(string)) error {
	o := m.o
	col := &result.PGOCollection{Rounds: CollectRounds, Seconds: ServiceProfileSeconds, Endpoint: co.Endpoint}
	run.PGOCollected = col
	fail := func(err error) error { return m.collectFailed(ctx, run, idx, err) }
	if err := m.Build(ctx, run, []string{run.Baseline}); err != nil {
		return err
	}
	base := run.Variant(run.Baseline)
	if base.Status != result.StatusOK || len(base.Builds) == 0 {
		return fail(fmt.Errorf("the baseline server did not build: %s", firstLine(base.Reason)))
	}
	bin := base.Builds[0].Binary
	tg := m.target(base)
	outDir := filepath.Join(o.RunDir, "pgo")
	fmt.Fprintf(o.Log, "gotune: pgo=collect: profiling the baseline server under the service load, %d trial(s) of %ds from %s, apart from the measured trials\n", CollectRounds, ServiceProfileSeconds, col.Endpoint)
	prov := pgo.Provenance{
		Tool:      "gotune " + o.Version,
		GoVersion: tg.GoVersion,
		Module:    tg.Module,
		Commit:    pgo.Commit(ctx, o.Runner, tg.ModuleRoot),
	}
	var raws []pgo.Raw
	for r := 1; r <= CollectRounds; r++ {
		out := filepath.Join(outDir, fmt.Sprintf("service-%d.pprof", r))
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return fail(err)
		}
		res, err := co.ProfileServer(ctx, bin, tg.Packages[0].Dir, append(os.Environ(), base.RunEnv...), out, ServiceProfileSeconds)
		if err != nil {
			return fail(fmt.Errorf("trial %d of the baseline server: %v", r, err))
		}
		data, err := os.ReadFile(out)
		if err != nil {
			return fail(err)
		}
		p := prov
		p.Source = "fetch"
		p.How = fmt.Sprintf("CPU profile of the baseline server under the service load (%.4g req/s, %d requests, %.3g%% errors), GET %s?seconds=%d", res.Rate, res.Requests, 100*res.ErrorRate, col.Endpoint, ServiceProfileSeconds)
		p.Command = []string{"GET", col.Endpoint + fmt.Sprintf("?seconds=%d", ServiceProfileSeconds)}
		p.Created = time.Now().UTC().Truncate(time.Second)
		p.Samples = res.Samples
		p.Duration = time.Duration(ServiceProfileSeconds) * time.Second
		if err := pgo.WriteProvenance(out, data, p); err != nil {
			return fail(err)
		}
		raws = append(raws, pgo.Raw{Path: out, Package: tg.Packages[0].ImportPath, Round: r, Samples: res.Samples})
		col.Raw = append(col.Raw, out)
		fmt.Fprintf(o.Log, "gotune: pgo=collect: trial %d: %d samples in %ds from %s, under %d requests\n", r, res.Samples, ServiceProfileSeconds, col.Endpoint, res.Requests)
	}
	merged := filepath.Join(outDir, "collected.pprof")
	if err := mergeCollected(col, raws, merged, prov, "the baseline server under the service load"); err != nil {
		return fail(err)
	}
	col.Profile = merged
	point(merged)
	fmt.Fprintf(o.Log, "gotune: pgo=collect: %d profile(s) merged into %s (%d samples, %s, %.1f%% of CPU kept)\n",
		len(raws), merged, col.Samples, benchunit.Scale(float64(col.Bytes), benchunit.Binary)+"B", 100*col.KeptCPU)
	return nil
}

// Package result defines the result model of a gotune run: the one data
// structure the engine fills while it builds and measures, that stats
// analyses and that every report, `gotune check` and `--resume` read. It is
// plain data with JSON tags; this package owns its JSON form (Encode,
// Decode, WriteFile, ReadFile) and the schema version.
package result

import (
	"strconv"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/options"
)

// SchemaVersion is the version of the JSON form of Run. It changes when a
// field changes meaning or goes away; new fields do not change it.
const SchemaVersion = 2

// Variant status values.
const (
	StatusOK          = "ok"           // built and measured
	StatusSkipped     = "skipped"      // not built, e.g. a GOAMD64 level the host cannot run
	StatusBuildFailed = "build-failed" // the compiler or linker rejected it
	StatusFailed      = "failed"       // built, but every trial failed
)

// Run is the whole result of one run.
type Run struct {
	SchemaVersion int       `json:"schema_version"`
	GotuneVersion string    `json:"gotune_version"`
	GoVersion     string    `json:"go_version"`
	Host          Host      `json:"host"`
	Module        string    `json:"module"`
	Dir           string    `json:"dir"`
	Packages      []string  `json:"packages"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished"`
	WorkDir       string    `json:"work_dir"`
	RawFile       string    `json:"raw_file,omitempty"` // every trial in the Go benchmark format

	// Options are the options as run: defaults filled in, the seed drawn,
	// the budget chosen.
	Options options.Options `json:"options"`

	Baseline string    `json:"baseline"` // name of the baseline variant
	Variants []Variant `json:"variants"` // in matrix order, baseline first

	// Benchmarks are the benchmarks measured, with the length of their
	// trials; Blocks the blocks run, in order; Samples every value
	// measured, each tagged with its block.
	Benchmarks []Benchmark `json:"benchmarks"`
	Blocks     []Block     `json:"blocks"`
	Samples    []Sample    `json:"samples"`
	Failures   []Failure   `json:"failures,omitempty"`

	// Sequential records the looks at the data while measuring: when each
	// variant was decided and at what significance level.
	Sequential *Sequential `json:"sequential,omitempty"`
	// Analysis is what stats concluded; nil until analysed.
	Analysis *Analysis `json:"analysis,omitempty"`
	Warnings []string  `json:"warnings,omitempty"`

	// Search records how the run chose what to measure and what that cost.
	Search *Search `json:"search,omitempty"`
	// PGOCollected describes the profile gotune collected for pgo=collect
	// variants; nil when the run has none.
	PGOCollected *PGOCollection `json:"pgo_collected,omitempty"`

	// Shard is the part of a sharded plan this run measured (run --shard
	// K/N); nil for a whole run. Shards lists the shards a merged result
	// (gotune merge) was made of; nil otherwise.
	Shard  *Shard     `json:"shard,omitempty"`
	Shards []ShardRun `json:"shards,omitempty"`
	// Toolchains are the Go releases of the toolchain axis, as checked
	// before any build; nil without the axis.
	Toolchains []Toolchain `json:"toolchains,omitempty"`
}

// PGOCollection is the profile a run collected from the baseline's
// benchmarks, in trials of their own before any measured block, for its
// pgo=collect variants.
type PGOCollection struct {
	Profile string   `json:"profile"` // the merged profile the variants were built with
	Raw     []string `json:"raw"`     // the raw profiles, one per package and round
	Rounds  int      `json:"rounds"`
	Samples int      `json:"samples"`  // distinct stacks in the merged profile
	Bytes   int64    `json:"bytes"`    // size of the merged profile
	KeptCPU float64  `json:"kept_cpu"` // share of the CPU kept by trimming
	Error   string   `json:"error,omitempty"`
	// Service mode: the profiles came from the baseline server under the
	// configured load, from Endpoint, Seconds each (Rounds trials).
	Endpoint string `json:"endpoint,omitempty"`
	Seconds  int    `json:"seconds,omitempty"`
}

// PGOEffect is the evidence that a PGO variant's profile took effect: its
// compiled code differs from the same build with -pgo=off, and the count
// of decisions the compiler took because of the profile in the module's
// own packages (from -m -d=pgodebug=1). A variant whose code does not
// differ had no effect: it is not measured, its Status is skipped and its
// Reason says so.
type PGOEffect struct {
	Profile     string `json:"profile"`      // the profile it was built with
	CodeChanged bool   `json:"code_changed"` // compiled code differs from -pgo=off
	// OffVariant is the pgo=off variant of the run it was compared with;
	// "" when gotune fingerprinted a -pgo=off build of its own.
	OffVariant    string `json:"off_variant,omitempty"`
	HotInlines    int    `json:"hot_inlines"`     // call sites inlined because the profile marks them hot
	Devirtualized int    `json:"devirtualized"`   // calls devirtualized to the profile's hottest callee
	HotFunctions  int    `json:"hot_functions"`   // functions given the hot inlining budget
	Error         string `json:"error,omitempty"` // why the decisions could not be counted
	// Toolchain is the Go release the variant built with, and
	// ProfileGoVersion the one that built the profiled code, from the
	// profile's provenance ("" when unknown).
	Toolchain        string `json:"toolchain,omitempty"`
	ProfileGoVersion string `json:"profile_go_version,omitempty"`
}

// Host describes the machine a run was measured on.
type Host struct {
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	CPU        string `json:"cpu"`
	NumCPU     int    `json:"num_cpu"`
	GOAMD64Max string `json:"goamd64_max,omitempty"` // highest level confirmed to run here
	Kernel     string `json:"kernel,omitempty"`      // the OS kernel's release, e.g. 6.8.0-1021-azure
	GoVersion  string `json:"go_version,omitempty"`  // the go command that built the binaries
}

// Variant is one point of the matrix and what happened to it.
type Variant struct {
	Name string `json:"name"`
	// Settings are the variant's value on every axis, as the user wrote
	// them: pgo "auto", not a path.
	Settings axis.Settings `json:"settings"`
	// Profile is the PGO profile the variant builds with, resolved: the
	// default.pgo auto found, the collected profile, the file given; ""
	// when it builds without one.
	Profile    string `json:"profile,omitempty"`
	Complexity int    `json:"complexity"` // settings that differ from the baseline's; ties go to the lower
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`     // why skipped or failed: the compiler error, the CPU limit
	BuildLine  string `json:"build_line,omitempty"` // the exact `go build` command a user would type
	// RunEnv is the environment the binary runs with: the run axes' values,
	// e.g. GOGC=50; nil without run axes.
	RunEnv []string `json:"run_env,omitempty"`
	Builds []Build  `json:"builds,omitempty"`
	// SameCodeAs names the variant whose binaries were measured in its
	// place: the compiled code is identical and it runs alike.
	SameCodeAs string `json:"same_code_as,omitempty"`
	// PGOEffect proves that a variant built with a profile (Profile set)
	// used it; nil for other variants.
	PGOEffect *PGOEffect `json:"pgo_effect,omitempty"`
	// Revision is the commit the variant's source comes from, in a run
	// that compares revisions (--rev, check --base); nil otherwise.
	Revision *Revision `json:"revision,omitempty"`
}

// Revision is one revision of the target's git repository that a run
// builds: its source is exported with git archive into the work dir (the
// repository is only read), or, for the worktree, the target's own
// directory with its uncommitted changes.
type Revision struct {
	Rev     string `json:"rev"`               // as given: main, HEAD~1, a hash, or worktree
	Commit  string `json:"commit,omitempty"`  // the full hash; for the worktree, HEAD's ("" before the first commit)
	Short   string `json:"short,omitempty"`   // the abbreviated hash
	Subject string `json:"subject,omitempty"` // the first line of the commit message
	// Tree is the hash of the exported tree (the module's directory, or
	// the whole repository when the module reads files outside it): the
	// source of its builds, so the key of their cache. "" for the worktree.
	Tree string `json:"tree,omitempty"`
	// Dirty says that the worktree has uncommitted changes in the module.
	Dirty bool `json:"dirty,omitempty"`
	// Dir is where its builds run: the target's directory inside the
	// exported source, or the target's own directory for the worktree.
	Dir string `json:"dir"`
}

// Worktree reports whether r is the target's current files.
func (r *Revision) Worktree() bool { return r.Tree == "" }

// Label names the revision for people: `HEAD~1 (3f2a9c1 "Pre-size the
// buffer")`, `worktree (3f2a9c1 + uncommitted changes)`.
func (r *Revision) Label() string {
	var in []string
	if r.Short != "" && r.Short != r.Rev {
		in = append(in, r.Short)
	}
	switch {
	case r.Worktree() && r.Dirty:
		in = append(in, "+ uncommitted changes")
	case r.Subject != "":
		in = append(in, strconv.Quote(r.Subject))
	}
	if len(in) == 0 {
		return r.Rev
	}
	return r.Rev + " (" + strings.Join(in, " ") + ")"
}

// RevisionsLine names the revisions of a run's variants, each once with
// its short hash and subject, the baseline's first: `revisions: HEAD~1
// (3f2a9c1 "Pre-size the buffer", baseline), worktree (5d6e7f8 +
// uncommitted changes)`. "" for variants without revisions.
func RevisionsLine(vs []Variant, baseline string) string {
	var labels []string
	seen := map[string]bool{}
	for i := range vs {
		r := vs[i].Revision
		if r == nil || seen[r.Rev] {
			continue
		}
		seen[r.Rev] = true
		label := r.Label()
		if vs[i].Name == baseline {
			if strings.HasSuffix(label, ")") {
				label = strings.TrimSuffix(label, ")") + ", baseline)"
			} else {
				label += " (baseline)"
			}
		}
		labels = append(labels, label)
	}
	if len(labels) == 0 {
		return ""
	}
	return "revisions: " + strings.Join(labels, ", ")
}

// FileConfig returns the benchfmt file-configuration keys of v's
// samples in a raw file: variant, then each axis's value ("none" when
// unset; rev, toolchain and goexperiment left out when unset), so that `benchstat -table pkg -col variant -ignore block` (or
// -col goamd64, pgo, …) reads it.
func (v *Variant) FileConfig() [][2]string {
	kv := [][2]string{{"variant", v.Name}}
	for _, a := range axis.All {
		if (a == axis.Rev || a == axis.Toolchain || a == axis.GOEXPERIMENT) && v.Settings.Get(a) == "" {
			continue // a run without revisions, toolchains or experiments reads as before they existed
		}
		val := strings.Join(strings.Fields(v.Settings.Get(a)), " ")
		if val == "" {
			val = "none"
		}
		kv = append(kv, [2]string{a.Name, val})
	}
	return kv
}

// Build returns the settings v builds with: its own, with pgo replaced by
// the resolved profile (or off).
func (v *Variant) Build() axis.Settings {
	p := v.Profile
	if p == "" {
		p = axis.PGOOff
	}
	return v.Settings.With(axis.PGO, p)
}

// Measured reports whether v's own binaries were measured: built, and not
// standing in for a twin.
func (v *Variant) Measured() bool {
	return v.Status == StatusOK && v.SameCodeAs == ""
}

// Build records one `go test -c` of one package for one variant.
type Build struct {
	Package     string  `json:"package"`
	Binary      string  `json:"binary"`
	Seconds     float64 `json:"seconds"`
	Size        int64   `json:"size"`
	Fingerprint string  `json:"fingerprint"`
	Error       string  `json:"error,omitempty"`
	Cached      bool    `json:"cached,omitempty"` // the binary came from the build cache; Seconds is the original build's
	// Layout is the code layout of the binary: 0 as go builds it, k ≥ 1
	// with k steps of padding ahead of the package's code.
	Layout int `json:"layout,omitempty"`
}

// Benchmark is one top-level benchmark function measured by the run.
type Benchmark struct {
	Package string `json:"package"`
	Name    string `json:"name"` // e.g. BenchmarkQuote; its sub-benchmarks travel with it
	// Benchtime is the -test.benchtime of its trials, e.g. 1200x.
	Benchtime string `json:"benchtime"`
	// Reps is the -test.count of its trials: a trial runs the benchmark
	// Reps times for Benchtime each, and its value is the fastest (0 or 1:
	// once).
	Reps int `json:"reps,omitempty"`
	// NsPerOp is what the calibration trial measured for the baseline,
	// summed over sub-benchmarks; 0 when the benchtime was given.
	NsPerOp float64 `json:"ns_per_op,omitempty"`
}

// Block is one benchmark run once in every live variant, back to back.
type Block struct {
	Index     int       `json:"index"` // 1-based, in the order run
	Cycle     int       `json:"cycle"` // blocks of one cycle measure every benchmark once
	Stage     string    `json:"stage,omitempty"`
	Package   string    `json:"package"`
	Benchmark string    `json:"benchmark"`
	Order     []string  `json:"order"`            // the variants, in the order their trials ran
	Layout    int       `json:"layout,omitempty"` // the code layout of every trial of the block; 0 = unperturbed
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"seconds"`
	Load      *Load     `json:"load,omitempty"`

	// Shard is the shard (K of --shard K/N) that measured the block, in a
	// merged result; 0 otherwise. Blocks of different shards never pair.
	Shard int `json:"shard,omitempty"`
}

// Load is how busy the machine was during a block.
type Load struct {
	Load1 float64 `json:"load1"` // the 1-minute load average at the start
	// Others is the share of the machine's CPU time other processes used
	// during the block; Steal the share a hypervisor took.
	Others float64 `json:"others"`
	Steal  float64 `json:"steal"`
	// Waited is how long the block waited for a calmer machine.
	Waited float64 `json:"waited,omitempty"`
}

// Sample is one value measured in one trial.
type Sample struct {
	Variant   string  `json:"variant"` // the variant whose binary ran
	Package   string  `json:"package"`
	Benchmark string  `json:"benchmark"` // full name without the Benchmark prefix, as benchfmt gives it: Quote/small
	Unit      string  `json:"unit"`      // sec/op, B/op, allocs/op, …
	Block     int     `json:"block"`
	Value     float64 `json:"value"`
}

// Failure is one trial that failed; the run goes on without it.
type Failure struct {
	Variant   string `json:"variant"`
	Package   string `json:"package"`
	Benchmark string `json:"benchmark,omitempty"`
	Block     int    `json:"block"`
	Error     string `json:"error"`
	Output    string `json:"output,omitempty"` // the part of what the binary printed that explains it
}

// Variant returns the variant with the given name, or nil.
func (r *Run) Variant(name string) *Variant {
	for i := range r.Variants {
		if r.Variants[i].Name == name {
			return &r.Variants[i]
		}
	}
	return nil
}

// Stats returns the analysis of the named variant, or nil.
func (r *Run) Stats(name string) *VariantStats {
	if r.Analysis == nil {
		return nil
	}
	for i := range r.Analysis.Variants {
		if r.Analysis.Variants[i].Name == name {
			return &r.Analysis.Variants[i]
		}
	}
	return nil
}

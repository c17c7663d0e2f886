// Package axis is the table of the settings gotune varies: the build axes
// (the revision of the source, GOAMD64, PGO, -ldflags, -gcflags, build
// environment) and the run axes applied to the measured process rather
// than to the build. It sits at the
// very start of the pipeline and below every stage:
//
//	flags / gotune.yaml ──► axis.Parse ──► matrix ──► plan ──► builder (axis.Build) / measure (axis.Run) ──► report
//
// Each Axis says how its values are parsed and normalised, how two values
// are compared, and what a value does to a build or a run. The flags, the
// keys of gotune.yaml, the keys of the raw results file, the benchstat keys
// and the report's settings all come from this one table, so adding an axis
// is one entry plus its Apply function. Nothing here does I/O.
package axis

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind says where an axis applies.
type Kind int

const (
	// Build axes change what the go command builds.
	Build Kind = iota
	// Run axes change the environment of the measured process; variants
	// that differ only in them share their binaries.
	Run
)

// Axis is one setting a matrix can vary.
type Axis struct {
	// Name is the axis as flags (--name), gotune.yaml (axes: name:),
	// variant names (name=value), raw-file and benchstat keys spell it.
	Name string
	// Flag is the command-line flag's name when it is not Name (--go
	// for the toolchain axis).
	Flag string
	Kind Kind
	// List says that a flag value is a comma-separated list of values
	// (--goamd64 v1,v3); otherwise every occurrence of the flag is one
	// value, since values may hold commas (--ldflags '-X a=b,c').
	List bool
	// Usage is the flag's help text, with a `placeholder`.
	Usage string
	// Parse checks a value and returns its normal form. Its errors name
	// no flag; callers prefix them.
	Parse func(string) (string, error)
	// Key returns the form two normalised values are compared by: values
	// with equal keys do the same thing. Nil means the value itself.
	Key func(string) string
	// Apply adds what a normalised value does to a build (Build axes: the
	// go command's flags and environment) or to a run (Run axes: the
	// measured process's environment).
	Apply func(value string, s *Spec)
}

// Spec is what a variant's values do to a build or to a run.
type Spec struct {
	Env   []string // KEY=VALUE for the go command, or for the measured process
	Flags []string // go build flags, e.g. -ldflags=-s -w (builds only)
}

// The axes, in table order.
var (
	// Rev is the revision axis: which commit of the target's git
	// repository the source comes from (Worktree: the current files,
	// uncommitted changes included). It changes what is built, not how:
	// Apply adds no flag, and the plan gives each variant the directory of
	// its revision's source. A run without it has no rev setting at all.
	Rev = &Axis{
		Name:  "rev",
		Kind:  Build,
		List:  true,
		Usage: "git `revisions` of the target to compare, e.g. main,HEAD or HEAD~1,worktree (worktree = the current files, uncommitted changes included); the first is the baseline",
		Parse: ParseRev,
		Apply: func(string, *Spec) {},
	}
	GOAMD64 = &Axis{
		Name:  "goamd64",
		Kind:  Build,
		List:  true,
		Usage: "GOAMD64 `levels` to try, e.g. v1,v3 (default: every level this CPU runs)",
		Parse: ParseGOAMD64,
		Apply: func(v string, s *Spec) {
			if v != "" {
				s.Env = append(s.Env, "GOAMD64="+v)
			}
		},
	}
	PGO = &Axis{
		Name:  "pgo",
		Kind:  Build,
		List:  true,
		Usage: "PGO `settings` to try: off, auto (the repo's default.pgo), collect (a profile from the baseline's benchmarks) or a profile path, e.g. off,auto,collect",
		Parse: ParsePGO,
		Key:   func(v string) string { return ParsePGOSetting(v).key() },
		Apply: func(v string, s *Spec) {
			if v == "" {
				v = PGOOff
			}
			s.Flags = append(s.Flags, "-pgo="+v)
		},
	}
	LDFlags = &Axis{
		Name:  "ldflags",
		Kind:  Build,
		Usage: "an -ldflags `value` to try; repeat for more (--ldflags '' --ldflags '-s -w')",
		Parse: ParseFlags,
		Key:   flagsKey,
		Apply: flagApply("-ldflags="),
	}
	GCFlags = &Axis{
		Name:  "gcflags",
		Kind:  Build,
		Usage: "a -gcflags `value` to try; repeat for more (--gcflags '' --gcflags 'all=-l')",
		Parse: parseGCFlags,
		Key:   flagsKey,
		Apply: flagApply("-gcflags="),
	}
	Env = &Axis{
		Name:  "env",
		Kind:  Build,
		Usage: "extra build `environment` to try, e.g. GOEXPERIMENT=greenteagc; repeat for more; '' = none",
		Parse: func(s string) (string, error) {
			f, err := ParseEnv(s)
			return strings.Join(f, " "), err
		},
		Key:   envKey,
		Apply: func(v string, s *Spec) { s.Env = append(s.Env, strings.Fields(v)...) },
	}
)

// GOGC is a run axis: the garbage collector's target percentage the
// measured process runs with (it trades memory for time).
var GOGC = &Axis{
	Name:  "gogc",
	Kind:  Run,
	List:  true,
	Usage: "GOGC `values` to run the benchmarks with, e.g. off,100,200: the binaries are built once",
	Parse: ParseGOGC,
	Apply: func(v string, s *Spec) {
		if v != "" {
			s.Env = append(s.Env, "GOGC="+v)
		}
	},
}

// All lists every axis in table order: the order of the settings in
// variant names and of the loops of the cross product (first outermost).
var All = []*Axis{Rev, Toolchain, GOAMD64, PGO, LDFlags, GCFlags, Env, GOEXPERIMENT, GOGC, GOMEMLIMIT, GOMAXPROCS, RunEnv}

// ByName returns the axis called name, or nil.
func ByName(name string) *Axis {
	for _, a := range All {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Names returns the names of every axis, in table order.
func Names() []string {
	var n []string
	for _, a := range All {
		n = append(n, a.Name)
	}
	return n
}

// FlagName returns the name of a's command-line flag, without dashes.
func (a *Axis) FlagName() string {
	if a.Flag != "" {
		return a.Flag
	}
	return a.Name
}

// key returns the comparison key of a normalised value of a.
func (a *Axis) key(v string) string {
	if a.Key == nil {
		return v
	}
	return a.Key(v)
}

// Same reports whether two normalised values of a do the same thing.
func (a *Axis) Same(x, y string) bool { return a.key(x) == a.key(y) }

func flagApply(prefix string) func(string, *Spec) {
	return func(v string, s *Spec) {
		if v != "" {
			s.Flags = append(s.Flags, prefix+v)
		}
	}
}

// flagsKey compares flag values as the go command splits them.
func flagsKey(v string) string {
	f, err := splitQuoted(v)
	if err != nil {
		return v
	}
	return strings.Join(f, "\x00")
}

// envKey compares environment lists in any order.
func envKey(v string) string {
	f := strings.Fields(v)
	slices.Sort(f)
	return strings.Join(f, " ")
}

func parseGCFlags(s string) (string, error) {
	v, err := ParseFlags(s)
	if err == nil {
		_, err = PGOKnobs(v)
	}
	return v, err
}

// Settings are one variant's values, keyed by axis name. An axis missing
// from the map has the empty value: the go command's default (for pgo, the
// empty value means auto).
type Settings map[string]string

// Get returns the value of axis a.
func (s Settings) Get(a *Axis) string { return s[a.Name] }

// With returns a copy of s with axis a set to v.
func (s Settings) With(a *Axis, v string) Settings {
	c := s.Clone()
	if c == nil {
		c = Settings{}
	}
	c[a.Name] = v
	return c
}

// Clone returns a copy of s.
func (s Settings) Clone() Settings {
	if s == nil {
		return nil
	}
	c := make(Settings, len(s))
	for k, v := range s {
		c[k] = v
	}
	return c
}

// PGO returns the typed PGO setting of s.
func (s Settings) PGO() PGOSetting { return ParsePGOSetting(s.Get(PGO)) }

// Spec returns what the axes of kind k do with the values of s, in table
// order.
func (s Settings) Spec(k Kind) Spec {
	var sp Spec
	for _, a := range All {
		if a.Kind == k {
			a.Apply(s.Get(a), &sp)
		}
	}
	return sp
}

// Differ returns the axes on which s and t do different things.
func (s Settings) Differ(t Settings) []*Axis {
	var out []*Axis
	for _, a := range All {
		if !a.Same(s.Get(a), t.Get(a)) {
			out = append(out, a)
		}
	}
	return out
}

// Same reports whether s and t do the same thing on every axis of kind k.
func (s Settings) Same(t Settings, k Kind) bool {
	for _, a := range s.Differ(t) {
		if a.Kind == k {
			return false
		}
	}
	return true
}

// Key returns the comparison key of s over the axes of kind k: settings
// with equal keys build (or run) the same way.
func (s Settings) Key(k Kind) string {
	var b strings.Builder
	for _, a := range All {
		if a.Kind == k {
			fmt.Fprintf(&b, "%s=%q;", a.Name, a.key(s.Get(a)))
		}
	}
	return b.String()
}

// Values are the values given for each axis, keyed by axis name, as the
// flags or gotune.yaml give them; an axis that is missing is not given.
type Values map[string][]string

// Get returns the values given for a.
func (x Values) Get(a *Axis) []string { return x[a.Name] }

// Empty reports whether no axis has a value.
func (x Values) Empty() bool {
	for _, v := range x {
		if len(v) > 0 {
			return false
		}
	}
	return true
}

// Override returns x with every axis given in y replaced by y's values.
func (x Values) Override(y Values) Values {
	out := Values{}
	for k, v := range x {
		out[k] = v
	}
	for k, v := range y {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// Validate checks every value of every axis and returns the problems
// found, each prefixed by prefix and the axis name, e.g. `--goamd64:
// unknown level "v9" (want v1, v2, v3 or v4)` with prefix "--" (which
// names an axis by its flag: --go for the toolchain).
func (x Values) Validate(prefix string) error {
	var errs []error
	for name := range x {
		if ByName(name) == nil {
			errs = append(errs, fmt.Errorf("%s%s: unknown axis (want one of %s)", prefix, name, strings.Join(Names(), ", ")))
		}
	}
	for _, a := range All {
		name := a.Name
		if prefix == "--" {
			name = a.FlagName()
		}
		for _, s := range x.Get(a) {
			if _, err := a.Parse(s); err != nil {
				errs = append(errs, fmt.Errorf("%s%s: %w", prefix, name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// ParseFlagValues builds Values from the raw values of the command-line flags,
// one element per flag occurrence: List axes are split at commas, the
// others are not. Every value is checked and normalised; errors name the
// flag, e.g. `--goamd64: unknown level "v9" (want v1, v2, v3 or v4)`. An
// axis whose raw values are nil is not given.
func ParseFlagValues(raw Values) (Values, error) {
	out := Values{}
	var errs []error
	for _, a := range All {
		in, ok := raw[a.Name]
		if !ok || in == nil {
			continue
		}
		if a.List {
			in = SplitList(in)
		}
		vals := []string{}
		for _, s := range in {
			n, err := a.Parse(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("--%s: %w", a.FlagName(), err))
				continue
			}
			vals = append(vals, n)
		}
		out[a.Name] = vals
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// SplitList splits the values of a repeated list flag at commas, so that
// `--goamd64 v1,v3 --goamd64 v4` gives [v1 v3 v4]. Items are trimmed; empty
// ones are kept so that validation reports them. A nil or empty vals gives
// nil: the axis is not given. Values that may hold commas themselves
// (ldflags, gcflags, env) must not go through SplitList.
func SplitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for s := range strings.SplitSeq(v, ",") {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// Short returns "name=value" for variant names and notes, with an empty
// value written "".
func (a *Axis) Short(v string) string {
	if v == "" {
		v = `""`
	}
	return a.Name + "=" + v
}

// QuoteIfNeeded returns s, quoted when it is empty or holds spaces or
// quotes.
func QuoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"'") {
		return strconv.Quote(s)
	}
	return s
}

// Package matrix turns what the user asked for (axis flags, a gotune.yaml,
// named variants) into the list of build variants that the rest of the
// pipeline builds and measures. It is the first stage:
//
//	flags / gotune.yaml ──► matrix.Expand ──► []Variant ──► builder ──► measure ──► stats ──► report
//
// The package holds the axes, the variant model, strict loading of
// gotune.yaml and the validation of every setting value, so that a typo is
// reported before anything is built. Variants carry the settings as the user
// wrote them (pgo "auto", not a profile path); the plan resolves them.
// Apart from reading the file in Load, nothing here does I/O.
package matrix

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/service"
)

// DefaultMaxVariants is the largest matrix Expand builds when neither the
// options nor the config set a limit.
const DefaultMaxVariants = 64

// BaselineName is the name of the baseline variant.
const BaselineName = "baseline"

// Variant is one point of the matrix: a name and its value on every axis,
// as the user wrote them, not yet resolved against the target repository
// (pgo "auto", not a profile path).
type Variant struct {
	Name     string
	Settings axis.Settings
	// Baseline is true for the one variant every other is compared with.
	Baseline bool
}

// NamedVariant is a variant the user named in gotune.yaml. Set holds the
// axes it gives, normalised; every other axis inherits the baseline's
// value, so ldflags: "" asks for no ldflags even when the baseline has some.
type NamedVariant struct {
	Name string
	Set  axis.Settings
	// Line is the line of gotune.yaml the variant starts on; 0 when it did
	// not come from a file.
	Line int
}

// Config is what a gotune.yaml holds. Every field is optional; the zero
// Config asks for the default matrix.
type Config struct {
	Axes     axis.Values
	Variants []NamedVariant // in file order
	// MaxVariants limits the size of the matrix; 0 = not set.
	MaxVariants int

	// Run settings a project may pin; zero values are not set.
	Bench     string   // -test.bench regexp
	Benchtime string   // a duration like 500ms or a count like 100x
	Count     int      // samples per benchmark and variant
	Packages  []string // package patterns, e.g. ./...

	// Service is the service: section, for service mode (gotune run
	// --service): the server to build and the load to measure it under.
	// Checked for unknown keys here; validated when the mode is on.
	Service *service.Config
}

// ExpandOptions are the facts about the user, the host and the target that
// Expand needs besides the Config.
type ExpandOptions struct {
	// Baseline is the build the user gets today, resolved by the caller from
	// their environment, e.g. goamd64 v1, pgo auto. Its Name is forced to
	// "baseline". An empty pgo means "auto", the go command's default; an
	// empty goamd64 leaves it unset (as on a host that is not amd64).
	Baseline Variant
	// HostLevels are the GOAMD64 levels this host can run, e.g. [v1 v2 v3];
	// the default matrix tries each of them.
	HostLevels []string
	// HasDefaultPGO reports whether the target has a default.pgo; without
	// one, pgo "auto" builds the same as "off".
	HasDefaultPGO bool
	// MaxVariants limits the size of the matrix, as --max-variants does. 0
	// takes Config.MaxVariants, and when that is 0 too, DefaultMaxVariants.
	MaxVariants int
}

// same returns the key by which two values of axis a are compared: values
// with equal keys build the same thing. hasDefaultPGO tells whether pgo
// "auto" means a profile or nothing.
func same(a *axis.Axis, s string, hasDefaultPGO bool) string {
	if a == axis.PGO && !hasDefaultPGO && axis.ParsePGOSetting(s).Auto() {
		s = axis.PGOOff
	}
	return a.Name + "=" + axis.Settings{a.Name: s}.Key(a.Kind)
}

// key is the comparable form of all settings of a variant.
func (v Variant) key(hasDefaultPGO bool) string {
	var b strings.Builder
	for _, a := range axis.All {
		b.WriteString(same(a, v.Settings.Get(a), hasDefaultPGO))
	}
	return b.String()
}

// Complexity returns the number of settings of v that differ from those of
// base: 0 for a build like the baseline, 1 for one changed setting, and so
// on. Ties between equally fast variants go to the lower complexity. Flags
// are compared as the go command splits them and Env in any order; pgo is
// compared as written, so "auto" differs from "off".
func (v Variant) Complexity(base Variant) int {
	return len(v.Settings.Differ(base.Settings))
}

// String returns a short description of v's settings, such as
// `goamd64=v3 pgo=off ldflags="-s -w" GOEXPERIMENT=greenteagc`. Empty
// settings are left out; env entries are listed as they are.
func (v Variant) String() string {
	var parts []string
	for _, a := range axis.All {
		s := v.Settings.Get(a)
		switch {
		case s == "":
		case a == axis.Env:
			parts = append(parts, strings.Fields(s)...)
		default:
			parts = append(parts, a.Name+"="+axis.QuoteIfNeeded(s))
		}
	}
	if len(parts) == 0 {
		return "default settings"
	}
	return strings.Join(parts, " ")
}

// resolve returns the variant n describes: the baseline's settings with
// those n gives replaced. The values must be valid.
func (n NamedVariant) resolve(base Variant) Variant {
	v := Variant{Name: n.Name, Settings: base.Settings.Clone()}
	for k, s := range n.Set {
		v.Settings[k] = s
	}
	return v
}

// validate checks n's name and settings.
func (n NamedVariant) validate() error {
	if err := ValidateName(n.Name); err != nil {
		return err
	}
	var errs []error
	for _, a := range axis.All {
		if s, ok := n.Set[a.Name]; ok {
			if _, err := a.Parse(s); err != nil {
				errs = append(errs, fmt.Errorf("variant %q: %s: %w", n.Name, a.Name, err))
			}
		}
	}
	for k := range n.Set {
		if axis.ByName(k) == nil {
			errs = append(errs, fmt.Errorf("variant %q: unknown axis %q", n.Name, k))
		}
	}
	return errors.Join(errs...)
}

// ValidateName checks the name of a named variant: it must start with a
// letter or digit and hold only letters, digits and . _ + -, and it cannot
// be "baseline". Generated names always hold "=", so a valid name never
// collides with one.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("a variant needs a name")
	case name == BaselineName:
		return fmt.Errorf("variant name %q is reserved for the baseline", name)
	case len(name) > 64:
		return fmt.Errorf("variant name %q is longer than 64 bytes", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i > 0 {
			ok = ok || c == '.' || c == '_' || c == '+' || c == '-'
		}
		if !ok {
			return fmt.Errorf("variant name %q may hold only letters, digits and . _ + -, and must start with a letter or digit", name)
		}
	}
	return nil
}

// Expand returns the variants of the matrix cfg describes: the baseline
// first (Baseline true, Name "baseline"), then the cross product of the
// given axes in order (an axis not given takes the baseline's value; rev
// varies slowest, gogc fastest), then the named variants in file order.
// With revisions, the first is the baseline's unless opts.Baseline names
// one.
//
// With no axis and no named variant, the default matrix is every GOAMD64
// level in opts.HostLevels × pgo {off, auto} (auto only with a default.pgo).
//
// Settings are compared resolved: pgo auto equals off without a default.pgo,
// env is compared in any order, flags as the go command splits them. A
// point of the cross product that equals the baseline is left out (the
// baseline stands for it) and repeated points are dropped. Named variants are
// always kept, even when equal to the baseline or to each other, which is
// how an A/A check is run; two variants with the same name are an error.
//
// A cross-product variant is named after the settings that differ from the
// baseline's, as axis=value joined by ",", e.g. `goamd64=v3,ldflags=-s -w`.
// Expand fails when the matrix has more variants than the limit.
func Expand(cfg Config, opts ExpandOptions) ([]Variant, error) {
	base, err := baseline(opts.Baseline)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, n := range cfg.Variants {
		if err := n.validate(); err != nil {
			return nil, err
		}
		if seen[n.Name] {
			return nil, fmt.Errorf("two variants are named %q", n.Name)
		}
		seen[n.Name] = true
	}

	axes := cfg.Axes
	// The first revision and the first toolchain are the baseline's.
	for _, a := range []*axis.Axis{axis.Rev, axis.Toolchain} {
		if vals := axes.Get(a); len(vals) > 0 && base.Settings.Get(a) == "" {
			if v, err := a.Parse(firstOf(a, vals)); err == nil {
				base.Settings[a.Name] = v
			}
		}
	}
	if axes.Empty() && len(cfg.Variants) == 0 {
		axes = defaultAxes(opts)
		if err := axes.Validate(""); err != nil {
			return nil, fmt.Errorf("default matrix: %w", err)
		}
	} else if err := axes.Validate(""); err != nil {
		return nil, err
	}

	// The values of each axis, normalised and without repeats; an axis not
	// given has the baseline's value only. With distinct values per axis,
	// points of the cross product are distinct and at most one of them
	// equals the baseline, so the size is known before building anything.
	n := len(axis.All)
	lists := make([][]string, n)
	points, baseInside := uint64(1), true
	for i, a := range axis.All {
		lists[i] = axisValues(a, axes.Get(a), base, opts.HasDefaultPGO)
		points = satMul(points, uint64(len(lists[i])))
		bk := same(a, base.Settings.Get(a), opts.HasDefaultPGO)
		if !slices.ContainsFunc(lists[i], func(s string) bool { return same(a, s, opts.HasDefaultPGO) == bk }) {
			baseInside = false
		}
	}
	total := satAdd(points, uint64(1+len(cfg.Variants)))
	if baseInside {
		total--
	}
	if err := checkSize(total, cfg, opts); err != nil {
		return nil, err
	}

	baseKey := base.key(opts.HasDefaultPGO)
	out := make([]Variant, 0, total)
	out = append(out, base)
	names := map[string]int{BaselineName: 1}
	idx := make([]int, n)
	for {
		v := Variant{Settings: base.Settings.Clone()}
		for i, a := range axis.All {
			set(v.Settings, a, lists[i][idx[i]])
		}
		if v.key(opts.HasDefaultPGO) != baseKey {
			v.Name = unique(names, pointName(v, base, opts.HasDefaultPGO))
			out = append(out, v)
		}
		i := n - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(lists[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	for _, nv := range cfg.Variants {
		out = append(out, nv.resolve(base))
	}
	return out, nil
}

// baseline validates and completes the caller's baseline: every axis set,
// pgo auto when not given.
func baseline(b Variant) (Variant, error) {
	out := Variant{Name: BaselineName, Baseline: true, Settings: axis.Settings{}}
	var errs []error
	for _, a := range axis.All {
		s := b.Settings.Get(a)
		if a == axis.PGO && s == "" {
			s = axis.PGOAuto
		}
		if s == "" {
			set(out.Settings, a, "")
			continue
		}
		v, err := a.Parse(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("baseline: %s: %w", a.Name, err))
			continue
		}
		out.Settings[a.Name] = v
	}
	return out, errors.Join(errs...)
}

// set sets axis a of s to v. A run without revisions has no rev setting
// at all, so that its variants, results and raw files read as they did
// before the axis existed.
func set(s axis.Settings, a *axis.Axis, v string) {
	if a == axis.Rev && v == "" {
		delete(s, a.Name)
		return
	}
	s[a.Name] = v
}

// defaultAxes returns the axes of the default matrix.
func defaultAxes(opts ExpandOptions) axis.Values {
	pgo := []string{axis.PGOOff}
	if opts.HasDefaultPGO {
		pgo = append(pgo, axis.PGOAuto)
	}
	return axis.Values{axis.GOAMD64.Name: slices.Clone(opts.HostLevels), axis.PGO.Name: pgo}
}

// axisValues returns the normalised values of axis a without repeats, or
// the baseline's value when the axis is not given.
func axisValues(a *axis.Axis, given []string, base Variant, hasDefaultPGO bool) []string {
	if len(given) == 0 {
		return []string{base.Settings.Get(a)}
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range given {
		v, _ := a.Parse(s)
		k := same(a, v, hasDefaultPGO)
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// pointName names a point of the cross product after the settings that
// differ from the baseline's.
func pointName(v, base Variant, hasDefaultPGO bool) string {
	var parts []string
	for _, a := range axis.All {
		s := v.Settings.Get(a)
		if same(a, s, hasDefaultPGO) != same(a, base.Settings.Get(a), hasDefaultPGO) {
			parts = append(parts, a.Short(s))
		}
	}
	return strings.Join(parts, ",")
}

// unique returns name, or name with a "#N" suffix when it is already taken,
// and records it as taken. Distinct settings can only share a name when a
// flag value itself reads like "x,gcflags=y".
func unique(names map[string]int, name string) string {
	n := names[name]
	names[name] = n + 1
	if n == 0 {
		return name
	}
	for i := n + 1; ; i++ {
		s := name + "#" + strconv.Itoa(i)
		if names[s] == 0 {
			names[s] = 1
			return s
		}
	}
}

// checkSize returns an error when total variants exceed the limit.
func checkSize(total uint64, cfg Config, opts ExpandOptions) error {
	limit, what := opts.MaxVariants, "--max-variants"
	if limit <= 0 && cfg.MaxVariants > 0 {
		limit, what = cfg.MaxVariants, "max_variants"
	}
	if limit <= 0 {
		limit, what = DefaultMaxVariants, "--max-variants"
	}
	if total <= uint64(limit) {
		return nil
	}
	count := strconv.FormatUint(total, 10)
	if total == satMax {
		count = "more than " + count
	}
	return fmt.Errorf("the matrix has %s variants, more than %s=%d: drop axis values or raise %s", count, what, limit, what)
}

// satMax is where the size arithmetic of Expand saturates.
const satMax = 1 << 62

// satMul returns a*b, or satMax when that is larger.
func satMul(a, b uint64) uint64 {
	if a != 0 && b > satMax/a {
		return satMax
	}
	return min(a*b, satMax)
}

// satAdd returns a+b, or satMax when that is larger.
func satAdd(a, b uint64) uint64 {
	return min(a+b, satMax)
}

// firstOf returns the first value of a list axis as given (list flags
// may hold several values in one item).
func firstOf(a *axis.Axis, vals []string) string {
	if a.List {
		if l := axis.SplitList(vals); len(l) > 0 {
			return l[0]
		}
	}
	return vals[0]
}

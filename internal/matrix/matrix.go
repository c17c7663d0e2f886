// Package matrix turns what the user asked for (axis flags, a gotune.yaml,
// named variants) into the list of build variants that the rest of the
// pipeline builds and measures. It is the first stage:
//
//	flags / gotune.yaml ──► matrix.Expand ──► []Variant ──► builder ──► measure ──► stats ──► report
//
// The package holds the axes, the variant model, strict loading of
// gotune.yaml and the validation of every setting value, so that a typo is
// reported before anything is built. Variants carry the settings as the user
// wrote them (pgo "auto", not a profile path); the builder resolves them.
// Apart from reading the file in Load, nothing here does I/O.
package matrix

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DefaultMaxVariants is the largest matrix Expand builds when neither the
// options nor the config set a limit.
const DefaultMaxVariants = 64

// BaselineName is the name of the baseline variant.
const BaselineName = "baseline"

// Axes are the build settings a matrix varies. Each field lists the values
// of one axis as the user wrote them; a nil or empty field means the axis is
// not given and every variant takes the baseline's value.
//
// LDFlags and GCFlags values are strings as passed to
// `go build -ldflags=...` ("" = none); GOAMD64 values are v1 to v4; PGO
// values are off, auto, collect or a profile path; an Env value is "" or a
// space-separated list of KEY=VALUE.
type Axes struct {
	LDFlags []string
	GCFlags []string
	GOAMD64 []string
	PGO     []string
	Env     []string
}

// Variant is one point of the matrix: a name and the build settings as the
// user wrote them, not yet resolved against the target repository.
type Variant struct {
	Name    string
	LDFlags string   // as for -ldflags; "" = none
	GCFlags string   // as for -gcflags; "" = none
	GOAMD64 string   // v1..v4; "" only in a baseline that leaves it unset
	PGO     string   // off | auto | collect | a profile path
	Env     []string // extra KEY=VALUE, in the order written
	// Baseline is true for the one variant every other is compared with.
	Baseline bool
}

// NamedVariant is a variant the user named in gotune.yaml. A nil setting is
// not given and inherits the baseline's; a non-nil one replaces it, so
// LDFlags pointing at "" asks for no ldflags even when the baseline has some.
// Env holds a space-separated KEY=VALUE list, as an Env axis value does.
type NamedVariant struct {
	Name    string
	LDFlags *string
	GCFlags *string
	GOAMD64 *string
	PGO     *string
	Env     *string
	// Line is the line of gotune.yaml the variant starts on; 0 when it did
	// not come from a file.
	Line int
}

// Config is what a gotune.yaml holds. Every field is optional; the zero
// Config asks for the default matrix.
type Config struct {
	Axes     Axes
	Variants []NamedVariant // in file order
	// MaxVariants limits the size of the matrix; 0 = not set.
	MaxVariants int

	// Run settings a project may pin; zero values are not set.
	Bench     string   // -test.bench regexp
	Benchtime string   // a duration like 500ms or a count like 100x
	Count     int      // samples per benchmark and variant
	Packages  []string // package patterns, e.g. ./...
}

// ExpandOptions are the facts about the user, the host and the target that
// Expand needs besides the Config.
type ExpandOptions struct {
	// Baseline is the build the user gets today, resolved by the caller from
	// their environment, e.g. {GOAMD64: "v1", PGO: "auto"}. Its Name is forced
	// to "baseline". An empty PGO means "auto", the go command's default; an
	// empty GOAMD64 leaves it unset (as on a host that is not amd64).
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

// axis identifies one axis. The order of the constants is the order of the
// settings in generated names and of the loops of the cross product
// (goamd64 outermost).
type axis int

const (
	axGOAMD64 axis = iota
	axPGO
	axLDFlags
	axGCFlags
	axEnv
	numAxes
)

// String returns the name of the axis as gotune.yaml and the flags spell it.
func (a axis) String() string {
	switch a {
	case axGOAMD64:
		return "goamd64"
	case axPGO:
		return "pgo"
	case axLDFlags:
		return "ldflags"
	case axGCFlags:
		return "gcflags"
	case axEnv:
		return "env"
	}
	return "axis(" + strconv.Itoa(int(a)) + ")"
}

// values returns the values given for axis a.
func (x Axes) values(a axis) []string {
	switch a {
	case axGOAMD64:
		return x.GOAMD64
	case axPGO:
		return x.PGO
	case axLDFlags:
		return x.LDFlags
	case axGCFlags:
		return x.GCFlags
	case axEnv:
		return x.Env
	}
	return nil
}

// empty reports whether no axis is given.
func (x Axes) empty() bool {
	for a := range numAxes {
		if len(x.values(a)) > 0 {
			return false
		}
	}
	return true
}

// Validate checks every value of every axis and returns the problems found,
// each prefixed by the axis name, e.g. `goamd64: unknown level "v9" (want
// v1, v2, v3 or v4)`.
func (x Axes) Validate() error {
	var errs []error
	for a := range numAxes {
		for _, s := range x.values(a) {
			if _, err := parseValue(a, s); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", a, err))
			}
		}
	}
	return errors.Join(errs...)
}

// get returns the setting of v on axis a in the string form an axis value
// has (Env joined by spaces).
func (v Variant) get(a axis) string {
	switch a {
	case axGOAMD64:
		return v.GOAMD64
	case axPGO:
		return v.PGO
	case axLDFlags:
		return v.LDFlags
	case axGCFlags:
		return v.GCFlags
	case axEnv:
		return strings.Join(v.Env, " ")
	}
	return ""
}

// with returns v with its setting on axis a replaced by s, a value already
// normalised by parseValue.
func (v Variant) with(a axis, s string) Variant {
	switch a {
	case axGOAMD64:
		v.GOAMD64 = s
	case axPGO:
		v.PGO = s
	case axLDFlags:
		v.LDFlags = s
	case axGCFlags:
		v.GCFlags = s
	case axEnv:
		v.Env = strings.Fields(s)
	}
	return v
}

// same returns the key by which two values of axis a are compared: values
// with equal keys build the same thing. hasDefaultPGO tells whether pgo
// "auto" means a profile or nothing.
func same(a axis, s string, hasDefaultPGO bool) string {
	switch a {
	case axPGO:
		switch s {
		case PGOOff, PGOAuto, PGOCollect:
			if s == PGOAuto && !hasDefaultPGO {
				return PGOOff
			}
			return s
		}
		return "file:" + filepath.Clean(s)
	case axLDFlags, axGCFlags:
		f, err := splitQuoted(s)
		if err != nil {
			return s
		}
		return strings.Join(f, "\x00")
	case axEnv:
		f := strings.Fields(s)
		slices.Sort(f)
		return strings.Join(f, " ")
	}
	return s
}

// key is the comparable form of all settings of a variant.
type key [numAxes]string

// key returns the comparison key of v's settings.
func (v Variant) key(hasDefaultPGO bool) key {
	var k key
	for a := range numAxes {
		k[a] = same(a, v.get(a), hasDefaultPGO)
	}
	return k
}

// Complexity returns the number of settings of v that differ from those of
// base: 0 for a build like the baseline, 1 for one changed setting, and so
// on. Ties between equally fast variants go to the lower complexity. Flags
// are compared as the go command splits them and Env in any order; pgo is
// compared as written, so "auto" differs from "off".
func (v Variant) Complexity(base Variant) int {
	vk, bk := v.key(true), base.key(true)
	n := 0
	for a := range numAxes {
		if vk[a] != bk[a] {
			n++
		}
	}
	return n
}

// String returns a short description of v's settings, such as
// `goamd64=v3 pgo=off ldflags="-s -w" GOEXPERIMENT=greenteagc`. Empty
// settings are left out.
func (v Variant) String() string {
	var parts []string
	for a := range axEnv {
		if s := v.get(a); s != "" {
			parts = append(parts, a.String()+"="+quoteIfNeeded(s))
		}
	}
	parts = append(parts, v.Env...)
	if len(parts) == 0 {
		return "default settings"
	}
	return strings.Join(parts, " ")
}

// quoteIfNeeded returns s, quoted when it is empty or holds spaces or quotes.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"'") {
		return strconv.Quote(s)
	}
	return s
}

// resolve returns the variant n describes: the baseline's settings with
// those n gives replaced. The values must be valid.
func (n NamedVariant) resolve(base Variant) Variant {
	v := Variant{
		Name:    n.Name,
		LDFlags: base.LDFlags,
		GCFlags: base.GCFlags,
		GOAMD64: base.GOAMD64,
		PGO:     base.PGO,
		Env:     slices.Clone(base.Env),
	}
	for a, p := range n.settings() {
		if p != nil {
			s, _ := parseValue(axis(a), *p)
			v = v.with(axis(a), s)
		}
	}
	return v
}

// settings returns the settings n gives, indexed by axis.
func (n NamedVariant) settings() [numAxes]*string {
	var s [numAxes]*string
	s[axGOAMD64] = n.GOAMD64
	s[axPGO] = n.PGO
	s[axLDFlags] = n.LDFlags
	s[axGCFlags] = n.GCFlags
	s[axEnv] = n.Env
	return s
}

// validate checks n's name and settings.
func (n NamedVariant) validate() error {
	if err := ValidateName(n.Name); err != nil {
		return err
	}
	var errs []error
	for a, p := range n.settings() {
		if p == nil {
			continue
		}
		if _, err := parseValue(axis(a), *p); err != nil {
			errs = append(errs, fmt.Errorf("variant %q: %s: %w", n.Name, axis(a), err))
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
// given axes in order (an axis not given takes the baseline's value; goamd64
// varies slowest, env fastest), then the named variants in file order.
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
	if axes.empty() && len(cfg.Variants) == 0 {
		axes = defaultAxes(opts)
		if err := axes.Validate(); err != nil {
			return nil, fmt.Errorf("default matrix: %w", err)
		}
	} else if err := axes.Validate(); err != nil {
		return nil, err
	}

	// The values of each axis, normalised and without repeats; an axis not
	// given has the baseline's value only. With distinct values per axis,
	// points of the cross product are distinct and at most one of them
	// equals the baseline, so the size is known before building anything.
	var lists [numAxes][]string
	points, baseInside := uint64(1), true
	baseKey := base.key(opts.HasDefaultPGO)
	for a := range numAxes {
		lists[a] = axisValues(a, axes.values(a), base, opts.HasDefaultPGO)
		points = satMul(points, uint64(len(lists[a])))
		if !slices.ContainsFunc(lists[a], func(s string) bool { return same(a, s, opts.HasDefaultPGO) == baseKey[a] }) {
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

	out := make([]Variant, 0, total)
	out = append(out, base)
	names := map[string]int{BaselineName: 1}
	var idx [numAxes]int
	for {
		v := base
		v.Baseline = false
		for a := range numAxes {
			v = v.with(a, lists[a][idx[a]])
		}
		if v.key(opts.HasDefaultPGO) != baseKey {
			v.Name = unique(names, pointName(v, base, opts.HasDefaultPGO))
			out = append(out, v)
		}
		a := numAxes - 1
		for ; a >= 0; a-- {
			if idx[a]++; idx[a] < len(lists[a]) {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			break
		}
	}
	for _, n := range cfg.Variants {
		out = append(out, n.resolve(base))
	}
	return out, nil
}

// baseline validates and completes the caller's baseline.
func baseline(b Variant) (Variant, error) {
	b.Name = BaselineName
	b.Baseline = true
	if b.PGO == "" {
		b.PGO = PGOAuto
	}
	var errs []error
	for a := range numAxes {
		s := b.get(a)
		if a == axGOAMD64 && s == "" {
			continue
		}
		n, err := parseValue(a, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("baseline: %s: %w", a, err))
			continue
		}
		b = b.with(a, n)
	}
	if len(b.Env) == 0 {
		b.Env = nil
	}
	return b, errors.Join(errs...)
}

// defaultAxes returns the axes of the default matrix.
func defaultAxes(opts ExpandOptions) Axes {
	pgo := []string{PGOOff}
	if opts.HasDefaultPGO {
		pgo = append(pgo, PGOAuto)
	}
	return Axes{GOAMD64: slices.Clone(opts.HostLevels), PGO: pgo}
}

// axisValues returns the normalised values of axis a without repeats, or the
// baseline's value when the axis is not given.
func axisValues(a axis, given []string, base Variant, hasDefaultPGO bool) []string {
	if len(given) == 0 {
		return []string{base.get(a)}
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range given {
		n, _ := parseValue(a, s)
		k := same(a, n, hasDefaultPGO)
		if !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

// pointName names a point of the cross product after the settings that
// differ from the baseline's.
func pointName(v, base Variant, hasDefaultPGO bool) string {
	var parts []string
	for a := range numAxes {
		s := v.get(a)
		if same(a, s, hasDefaultPGO) == same(a, base.get(a), hasDefaultPGO) {
			continue
		}
		if s == "" {
			s = `""`
		}
		parts = append(parts, a.String()+"="+s)
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

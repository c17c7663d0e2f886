package axis

import (
	"fmt"
	"strconv"
	"strings"
)

// The run axes besides GOGC: the measured process's memory limit, its
// number of Ps, and any other run-time environment. Like GOGC they are
// applied to the benchmark process, never to the build, so variants that
// differ only in them share one build.
var (
	GOMEMLIMIT = &Axis{
		Name:  "gomemlimit",
		Kind:  Run,
		List:  true,
		Usage: "GOMEMLIMIT `values` to run the benchmarks with, e.g. 512MiB,off (a soft memory limit): the binaries are built once",
		Parse: ParseGOMEMLIMIT,
		Key:   memLimitKey,
		Apply: envApply("GOMEMLIMIT="),
	}
	GOMAXPROCS = &Axis{
		Name:  "gomaxprocs",
		Kind:  Run,
		List:  true,
		Usage: "GOMAXPROCS `values` to run the benchmarks with, e.g. 1,2: the binaries are built once",
		Parse: ParseGOMAXPROCS,
		Apply: envApply("GOMAXPROCS="),
	}
	RunEnv = &Axis{
		Name:  "runenv",
		Kind:  Run,
		Usage: "run-time `environment` to try, e.g. GODEBUG=madvdontneed=1; repeat for more; '' = none; applied to the benchmarks, not the build",
		Parse: func(s string) (string, error) {
			f, err := ParseRunEnv(s)
			return strings.Join(f, " "), err
		},
		Key:   envKey,
		Apply: func(v string, s *Spec) { s.Env = append(s.Env, strings.Fields(v)...) },
	}
)

// envApply returns the Apply of an axis that sets one variable.
func envApply(prefix string) func(string, *Spec) {
	return func(v string, s *Spec) {
		if v != "" {
			s.Env = append(s.Env, prefix+v)
		}
	}
}

// memLimitUnits are the suffixes the runtime reads in GOMEMLIMIT, with
// their size in bytes.
var memLimitUnits = []struct {
	suffix string
	bytes  uint64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// ParseGOMEMLIMIT checks a GOMEMLIMIT value as the runtime reads it: off,
// or a number of bytes with an optional unit B, KiB, MiB, GiB or TiB
// (512MiB). The runtime ignores a value it cannot read, silently; here it
// is an error.
func ParseGOMEMLIMIT(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return s, nil
	}
	if _, ok := memLimitBytes(s); ok {
		return s, nil
	}
	hint := ""
	for _, u := range []string{"KB", "MB", "GB", "TB", "K", "M", "G", "T", "kib", "mib", "gib"} {
		if n, ok := strings.CutSuffix(s, u); ok && n != "" {
			hint = fmt.Sprintf(" (the runtime reads %s, not %s)", strings.ToUpper(u[:1])+"iB", u)
			break
		}
	}
	return "", fmt.Errorf("%q: want off or a size such as 512MiB, 2GiB or 1000000 (bytes; units B, KiB, MiB, GiB, TiB)%s", s, hint)
}

// memLimitBytes returns the bytes of a GOMEMLIMIT size.
func memLimitBytes(s string) (uint64, bool) {
	mult := uint64(1)
	for _, u := range memLimitUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.bytes
			break
		}
	}
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > (1<<63-1)/mult {
		return 0, false
	}
	return n * mult, true
}

// memLimitKey compares GOMEMLIMIT values by their bytes: 512MiB is
// 536870912.
func memLimitKey(v string) string {
	if n, ok := memLimitBytes(v); ok {
		return strconv.FormatUint(n, 10)
	}
	return v
}

// ParseGOMAXPROCS checks a GOMAXPROCS value: a whole number of 1 or more.
func ParseGOMAXPROCS(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 1 {
		return strconv.Itoa(n), nil
	}
	return "", fmt.Errorf("%q: want a number of 1 or more, e.g. 1 or 2", s)
}

// runAxisVars are the variables the run axes set: runenv refuses them, so
// that one setting has one place.
var runAxisVars = map[string]string{"GOGC": "gogc", "GOMEMLIMIT": "gomemlimit", "GOMAXPROCS": "gomaxprocs"}

// buildVars are read by the go command when it builds, not by a running
// program: in runenv they would do nothing.
var buildVars = map[string]string{
	"GOAMD64":      "the goamd64 axis",
	"GOEXPERIMENT": "the goexperiment axis or env",
	"GOTOOLCHAIN":  "the toolchain axis (--go)",
	"GOFLAGS":      "the ldflags, gcflags and pgo axes",
}

// ParseRunEnv checks a runenv value, "" or a space-separated list of
// KEY=VALUE for the measured process, and returns its entries. The
// variables of the other run axes and those only the go command reads
// are refused, naming where they belong.
func ParseRunEnv(s string) ([]string, error) {
	return parseVars(s, func(k string) error {
		switch {
		case runAxisVars[k] != "":
			return fmt.Errorf("%s cannot be set in runenv: use the %s axis (--%s)", k, runAxisVars[k], runAxisVars[k])
		case buildVars[k] != "":
			return fmt.Errorf("%s is read when building, not when running: use %s", k, buildVars[k])
		}
		return nil
	})
}

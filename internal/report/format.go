package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// settingsString returns the settings of a variant in the compact form a
// user would type: the build's environment first, then its flags, then the
// run-time environment, e.g. GOAMD64=v3 -pgo=off -ldflags='-s -w' run:GOGC=50.
func settingsString(s axis.Settings) string {
	return strings.Join(settingsWords(s), " ")
}

// settingsWords returns the words of settingsString, each one shell word:
// rev=HEAD~1 (in a run that compares revisions), GOAMD64=v3, -pgo=off,
// -ldflags='-s -w', run:GOGC=50.
func settingsWords(s axis.Settings) []string {
	sp := s.Spec(axis.Build)
	var parts []string
	if r := s.Get(axis.Rev); r != "" {
		parts = append(parts, "rev="+r) // a name, not a shell word: HEAD~1 needs no quotes here
	}
	for _, kv := range sp.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			parts = append(parts, shellQuote(kv))
			continue
		}
		parts = append(parts, k+"="+shellQuote(v))
	}
	for _, f := range sp.Flags {
		if s.Get(axis.PGO) == "" && f == "-pgo=off" {
			continue // not given
		}
		k, v, _ := strings.Cut(f, "=")
		parts = append(parts, k+"="+shellQuote(v))
	}
	if run := s.Spec(axis.Run).Env; len(run) > 0 {
		parts = append(parts, "run:"+strings.Join(run, ","))
	}
	return parts
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_@%+=:,./-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sizeCell formats the size of the first binary of a variant in binary
// units, e.g. "6.1 MiB", or "-" when there is none.
func sizeCell(builds []result.Build) string {
	if len(builds) == 0 || builds[0].Size <= 0 {
		return "-"
	}
	return Bytes(builds[0].Size)
}

// Bytes formats n bytes for people, with an IEC prefix and one decimal:
// 812 B, 21.8 KiB, 6.1 MiB.
func Bytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	sc := benchunit.CommonScale([]float64{float64(n)}, benchunit.Binary)
	return strconv.FormatFloat(float64(n)/sc.Factor, 'f', 1, 64) + " " + sc.Prefix + "B"
}

// buildCell formats the total build time of a variant, e.g. "3.2s", or "-"
// when nothing was built.
func buildCell(builds []result.Build) string {
	total := 0.0
	for _, b := range builds {
		total += b.Seconds
	}
	if len(builds) == 0 || total <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", total)
}

// oneLine squeezes a possibly multi-line message, such as compiler output,
// into one line of at most max runes: it keeps the first line that says
// something (not a blank or a "# package" header of go build) and counts
// the lines it dropped.
func oneLine(s string, max int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || strings.HasPrefix(l, "# ") {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return ""
	}
	out := lines[0]
	if more := len(lines) - 1; more > 0 {
		out += fmt.Sprintf(" (+%s)", plural(more, "line"))
	}
	if r := []rune(out); max > 3 && len(r) > max {
		out = string(r[:max-3]) + "..."
	}
	return out
}

// plural returns "1 block", "2 blocks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// packagesPhrase lists the benchmarked packages relative to the module,
// e.g. "packages ./api ./store", summarising long lists.
func packagesPhrase(module string, pkgs []string) string {
	const show = 4
	var names []string
	for i, p := range pkgs {
		if i == show && len(pkgs) > show+1 {
			names = append(names, fmt.Sprintf("(+%d more)", len(pkgs)-show))
			break
		}
		names = append(names, relPackage(module, p))
	}
	word := "packages "
	if len(pkgs) == 1 {
		word = "package "
	}
	return word + strings.Join(names, " ")
}

// relPackage returns pkg relative to module ("./api", "."), or pkg itself
// when it lies outside the module.
func relPackage(module, pkg string) string {
	switch {
	case module == "":
		return pkg
	case pkg == module:
		return "."
	case strings.HasPrefix(pkg, module+"/"):
		return "./" + strings.TrimPrefix(pkg, module+"/")
	}
	return pkg
}

// flatten replaces control characters (tabs, newlines) in a table cell
// with blanks, so that odd names cannot break the table.
func flatten(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

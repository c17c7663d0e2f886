package axis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PGO keywords. Any other pgo value is a profile path.
const (
	PGOOff     = "off"     // build without a profile
	PGOAuto    = "auto"    // the main package's default.pgo, if any (the go command's default)
	PGOCollect = "collect" // collect a profile first, then build with it
)

// ParseGOAMD64 checks a GOAMD64 level and returns it without surrounding
// space. Its errors, like those of the other Parse functions, name no flag or
// key; callers prefix them, e.g. `--goamd64: unknown level "v9" (want v1, v2,
// v3 or v4)`.
func ParseGOAMD64(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "v1", "v2", "v3", "v4":
		return s, nil
	case "":
		return "", errors.New("empty level (want v1, v2, v3 or v4)")
	}
	return "", fmt.Errorf("unknown level %q (want v1, v2, v3 or v4)", s)
}

// ParsePGO checks a pgo value (off, auto, collect or a profile path) and
// returns it without surrounding space. A keyword in the wrong case is an
// error rather than a path, since it is almost always a typo.
func ParsePGO(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch s {
	case PGOOff, PGOAuto, PGOCollect:
		return s, nil
	case "":
		return "", errors.New("empty value (want off, auto, collect or a profile path)")
	}
	for _, k := range []string{PGOOff, PGOAuto, PGOCollect} {
		if strings.EqualFold(s, k) {
			return "", fmt.Errorf("%q: write the keyword in lower case, %q (to mean a file, write ./%s)", s, k, s)
		}
	}
	return s, nil
}

// ParseFlags checks an -ldflags or -gcflags value the way the go command
// reads it, "[pattern=]flags" with the flags split at spaces outside quotes,
// and returns it without surrounding space. "" means no flags.
func ParseFlags(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	flags := s
	if s[0] != '-' {
		i := strings.Index(s, "=")
		switch {
		case i < 0:
			return "", fmt.Errorf("%q: flags start with - or a package pattern and =, as in \"-s -w\" or \"all=-l\"", s)
		case i == 0:
			return "", fmt.Errorf("%q: missing the package pattern before =", s)
		case s[0] == '\'' || s[0] == '"':
			return "", fmt.Errorf("%q: the go command refuses a value that starts with a quote", s)
		}
		flags = s[i+1:]
	}
	if _, err := splitQuoted(flags); err != nil {
		return "", fmt.Errorf("%q: %w", s, err)
	}
	return s, nil
}

// ParseEnv checks an env value, "" or a space-separated list of KEY=VALUE,
// and returns its entries. Keys must be environment variable names, each
// set once. GOAMD64, GOFLAGS and GOTOOLCHAIN are refused: the goamd64,
// flag and toolchain axes set them, and a second way would hide which
// setting won.
func ParseEnv(s string) ([]string, error) {
	return parseVars(s, func(k string) error {
		switch k {
		case "GOAMD64":
			return errors.New("GOAMD64 cannot be set in env: use the goamd64 axis")
		case "GOFLAGS":
			return errors.New("GOFLAGS cannot be set in env: use the ldflags, gcflags and pgo axes")
		case "GOTOOLCHAIN":
			return errors.New("GOTOOLCHAIN cannot be set in env: use the toolchain axis (--go go1.27.3)")
		}
		return nil
	})
}

// parseVars checks a space-separated list of KEY=VALUE, each key an
// environment variable name set once and accepted by refuse (nil when
// it is), and returns its entries, nil for none.
func parseVars(s string, refuse func(k string) error) ([]string, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	for _, kv := range f {
		k, _, ok := strings.Cut(kv, "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("%q is not KEY=VALUE", kv)
		case !isEnvName(k):
			return nil, fmt.Errorf("%q: %q is not an environment variable name", kv, k)
		case seen[k]:
			return nil, fmt.Errorf("%s is set twice", k)
		}
		if err := refuse(k); err != nil {
			return nil, err
		}
		seen[k] = true
	}
	return f, nil
}

// isEnvName reports whether k looks like an environment variable name:
// a letter or _, then letters, digits or _.
func isEnvName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// splitQuoted splits s at spaces outside single or double quotes, as the go
// command splits -ldflags and -gcflags (cmd/internal/quoted.Split). Quotes
// do not nest and have no escapes.
func splitQuoted(s string) ([]string, error) {
	var f []string
	for len(s) > 0 {
		for len(s) > 0 && isSpace(s[0]) {
			s = s[1:]
		}
		if len(s) == 0 {
			break
		}
		if q := s[0]; q == '"' || q == '\'' {
			i := strings.IndexByte(s[1:], q)
			if i < 0 {
				return nil, fmt.Errorf("unterminated %c string", q)
			}
			f = append(f, s[1:1+i])
			s = s[2+i:]
			continue
		}
		i := 0
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		f = append(f, s[:i])
		s = s[i:]
	}
	return f, nil
}

// isSpace reports whether c is a space as the go command's flag splitting
// sees it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// pgoKnobs are the compiler's PGO tuning flags, given as -d=NAME=VALUE in
// -gcflags, with a check of their values.
var pgoKnobs = map[string]func(string) error{
	"pgoinline": func(v string) error {
		if v != "0" && v != "1" {
			return errors.New("want 0 (no profile-guided inlining) or 1")
		}
		return nil
	},
	"pgoinlinebudget": func(v string) error {
		if n, err := strconv.Atoi(v); err != nil || n <= 0 {
			return errors.New("want a positive inline cost budget for hot functions, e.g. 2000 (the default)")
		}
		return nil
	},
	"pgoinlinecdfthreshold": func(v string) error {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || f > 100 {
			return errors.New("want the percentage of call-edge weight counted as hot, between 0 and 100, e.g. 99 (the default)")
		}
		return nil
	},
	"pgodevirtualize": func(v string) error {
		if v != "0" && v != "1" && v != "2" {
			return errors.New("want 0 (off), 1 (interface calls) or 2 (interface and function-value calls, the default)")
		}
		return nil
	},
}

// PGOKnobs returns the PGO knobs in a -gcflags value, as NAME=VALUE in
// order (e.g. "pgoinlinebudget=4000" from "all=-d=pgoinlinebudget=4000"),
// and checks them: each value, and that the value applies to every package
// (the all= pattern), since PGO itself does. Other -d options are left to
// the compiler.
func PGOKnobs(gcflags string) ([]string, error) {
	pattern, fields, err := splitGCFlags(gcflags)
	if err != nil {
		return nil, err
	}
	var knobs []string
	for _, f := range fields {
		for _, item := range f.debug {
			name, val, _ := strings.Cut(item, "=")
			check, ok := pgoKnobs[name]
			if !ok {
				continue
			}
			if err := check(val); err != nil {
				return nil, fmt.Errorf("-d=%s: %w", item, err)
			}
			knobs = append(knobs, item)
		}
	}
	if len(knobs) > 0 && pattern != "all" {
		flags := gcflags
		if pattern != "" {
			_, flags, _ = strings.Cut(gcflags, "=")
		}
		return nil, fmt.Errorf("%q: PGO knobs must apply to every package, as PGO does: write all=%s", gcflags, strings.TrimSpace(flags))
	}
	return knobs, nil
}

// StripPGOKnobs returns gcflags without its PGO knobs, and without a -d
// flag or the pattern when nothing is left of them: the same build without
// the knobs. Flags that held spaces come back single-quoted.
func StripPGOKnobs(gcflags string) string {
	pattern, fields, err := splitGCFlags(gcflags)
	if err != nil {
		return gcflags
	}
	var out []string
	for _, f := range fields {
		if f.debug == nil {
			out = append(out, quoteField(f.text))
			continue
		}
		var keep []string
		for _, item := range f.debug {
			if name, _, _ := strings.Cut(item, "="); pgoKnobs[name] == nil {
				keep = append(keep, item)
			}
		}
		if len(keep) > 0 {
			out = append(out, "-d="+strings.Join(keep, ","))
		}
	}
	if len(out) == 0 {
		return ""
	}
	if pattern != "" {
		return pattern + "=" + strings.Join(out, " ")
	}
	return strings.Join(out, " ")
}

// gcField is one flag of a -gcflags value; debug holds the comma-separated
// items of a -d flag (nil for other flags).
type gcField struct {
	text  string
	debug []string
}

// splitGCFlags splits a -gcflags value into its pattern and flags, joining
// "-d X" into one -d flag.
func splitGCFlags(gcflags string) (string, []gcField, error) {
	s := strings.TrimSpace(gcflags)
	pattern, flags := "", s
	if s != "" && s[0] != '-' {
		if p, f, ok := strings.Cut(s, "="); ok {
			pattern, flags = p, f
		}
	}
	words, err := splitQuoted(flags)
	if err != nil {
		return "", nil, err
	}
	var fields []gcField
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-d" || w == "--d":
			if i+1 < len(words) {
				i++
				fields = append(fields, gcField{text: w + " " + words[i], debug: strings.Split(words[i], ",")})
				continue
			}
		case strings.HasPrefix(w, "-d=") || strings.HasPrefix(w, "--d="):
			_, v, _ := strings.Cut(w, "=")
			fields = append(fields, gcField{text: w, debug: strings.Split(v, ",")})
			continue
		}
		fields = append(fields, gcField{text: w})
	}
	return pattern, fields, nil
}

// quoteField quotes a flag that holds a space, as the go command reads it.
func quoteField(f string) string {
	if strings.ContainsAny(f, " \t") {
		return "'" + f + "'"
	}
	return f
}

// ParseGOGC checks a GOGC value: off, or a percentage of 0 or more.
func ParseGOGC(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return s, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return strconv.Itoa(n), nil
	}
	return "", fmt.Errorf("%q: want off or a percentage such as 100 (the default), 50 or 400", s)
}

// Worktree is the revision that names the target's current files,
// uncommitted changes included, rather than a commit.
const Worktree = "worktree"

// ParseRev checks a revision as gotune passes it to git (a branch, a tag,
// a commit, HEAD~1, origin/main, or worktree) and returns it without
// surrounding space. It refuses what git would read as something else: a
// value that starts with - (an option), a range (a..b: give the two ends
// as two revisions) or a path (rev:path), and blanks.
func ParseRev(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("empty revision (want a branch, tag or commit such as main or HEAD~1, or worktree)")
	case strings.HasPrefix(s, "-"):
		return "", fmt.Errorf("%q: a revision cannot start with -", s)
	case strings.Contains(s, ".."):
		return "", fmt.Errorf("%q is a range: give its two ends as two revisions, e.g. %s", s, strings.Replace(strings.Replace(s, "...", ",", 1), "..", ",", 1))
	case strings.Contains(s, ":"):
		return "", fmt.Errorf("%q names a path inside a commit: give the commit alone (the target's directory is found in it)", s)
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "", fmt.Errorf("%q: a revision holds no blanks or control characters", s)
	case s != Worktree && strings.EqualFold(s, Worktree):
		return "", fmt.Errorf("%q: write the keyword in lower case, %q", s, Worktree)
	}
	return s, nil
}

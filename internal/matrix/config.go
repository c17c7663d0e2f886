package matrix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/service"
)

// Error is a problem in a gotune.yaml: the file, the line (0 when unknown)
// and what is wrong. It prints as `gotune.yaml:7: unknown key "ldflag" ...`.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error returns "file:line: msg".
func (e *Error) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.File + ": " + e.Msg
}

// Keys of gotune.yaml, in the order error messages list them. The
// revisions to compare are a list of their own, "revisions:", not an axis
// under "axes:" nor a setting of a named variant: they name commits of the
// repository, not build settings.
var (
	topKeys     = []string{"axes", "variants", "revisions", "max_variants", "count", "bench", "benchtime", "packages", "service"}
	axisKeys    = settingKeys()
	variantKeys = append([]string{"name"}, settingKeys()...)
)

// settingKeys returns the names of the axes that gotune.yaml gives under
// axes: and in named variants: every axis but rev.
func settingKeys() []string {
	var out []string
	for _, n := range axis.Names() {
		if n != axis.Rev.Name {
			out = append(out, n)
		}
	}
	return out
}

// maxErrors is how many problems Parse reports before it stops listing them.
const maxErrors = 20

// Load reads and parses the gotune.yaml at path; see Parse. An error from
// reading the file is returned as is, so errors.Is(err, fs.ErrNotExist)
// tells a missing file.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return cfg, err
	}
	return cfg, readRequestsFile(&cfg, filepath.Dir(path))
}

// readRequestsFile reads the service section's requests file, relative to
// the directory of gotune.yaml, into its requests.
func readRequestsFile(cfg *Config, dir string) error {
	s := cfg.Service
	if s == nil || s.Load.RequestsFile == "" {
		return nil
	}
	path := s.Load.RequestsFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	reqs, err := service.ReadRequests(path)
	if err != nil {
		return err
	}
	c := *s
	c.Load.Requests, c.Load.RequestsFile = reqs, ""
	cfg.Service = &c
	return nil
}

// Parse parses the contents of a gotune.yaml; name is the file name used
// in errors. Parsing is strict: an unknown or repeated key, a value of the
// wrong type or an invalid setting is an error at its line, and every such
// problem is reported (each an *Error, joined). An empty file is the zero
// Config.
//
// Parse walks the yaml.v3 node tree rather than decoding into a struct with
// Decoder.KnownFields: that gives each message the list of known keys, the
// line of the exact list item at fault, repeated keys as errors, and tells a
// setting that is absent (inherit the baseline's) from one that is empty.
func Parse(name string, data []byte) (Config, error) {
	p := &parser{file: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, nil
		}
		return Config{}, p.yamlError(err)
	}
	cfg := p.config(&doc)
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		p.errorf(&next, "more than one YAML document: gotune.yaml holds one")
	case !errors.Is(err, io.EOF):
		p.errs = append(p.errs, p.yamlError(err))
	}
	if len(p.errs) > 0 {
		return Config{}, errors.Join(p.errs...)
	}
	return cfg, nil
}

// parser collects the problems of one file.
type parser struct {
	file string
	errs []error
}

// errorf records a problem at n's line.
func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	if len(p.errs) == maxErrors {
		p.errs = append(p.errs, &Error{File: p.file, Msg: "too many errors"})
	}
	if len(p.errs) > maxErrors {
		return
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// yamlLine matches the line number yaml.v3 puts in syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a yaml.v3 syntax error into an *Error.
func (p *parser) yamlError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: p.file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: p.file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// config reads the top-level mapping.
func (p *parser) config(doc *yaml.Node) Config {
	var cfg Config
	n := doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return cfg
		}
		n = n.Content[0]
	}
	n = resolve(n)
	if isNull(n) {
		return cfg
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "want a mapping of settings (%s), got %s", strings.Join(topKeys, ", "), describe(n))
		return cfg
	}
	p.mapping(n, topKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "axes":
			if cfg.Axes == nil {
				cfg.Axes = axis.Values{}
			}
			for name, vals := range p.axes(v) {
				cfg.Axes[name] = vals
			}
		case "variants":
			cfg.Variants = p.variants(v)
		case "revisions":
			revs := p.list(key, v, func(item *yaml.Node, s string) (string, error) {
				return axis.ParseRev(s)
			})
			if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
				p.errorf(v, "revisions: the list is empty; leave the key out to build the current files only")
			}
			if len(revs) > 0 {
				if cfg.Axes == nil {
					cfg.Axes = axis.Values{}
				}
				cfg.Axes[axis.Rev.Name] = revs
			}
		case "max_variants":
			cfg.MaxVariants = p.positive(key, v)
		case "count":
			cfg.Count = p.positive(key, v)
		case "bench":
			if s, ok := p.scalar(key, v); ok {
				if _, err := regexp.Compile(s); err != nil {
					p.errorf(v, "bench: %q is not a regular expression: %v", s, err)
				}
				cfg.Bench = s
			}
		case "benchtime":
			if s, ok := p.scalar(key, v); ok {
				bt, err := ParseBenchtime(s)
				if err != nil {
					p.errorf(v, "benchtime: %v", err)
				}
				cfg.Benchtime = bt
			}
		case "packages":
			cfg.Packages = p.list(key, v, func(item *yaml.Node, s string) (string, error) {
				s = strings.TrimSpace(s)
				if s == "" {
					return "", errors.New("empty package pattern")
				}
				return s, nil
			})
			if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
				p.errorf(v, "packages: the list is empty; leave the key out to benchmark every package")
			}
		case "service":
			cfg.Service = p.service(v)
		}
	})
	return cfg
}

// axes reads the axes mapping.
func (p *parser) axes(n *yaml.Node) axis.Values {
	x := axis.Values{}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "axes: want a mapping of axes (%s), got %s", strings.Join(axisKeys, ", "), describe(n))
		return x
	}
	p.mapping(n, axisKeys, func(key string, k, v *yaml.Node) {
		a := axis.ByName(key)
		vals := p.list(key, v, func(item *yaml.Node, s string) (string, error) {
			return a.Parse(s)
		})
		if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			p.errorf(v, "%s: the list is empty; leave the axis out to keep the baseline's value", key)
		}
		x[a.Name] = vals
	})
	return x
}

// variants reads the list of named variants.
func (p *parser) variants(n *yaml.Node) []NamedVariant {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "variants: want a list of variants, got %s", describe(n))
		return nil
	}
	var out []NamedVariant
	first := map[string]int{}
	for _, item := range n.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "variants: want a variant (a mapping of %s), got %s", strings.Join(variantKeys, ", "), describe(item))
			continue
		}
		v := NamedVariant{Line: item.Line}
		var nameNode *yaml.Node
		nameOK := false
		p.mapping(item, variantKeys, func(key string, k, val *yaml.Node) {
			if key == "name" {
				nameNode = val
				var s string
				s, nameOK = p.scalar(key, val)
				v.Name = strings.TrimSpace(s)
				return
			}
			if val.Kind == yaml.SequenceNode {
				p.errorf(val, "%s: want a single value in a variant, got a list; lists of values belong under axes", key)
				return
			}
			s, ok := p.scalar(key, val)
			if !ok {
				return
			}
			norm, err := axis.ByName(key).Parse(s)
			if err != nil {
				p.errorf(val, "%s: %v", key, err)
				return
			}
			if v.Set == nil {
				v.Set = axis.Settings{}
			}
			v.Set[key] = norm
		})
		if nameNode == nil {
			p.errorf(item, "variant has no name")
			continue
		}
		if !nameOK {
			continue
		}
		if err := ValidateName(v.Name); err != nil {
			p.errorf(nameNode, "%v", err)
			continue
		}
		if line, dup := first[v.Name]; dup {
			p.errorf(nameNode, "variant name %q is already used at line %d", v.Name, line)
			continue
		}
		first[v.Name] = nameNode.Line
		out = append(out, v)
	}
	return out
}

// mapping calls f for each key of the mapping n in order, after checking
// that the key is one of known and not repeated.
func (p *parser) mapping(n *yaml.Node, known []string, f func(key string, k, v *yaml.Node)) {
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "want a key (%s), got %s", strings.Join(known, ", "), describe(k))
			continue
		}
		key := k.Value
		if k.ShortTag() == "!!merge" {
			p.errorf(k, "merge keys (<<) are not supported")
			continue
		}
		if !slices.Contains(known, key) {
			msg := fmt.Sprintf("unknown key %q (known: %s)", key, strings.Join(known, ", "))
			switch {
			case slices.Contains(axisKeys, key) && slices.Contains(known, "axes"):
				msg += `; axes go under "axes:"`
			case key == axis.Rev.Name || key == "revision":
				msg += `; the revisions to compare are a list at the top of the file: revisions: [main, HEAD]`
			}
			p.errorf(k, "%s", msg)
			continue
		}
		if line, dup := first[key]; dup {
			p.errorf(k, "duplicate key %q (first at line %d)", key, line)
			continue
		}
		first[key] = k.Line
		f(key, k, v)
	}
}

// scalar returns the text of a scalar value. Null reads as "". Any other
// kind of node is reported and gives ok == false.
func (p *parser) scalar(key string, n *yaml.Node) (s string, ok bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s: want a single value, got %s", key, describe(n))
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	return n.Value, true
}

// positive returns the value of a key that holds a positive whole number.
func (p *parser) positive(key string, n *yaml.Node) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.errorf(n, "%s: want a whole number, got %s", key, describe(n))
		return 0
	}
	if v <= 0 {
		p.errorf(n, "%s: want a number above 0, got %d", key, v)
		return 0
	}
	return v
}

// list returns the items of a list of single values, each checked by check
// at its own line. It returns nil when n is not a list.
func (p *parser) list(key string, n *yaml.Node, check func(item *yaml.Node, s string) (string, error)) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list such as [a, b], got %s", key, describe(n))
		return nil
	}
	out := []string{}
	for _, item := range n.Content {
		item = resolve(item)
		s, ok := p.scalar(key, item)
		if !ok {
			continue
		}
		v, err := check(item, s)
		if err != nil {
			p.errorf(item, "%s: %v", key, err)
			continue
		}
		out = append(out, v)
	}
	return out
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is a YAML null (~, null or nothing).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe says what n is, for error messages: "a list", "the string \"x\"".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return "the string " + strconv.Quote(n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return "the value " + strconv.Quote(n.Value)
	}
	return "an unknown node"
}

// ParseBenchtime checks a -benchtime value, a positive duration like 500ms
// or a positive count like 100x, and returns it without surrounding space.
func ParseBenchtime(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "x"); ok {
		if c, err := strconv.Atoi(n); err == nil && c > 0 {
			return s, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return s, nil
	}
	return "", fmt.Errorf("%q is neither a duration like 500ms nor a count like 100x", s)
}

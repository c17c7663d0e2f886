package matrix

import (
	"bytes"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/gotune/gotune/internal/service"
)

// yamlFieldLine matches yaml.v3's strict-decoding messages, e.g. "line 3:
// field rat not found in type service.Load".
var yamlFieldLine = regexp.MustCompile(`line (\d+): (.*)`)

// service decodes the service: section strictly (unknown keys refused),
// with the lines of its problems in the whole file. Its values are
// validated when service mode is on (service.Config.Validate).
func (p *parser) service(n *yaml.Node) *service.Config {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "service: want a mapping (main, args, env, ready, load, warmup, duration, stop_timeout, pprof_path), got %s", describe(n))
		return nil
	}
	// Re-encode the section and decode it with KnownFields: yaml.v3's
	// Node.Decode cannot refuse unknown keys.
	data, err := yaml.Marshal(n)
	if err != nil {
		p.errorf(n, "service: %v", err)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c service.Config
	if err := dec.Decode(&c); err != nil {
		line := n.Line
		msg := err.Error()
		if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
			msg = te.Errors[0]
		}
		if m := yamlFieldLine.FindStringSubmatch(msg); m != nil {
			if l, err := strconv.Atoi(m[1]); err == nil {
				line = n.Line + l - 1
			}
			msg = m[2]
		}
		p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: "service: " + msg + " (see docs/service.md)"})
		return nil
	}
	return &c
}

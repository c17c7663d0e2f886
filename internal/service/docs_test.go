package service

import (
	"bytes"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// docExample returns the service: section of the first yaml block of
// docs/service.md, decoded strictly as gotune.yaml is.
func docExample(t *testing.T) Config {
	t.Helper()
	data, err := os.ReadFile("../../docs/service.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(data, []byte("```yaml\n"))
	if !ok {
		t.Fatal("docs/service.md has no yaml block")
	}
	block, _, _ := bytes.Cut(rest, []byte("```"))
	var doc struct {
		Service Config `yaml:"service"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(block))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the example in docs/service.md does not decode: %v", err)
	}
	return doc.Service
}

// TestDocExample checks that the example in docs/service.md decodes
// strictly and validates.
func TestDocExample(t *testing.T) {
	c := docExample(t)
	if _, err := c.Resolve("."); err != nil {
		t.Fatalf("the example in docs/service.md does not validate: %v", err)
	}
	if c.Main != "./cmd/quotesd" || !c.UsesPprofListener() {
		t.Errorf("the example is not the demo's quotesd with its pprof listener: %+v", c)
	}
}

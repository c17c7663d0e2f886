package builder

import (
	"slices"
	"testing"

	"github.com/gotune/gotune/internal/axis"
)

// TestMainArgs checks the argv of service mode's builds: go build of the
// main package, with the settings' flags as a test binary gets them.
func TestMainArgs(t *testing.T) {
	s := axis.Settings{axis.GOAMD64.Name: "v3", axis.PGO.Name: "off", axis.LDFlags.Name: "-X=main.mode=slow"}
	got := MainArgs(s, "example.com/m/cmd/a", "/out/a")
	test := TestArgs(s, "example.com/m/cmd/a", "/out/a")
	want := append([]string{"go", "build", "-o", "/out/a"}, test[5:]...)
	if !slices.Equal(got, want) {
		t.Errorf("MainArgs = %q, want %q", got, want)
	}
	list := MainListArgs(s, "example.com/m/cmd/a")
	if slices.Contains(list, "-test") || list[len(list)-1] != "example.com/m/cmd/a" || !slices.Contains(list, "-ldflags=-X=main.mode=slow") {
		t.Errorf("MainListArgs = %q", list)
	}
	d := MainDecisionArgs(s, "example.com/m/cmd/a", "example.com/m", "/tmp/x")
	if !slices.Equal(d[:4], []string{"go", "build", "-o", "/tmp/x"}) || !slices.Equal(d[4:], DecisionArgs(s, "example.com/m/cmd/a", "example.com/m", "/tmp/x")[5:]) {
		t.Errorf("MainDecisionArgs = %q", d)
	}
}

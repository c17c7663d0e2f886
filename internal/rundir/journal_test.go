package rundir

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/measure"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := State{Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Source: "abc", Options: json.RawMessage(`{"count":10}`), Resume: "gotune run --resume"}
	if err := WriteState(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	var opts struct{ Count int }
	if err := json.Unmarshal(got.Options, &opts); err != nil || opts.Count != 10 {
		t.Errorf("options %s: %v", got.Options, err)
	}
	if got.Source != "abc" || got.Version != stateVersion || got.Updated.IsZero() {
		t.Errorf("state = %+v", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("run folder holds %d files, want only the state (no temporary left)", len(entries))
	}
}

func TestFind(t *testing.T) {
	work := t.TempDir()
	mk := func(name string, started time.Time, complete bool) {
		dir := filepath.Join(work, "runs", name)
		os.MkdirAll(dir, 0o755)
		if err := WriteState(dir, State{Started: started, Complete: complete, Options: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := FindInterrupted(work); !errors.Is(err, ErrNothing) {
		t.Fatalf("Find in an empty work dir: %v", err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk("a", t0, false)
	mk("b", t0.Add(time.Hour), false)
	mk("c", t0.Add(2*time.Hour), true)
	dir, _, err := FindInterrupted(work)
	if err != nil || filepath.Base(dir) != "b" {
		t.Errorf("Find = %q, %v; want the newest incomplete run, b", dir, err)
	}
}

func TestJournal(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	j.Append("grid", measure.Record{Cycle: 1, Block: 1, Variant: "base", Package: "p", Stdout: "BenchmarkA-2 1 5 ns/op\n"})
	j.Append("grid", measure.Record{Cycle: 1, Decision: &measure.Decision{Drop: []string{"a"}}})
	j.Append("combination", measure.Record{Cycle: 11, Block: 40, Variant: "c", Package: "p", Error: "exit status 2"})
	if err := j.Err(); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// Reopening appends.
	j, _ = OpenJournal(dir)
	j.Append("grid", measure.Record{Cycle: 2, Block: 3, Variant: "base", Package: "p"})
	j.Close()

	recs, err := LoadJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs["grid"]) != 3 || len(recs["combination"]) != 1 {
		t.Fatalf("records %v", recs)
	}
	if d := recs["grid"][1].Decision; d == nil || d.Drop[0] != "a" {
		t.Errorf("decision lost: %+v", recs["grid"][1])
	}
	if recs["combination"][0].Error != "exit status 2" || recs["grid"][0].Stdout == "" {
		t.Errorf("trial records lost fields: %+v", recs)
	}
}

func TestLoadTornLine(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    int
		wantErr bool
	}{
		{"empty", "", 0, false},
		{"whole", `{"stage":"g","cycle":1}` + "\n", 1, false},
		{"cut without newline", `{"stage":"g","cycle":1}` + "\n" + `{"stage":"g","ro`, 1, false},
		{"cut last line", `{"stage":"g","cycle":1}` + "\n" + `{"stage":` + "\n", 1, false},
		{"bad line in the middle", `{"stage":"g","cycle":1}` + "\n" + "garbage\n" + `{"stage":"g","cycle":2}` + "\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := read(strings.NewReader(tt.data))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && len(recs["g"]) != tt.want {
				t.Errorf("%d records, want %d", len(recs["g"]), tt.want)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	recs, err := LoadJournal(t.TempDir())
	if err != nil || len(recs) != 0 {
		t.Errorf("Load of a run without a journal = %v, %v", recs, err)
	}
}

// A binary adopted from an earlier run survives the pruning of that run's
// binaries; the new run keeps its own.
func TestAdoptAndPrune(t *testing.T) {
	work := t.TempDir()
	old, err := Create(work, time.Unix(1000, 0), 1, State{})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	src := filepath.Join(old.Path, "bin", "baseline", "p.test")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("code"), 0o755); err != nil {
		t.Fatal(err)
	}
	cur, err := Create(work, time.Unix(2000, 0), 2, State{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("Create pruned the earlier run's binaries before they could be adopted: %v", err)
	}
	got, err := cur.Adopt(src, filepath.Join("0", "0", "p.test"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, filepath.Join(cur.Path, "bin")) {
		t.Errorf("adopted to %s, outside the run's bin", got)
	}
	cur.PruneEarlier()
	if _, err := os.Stat(filepath.Join(old.Path, "bin")); !os.IsNotExist(err) {
		t.Errorf("the earlier run's binaries were kept: %v", err)
	}
	if b, err := os.ReadFile(got); err != nil || string(b) != "code" {
		t.Errorf("adopted binary: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(old.Path, StateFile)); err != nil {
		t.Errorf("the earlier run's state went with its binaries: %v", err)
	}
}

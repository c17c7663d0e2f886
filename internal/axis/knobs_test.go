package axis

import (
	"slices"
	"strings"
	"testing"
)

func TestPGOKnobs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{name: "none", in: "all=-l", want: nil},
		{name: "empty", in: "", want: nil},
		{name: "budget", in: "all=-d=pgoinlinebudget=4000", want: []string{"pgoinlinebudget=4000"}},
		{name: "several in one -d", in: "all=-d=pgoinlinecdfthreshold=95.5,pgodevirtualize=0", want: []string{"pgoinlinecdfthreshold=95.5", "pgodevirtualize=0"}},
		{name: "-d with a space", in: "all=-l -d pgoinline=0", want: []string{"pgoinline=0"}},
		{name: "other -d options left alone", in: "-d=checkptr=1", want: nil},
		{name: "bad budget", in: "all=-d=pgoinlinebudget=lots", wantErr: "-d=pgoinlinebudget=lots: want a positive inline cost budget"},
		{name: "zero budget", in: "all=-d=pgoinlinebudget=0", wantErr: "want a positive inline cost budget"},
		{name: "threshold over 100", in: "all=-d=pgoinlinecdfthreshold=120", wantErr: "between 0 and 100"},
		{name: "devirtualize 3", in: "all=-d=pgodevirtualize=3", wantErr: "want 0 (off), 1 (interface calls) or 2"},
		{name: "not for all packages", in: "-d=pgoinlinebudget=4000", wantErr: `PGO knobs must apply to every package, as PGO does: write all=-d=pgoinlinebudget=4000`},
		{name: "another pattern", in: "./...=-d=pgodevirtualize=0", wantErr: "write all=-d=pgodevirtualize=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PGOKnobs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("PGOKnobs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestGCFlagsAxisChecksPGOKnobs(t *testing.T) {
	_, err := ParseFlagValues(Values{"gcflags": {"", "-d=pgoinlinebudget=9"}})
	if err == nil || !strings.Contains(err.Error(), "--gcflags: ") || !strings.Contains(err.Error(), "write all=") {
		t.Errorf("err = %v, want a --gcflags error asking for all=", err)
	}
	ax, err := ParseFlagValues(Values{"gcflags": {"", "all=-d=pgoinlinebudget=4000"}})
	if err != nil || !slices.Equal(ax["gcflags"], []string{"", "all=-d=pgoinlinebudget=4000"}) {
		t.Errorf("ParseFlagValues = %q, %v", ax["gcflags"], err)
	}
}

func TestStripPGOKnobs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"all=-d=pgoinlinebudget=4000", ""},
		{"all=-l -d=pgoinlinebudget=4000", "all=-l"},
		{"all=-d=checkptr=1,pgodevirtualize=0 -l", "all=-d=checkptr=1 -l"},
		{"all=-d pgoinline=0", ""},
		{"-N -l", "-N -l"},
	}
	for _, tt := range tests {
		if got := StripPGOKnobs(tt.in); got != tt.want {
			t.Errorf("StripPGOKnobs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

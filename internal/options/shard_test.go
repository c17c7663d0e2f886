package options

import (
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		k, n int
		err  string
	}{
		{"1/3", 1, 3, ""},
		{" 3/3 ", 3, 3, ""},
		{"1/1", 1, 1, ""},
		{"0/3", 0, 0, "want K from 1 to 3"},
		{"4/3", 0, 0, "shard 4 of 3"},
		{"1/0", 0, 0, "want between 1 and 256 shards"},
		{"1/257", 0, 0, "want between 1 and 256 shards"},
		{"2", 0, 0, "want K/N"},
		{"a/b", 0, 0, "want K/N"},
	} {
		k, n, err := ParseShard(tc.in)
		switch {
		case tc.err == "" && (err != nil || k != tc.k || n != tc.n):
			t.Errorf("ParseShard(%q) = %d, %d, %v; want %d, %d", tc.in, k, n, err, tc.k, tc.n)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseShard(%q) = %v, want an error with %q", tc.in, err, tc.err)
		}
	}
	if err := (&Options{Shard: "1/2", BaselineOnly: true}).Validate(); err == nil || !strings.Contains(err.Error(), "drop --base and --baseline-only") {
		t.Errorf("--shard with --baseline-only: %v", err)
	}
}

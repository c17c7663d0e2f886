package main

import (
	"fmt"
	"os"
	"time"

	"github.com/google/pprof/profile"
)

// mkprof writes a CPU profile of another program to its argument: a
// hundred samples in functions that no fixture module or standard package
// has (other.example/app.main calling other.example/app.hot), with the
// function start lines PGO needs. A profile recorded from a real process
// would also hold a few samples in the runtime and the standard library,
// which PGO may act on; this one cannot touch the target's code.
func mkprof() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkprof file.pprof")
		os.Exit(2)
	}
	fn := []*profile.Function{
		{ID: 1, Name: "other.example/app.main", SystemName: "other.example/app.main", Filename: "/other/app/main.go", StartLine: 10},
		{ID: 2, Name: "other.example/app.hot", SystemName: "other.example/app.hot", Filename: "/other/app/hot.go", StartLine: 3},
	}
	loc := []*profile.Location{
		{ID: 1, Address: 0x1000, Line: []profile.Line{{Function: fn[1], Line: 5}}},
		{ID: 2, Address: 0x2000, Line: []profile.Line{{Function: fn[0], Line: 12}}},
	}
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        int64(10 * time.Millisecond),
		DurationNanos: int64(time.Second),
		Sample:        []*profile.Sample{{Location: []*profile.Location{loc[0], loc[1]}, Value: []int64{100, int64(time.Second)}}},
		Location:      loc,
		Function:      fn,
	}
	f, err := os.Create(os.Args[1])
	if err == nil {
		err = p.Write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkprof:", err)
		os.Exit(1)
	}
}

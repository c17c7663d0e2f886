package pairstat

import (
	"math"
	"testing"
)

func TestSpending(t *testing.T) {
	for _, tc := range []struct {
		kind SpendKind
		t    float64
		want float64
	}{
		// 2-2Φ(1.959964/√t)
		{OBrienFleming, 0.1, 5.72e-10},
		{OBrienFleming, 0.25, 8.85e-5},
		{OBrienFleming, 0.5, 0.005575},
		{OBrienFleming, 1, 0.05},
		// 0.05·ln(1+(e-1)t)
		{Pocock, 0.1, 0.007928},
		{Pocock, 0.5, 0.031006},
		{Pocock, 1, 0.05},
		{Linear, 0.3, 0.015},
		{Linear, 1, 0.05},
	} {
		s := Spending{Alpha: 0.05, Kind: tc.kind}
		if got := s.Cumulative(tc.t); math.Abs(got-tc.want) > 2e-3*tc.want {
			t.Errorf("%v.Cumulative(%g) = %.4g, want %.4g", tc.kind, tc.t, got, tc.want)
		}
	}
	for _, kind := range []SpendKind{OBrienFleming, Pocock, Linear} {
		s := Spending{Alpha: 0.05, Kind: kind}
		if s.Cumulative(0) != 0 || s.Cumulative(-1) != 0 || s.Cumulative(1) != 0.05 || s.Cumulative(7) != 0.05 {
			t.Errorf("%v: ends wrong", kind)
		}
		// Increments over any sequence of looks sum to at most Alpha.
		sum, prev := 0.0, 0.0
		for look := 1; look <= 1000; look++ {
			cur := float64(look) / 997 // overruns the plan
			inc := s.Increment(prev, cur)
			if inc < 0 || s.Cumulative(cur) < s.Cumulative(prev) {
				t.Fatalf("%v: decreasing at %g", kind, cur)
			}
			sum += inc
			prev = cur
		}
		if sum > 0.05*(1+1e-12) || sum < 0.05*(1-1e-9) {
			t.Errorf("%v: increments over 1000 looks sum to %g, want 0.05", kind, sum)
		}
		if s.Increment(0.5, 0.4) != 0 {
			t.Errorf("%v: a look before the previous one spends", kind)
		}
	}
	if (Spending{}).Cumulative(0.5) != 0 {
		t.Error("zero Alpha spends")
	}
}

package pairstat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Published two-sided critical values T (reject when W ≤ T).
var (
	// York's table "Critical Values for T in the Wilcoxon Signed-Rank
	// Test", column P = 0.05 (two-tailed), n = 6..25
	// (https://www.york.ac.uk/depts/maths/tables/wilcoxon.htm).
	published05 = map[int]int{
		6: 0, 7: 2, 8: 3, 9: 5, 10: 8, 11: 10, 12: 13, 13: 17, 14: 21, 15: 25,
		16: 29, 17: 34, 18: 40, 19: 46, 20: 52, 21: 58, 22: 65, 23: 73, 24: 81, 25: 89,
	}
	// LibreTexts, Chemometrics Using R (Harvey), appendix 12.6 "Critical
	// Values for the Wilcoxson Signed Rank Test", one-tailed α = 0.05,
	// that is two-sided α = 0.10, n = 5..20.
	published10 = map[int]int{
		5: 0, 6: 2, 7: 3, 8: 5, 9: 8, 10: 10, 11: 13, 12: 17, 13: 21, 14: 25,
		15: 30, 16: 35, 17: 41, 18: 47, 19: 53, 20: 60,
	}
)

func TestCriticalValuePublished(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alpha float64
		rows  map[int]int
	}{
		{"york-two-sided-0.05", 0.05, published05},
		{"libretexts-one-sided-0.05", 0.10, published10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for n, want := range tc.rows {
				if got := CriticalValue(n, tc.alpha); got != want {
					t.Errorf("CriticalValue(%d, %g) = %d, table says %d", n, tc.alpha, got, want)
				}
			}
		})
	}
	for _, tc := range []struct {
		name  string
		n     int
		alpha float64
		want  int
	}{
		{"n5-0.05-none", 5, 0.05, -1},
		{"n6-0.05", 6, 0.05, 0},
		{"n10-0.05", 10, 0.05, 8},
		{"n20-0.05", 20, 0.05, 52},
		{"n4-0.10-none", 4, 0.10, -1},
		{"n0", 0, 0.05, -1},
		{"alpha0", 10, 0, -1},
		{"alpha-all", 3, 2, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CriticalValue(tc.n, tc.alpha); got != tc.want {
				t.Errorf("CriticalValue(%d, %g) = %d, want %d", tc.n, tc.alpha, got, tc.want)
			}
		})
	}
}

// bruteDist returns how many of the 2^n sign patterns of the given doubled
// ranks give each sum of doubled positive ranks.
func bruteDist(ranks2 []int) map[int]int {
	dist := map[int]int{}
	n := len(ranks2)
	for mask := range 1 << n {
		s := 0
		for i, r := range ranks2 {
			if mask&(1<<i) != 0 {
				s += r
			}
		}
		dist[s]++
	}
	return dist
}

// bruteRanks2 returns the doubled midranks of |d| for non-zero d, computed
// the slow way, and the doubled W+.
func bruteRanks2(d []float64) (ranks2 []int, w2 int) {
	for _, v := range d {
		if v == 0 {
			continue
		}
		less, equal := 0, 0
		for _, u := range d {
			switch {
			case u == 0:
			case math.Abs(u) < math.Abs(v):
				less++
			case math.Abs(u) == math.Abs(v):
				equal++
			}
		}
		r2 := 2*less + equal + 1 // 2·(less + (equal+1)/2)
		ranks2 = append(ranks2, r2)
		if v > 0 {
			w2 += r2
		}
	}
	return ranks2, w2
}

// bruteP is the two-sided p-value by enumeration of all sign patterns:
// twice the smaller of P(W ≤ w) and P(W ≥ w), capped at 1.
func bruteP(d []float64) float64 {
	ranks2, w2 := bruteRanks2(d)
	if len(ranks2) == 0 {
		return 1
	}
	le, ge, total := 0, 0, 0
	for s, c := range bruteDist(ranks2) {
		total += c
		if s <= w2 {
			le += c
		}
		if s >= w2 {
			ge += c
		}
	}
	return min(1, 2*float64(min(le, ge))/float64(total))
}

func TestCriticalValueBruteForce(t *testing.T) {
	for n := 1; n <= 12; n++ {
		ranks2 := make([]int, n)
		for i := range ranks2 {
			ranks2[i] = 2 * (i + 1)
		}
		dist := bruteDist(ranks2)
		total := float64(int(1) << n)
		for _, alpha := range []float64{0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5} {
			want, cum := -1, 0
			for w := 0; w <= n*(n+1)/2; w++ {
				cum += dist[2*w]
				if float64(cum)/total <= alpha/2 {
					want = w
				}
			}
			if got := CriticalValue(n, alpha); got != want {
				t.Errorf("CriticalValue(%d, %g) = %d, enumeration gives %d", n, alpha, got, want)
			}
		}
	}
}

func TestSignedRankBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 400 {
		n := 1 + trial%12
		d := make([]float64, n)
		for i := range d {
			switch trial % 3 {
			case 0: // continuous: no ties
				d[i] = rng.NormFloat64() + 0.3
			case 1: // coarse: ties and zeros
				d[i] = float64(rng.IntN(7) - 3)
			default: // ties in |d| of opposite signs
				d[i] = float64(rng.IntN(3)+1) * float64(1-2*rng.IntN(2))
			}
		}
		got := SignedRank(d)
		want := bruteP(d)
		if math.Abs(got.P-want) > 1e-12 {
			t.Fatalf("SignedRank(%v).P = %v, enumeration gives %v", d, got.P, want)
		}
		ranks2, w2 := bruteRanks2(d)
		if got.N != len(ranks2) || got.Zeros != n-len(ranks2) || got.W != float64(w2)/2 || got.Exact != (got.N > 0) {
			t.Fatalf("SignedRank(%v) = %+v, want N=%d W=%g", d, got, len(ranks2), float64(w2)/2)
		}
	}
}

func TestSignedRankKnown(t *testing.T) {
	// R: x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30);
	// y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29);
	// wilcox.test(x, y, paired = TRUE) gives V = 40, p-value = 0.03906
	// (Hollander & Wolfe's depression data).
	x := []float64{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30}
	y := []float64{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29}
	d := make([]float64, len(x))
	for i := range x {
		d[i] = x[i] - y[i]
	}
	got := SignedRank(d)
	if got.W != 40 || math.Abs(got.P-0.0390625) > 1e-12 || got.N != 9 || got.Negative() {
		t.Errorf("SignedRank = %+v, want W=40 P=0.0390625 (20/512)", got)
	}

	for _, tc := range []struct {
		name string
		d    []float64
		want Test
	}{
		{"empty", nil, Test{P: 1}},
		{"all-zero", []float64{0, 0, 0}, Test{Zeros: 3, P: 1}},
		{"one", []float64{-2}, Test{N: 1, W: 0, P: 1, Exact: true}},
		{"six-negative", []float64{-1, -2, -3, -4, -5, -6}, Test{N: 6, W: 0, P: 0.03125, Exact: true}},
		{"zeros-dropped", []float64{0, 1, 2, 3, 4, 5, 6, 0}, Test{N: 6, Zeros: 2, W: 21, P: 0.03125, Exact: true}},
		{"ties", []float64{1, -1, 2, 2}, Test{N: 4, W: 8.5, P: 0.375, Exact: true, Ties: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SignedRank(tc.d); got != tc.want {
				t.Errorf("SignedRank(%v) = %+v, want %+v", tc.d, got, tc.want)
			}
		})
	}
}

func TestMinP(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want float64
	}{{0, 1}, {1, 1}, {2, 0.5}, {6, 0.03125}, {10, 1.0 / 512}} {
		if got := MinP(tc.n); got != tc.want {
			t.Errorf("MinP(%d) = %g, want %g", tc.n, got, tc.want)
		}
	}
	for n := 1; n <= MaxExact; n++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i + 1)
		}
		if p := SignedRank(d).P; p != MinP(n) {
			t.Errorf("n=%d all positive: P = %g, want MinP = %g", n, p, MinP(n))
		}
	}
}

// TestApproximation checks the approximation used beyond MaxExact
// against the exact distribution (computed by tiedCDF) for n just past it,
// and that the exact and approximate critical values agree closely.
func TestApproximation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{51, 60, 80} {
		ranks2 := make([]int, n)
		for i := range ranks2 {
			ranks2[i] = 2 * (i + 1)
		}
		exact := tiedCDF(ranks2)
		for range 50 {
			d := make([]float64, n)
			for i := range d {
				d[i] = rng.NormFloat64() + 0.25
			}
			got := SignedRank(d)
			w2 := int(2 * got.W)
			want := twoSided(exact[min(w2, n*(n+1)-w2)])
			if got.Exact || math.Abs(got.P-want) > 1e-4+1e-3*want {
				t.Errorf("n=%d W=%g: approximate P = %.5f, exact %.5f", n, got.W, got.P, want)
			}
		}
		// Down to 1e-5 the critical values are the exact ones; at 1e-6 at
		// most one lower (conservative).
		for _, alpha := range []float64{1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.05, 0.1, 0.5} {
			want := -1
			for w := 0; 2*exact[2*w] <= alpha; w++ {
				want = w
			}
			slack := 0
			if alpha < 1e-5 {
				slack = 1
			}
			if got := CriticalValue(n, alpha); got < want-slack || got > want {
				t.Errorf("CriticalValue(%d, %g) = %d, exact distribution gives %d", n, alpha, got, want)
			}
		}
	}
	// Ties beyond MaxExact: the approximation from the midranks' cumulants
	// is close to the exact distribution of the midranks.
	for range 20 {
		d := make([]float64, 70)
		for i := range d {
			d[i] = float64(rng.IntN(9) - 3)
		}
		got := SignedRank(d)
		ranks2, w2 := bruteRanks2(d)
		exact := tiedCDF(ranks2)
		s2 := 0
		for _, r := range ranks2 {
			s2 += r
		}
		want := twoSided(exact[min(w2, s2-w2)])
		if !got.Ties || math.Abs(got.P-want) > 1e-4+1e-2*want {
			t.Errorf("ties, n=%d: approximate P = %.5f, exact %.5f", got.N, got.P, want)
		}
	}
}

package pairstat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// noisy returns n values shift + sd·N(0,1).
func noisy(rng *rand.Rand, n int, shift, sd float64) []float64 {
	d := make([]float64, n)
	for i := range d {
		d[i] = shift + sd*rng.NormFloat64()
	}
	return d
}

func TestLook(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	arms := []Arm{
		{"fast", noisy(rng, 30, -0.05, 0.02)},
		{"slow", noisy(rng, 30, 0.05, 0.02)},
		{"same", noisy(rng, 30, 0, 0.002)},
		{"noise", noisy(rng, 30, 0, 0.5)},
		{"empty", nil},
	}
	o := LookOptions{Spending: Spending{Alpha: 0.05}, Info: 1, Equivalence: 0.02}
	got := Look(arms, o)
	want := []Verdict{Faster, Slower, Equivalent, Undecided, Undecided}
	for i, d := range got {
		if d.Name != arms[i].Name || d.Verdict != want[i] || d.N != len(arms[i].D) || d.Level != 0.05 {
			t.Errorf("%s: %+v, want verdict %v", arms[i].Name, d, want[i])
		}
		if d.PHolm < d.P {
			t.Errorf("%s: PHolm %g below P %g", d.Name, d.PHolm, d.P)
		}
		if d.Verdict == Faster && !(d.Hi < 0 && d.Estimate < 0) || d.Verdict == Slower && !(d.Lo > 0 && d.Estimate > 0) {
			t.Errorf("%s: %v but interval [%g, %g] estimate %g", d.Name, d.Verdict, d.Lo, d.Hi, d.Estimate)
		}
	}
	if e := got[4]; e.P != 1 || !math.IsNaN(e.Estimate) || !math.IsNaN(e.Lo) {
		t.Errorf("empty arm: %+v", e)
	}

	// Nothing spent, nothing decided.
	o0 := o
	o0.PrevInfo = 1
	for _, d := range Look(arms, o0) {
		if d.Verdict != Undecided || d.Level != 0 || d.N > 0 && (!math.IsInf(d.Lo, -1) || !math.IsInf(d.Hi, 1)) {
			t.Errorf("zero level: %+v", d)
		}
	}

	// Without a margin nothing is Equivalent.
	oe := o
	oe.Equivalence = 0
	if d := Look(arms[2:3], oe)[0]; d.Verdict != Undecided {
		t.Errorf("no margin: %+v", d)
	}

	// A larger family (arms stopped earlier as Equivalent) raises PHolm.
	of := o
	of.Family = 50
	small, large := Look(arms[:1], o)[0], Look(arms[:1], of)[0]
	if large.PHolm != min(1, 50*small.P) || small.PHolm != small.P {
		t.Errorf("family 50: PHolm %g (P %g), family 1: %g", large.PHolm, large.P, small.PHolm)
	}

	// Holm is across arms: an arm significant alone is not among many
	// that are not.
	border := Arm{"border", []float64{-0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, 0.05}}
	alone := Look([]Arm{border}, o)[0]
	crowd := Look([]Arm{border, arms[3], arms[3], arms[3]}, o)[0]
	if alone.Verdict != Faster || crowd.Verdict != Undecided {
		t.Errorf("border arm alone %v (P %g), among four %v (PHolm %g)", alone.Verdict, alone.P, crowd.Verdict, crowd.PHolm)
	}
}

func TestVerdictString(t *testing.T) {
	for v, s := range map[Verdict]string{Undecided: "undecided", Faster: "faster", Slower: "slower", Equivalent: "equivalent"} {
		if v.String() != s {
			t.Errorf("%d.String() = %q", v, v.String())
		}
	}
	if Pocock.String() != "pocock" || OBrienFleming.String() != "obrien-fleming" || Linear.String() != "linear" {
		t.Error("SpendKind names")
	}
}

func BenchmarkLook(b *testing.B) {
	for _, n := range []int{30, 60, 200} {
		rng := rand.New(rand.NewPCG(1, 2))
		arms := make([]Arm, 8)
		for i := range arms {
			arms[i] = Arm{D: noisy(rng, n, 0, 0.1)}
		}
		o := LookOptions{Spending: Spending{Alpha: 0.05, Kind: Pocock}, Info: 0.5, PrevInfo: 0.49, Equivalence: 0.02}
		b.Run("n="+itoa(n), func(b *testing.B) {
			for b.Loop() {
				Look(arms, o)
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// TestLookVerdictsOnly checks that the fast path of the A/A simulations
// decides exactly as Look.
func TestLookVerdictsOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for trial := range 200 {
		n := 6 + rng.IntN(70)
		arms := make([]Arm, 1+rng.IntN(8))
		for i := range arms {
			arms[i] = Arm{D: noisy(rng, n, 0.3*rng.NormFloat64()/math.Sqrt(float64(n)), 0.3)}
		}
		o := LookOptions{Spending: Spending{Alpha: 0.05, Kind: SpendKind(trial % 3)}, PrevInfo: 0.3 * rng.Float64(), Info: 0.3 + 0.7*rng.Float64(), Family: rng.IntN(12)}
		full, fast := Look(arms, o), look(arms, o, false)
		for i := range full {
			f, g := full[i], fast[i]
			if f.Verdict != g.Verdict || f.P != g.P || f.PHolm != g.PHolm || f.Level != g.Level || !math.IsNaN(g.Estimate) {
				t.Fatalf("trial %d arm %d: Look %+v, fast path %+v", trial, i, f, g)
			}
		}
	}
}

package main

import (
	"math"
	"testing"
)

func TestBinomCDF(t *testing.T) {
	// P(X <= 3) for binomial(16, 1/2) is (1+16+120+560)/65536.
	if got, want := binomCDF(16, 3), 697.0/65536; math.Abs(got-want) > 1e-12 {
		t.Fatalf("binomCDF(16, 3) = %v, want %v", got, want)
	}
	if got := binomCDF(5, 5); math.Abs(got-1) > 1e-12 {
		t.Fatalf("binomCDF(5, 5) = %v, want 1", got)
	}
}

func TestMedianCI(t *testing.T) {
	xs := []float64{16, 3, 9, 1, 12, 5, 14, 7, 2, 11, 4, 15, 6, 13, 8, 10} // 1..16, shuffled
	lo, hi, level, ok := medianCI(xs, 0.95)
	// n = 16: k = 4 reaches 1 - 2*697/65536 = 97.9%; k = 5 would fall to 92.3%.
	if !ok || lo != 4 || hi != 13 || math.Abs(level-(1-2*697.0/65536)) > 1e-12 {
		t.Fatalf("medianCI(1..16) = %v, %v, %v, %v; want 4, 13, 0.979, true", lo, hi, level, ok)
	}
	if _, _, _, ok := medianCI([]float64{1, 2, 3, 4, 5}, 0.95); ok {
		t.Fatal("five values cannot give a 95% interval (the best is 93.75%)")
	}
	if lo, hi, _, ok := medianCI([]float64{1, 2, 3, 4, 5, 6}, 0.95); !ok || lo != 1 || hi != 6 {
		t.Fatalf("six values: %v, %v, %v; want the extremes", lo, hi, ok)
	}
}

func TestVerdict(t *testing.T) {
	below := []float64{0.9, 0.92, 0.95, 0.97, 0.91, 0.93, 0.96, 0.94}
	above := []float64{1.1, 1.2, 1.05, 1.07, 1.3, 1.02, 1.04, 1.06}
	level := []float64{0.9, 1.1, 0.95, 1.05, 0.98, 1.02, 0.97, 1.03}
	for _, c := range []struct {
		xs   []float64
		want string
	}{{below, "below"}, {above, "above"}, {level, "level"}, {[]float64{0.5, 0.6}, "-"}} {
		if got := verdict(c.xs); got != c.want {
			t.Errorf("verdict(%v) = %q, want %q", c.xs, got, c.want)
		}
	}
}

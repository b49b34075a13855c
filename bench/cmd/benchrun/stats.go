package main

import (
	"fmt"
	"math"
	"sort"
)

// medianCI returns a confidence interval for the median of the population xs was drawn
// from, at a level of at least conf, and the level it reaches: the k-th smallest and k-th
// largest of xs for the largest k that keeps the level. It assumes nothing about the
// distribution but independent draws: the median lies below the k-th smallest value only if
// fewer than k of the n values fall below it, a binomial(n, 1/2) event. ok is false when n
// is too small for the level (fewer than 6 values for 95%).
func medianCI(xs []float64, conf float64) (lo, hi, level float64, ok bool) {
	n := len(xs)
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	best := 0
	for k := 1; 2*k <= n; k++ {
		lvl := 1 - 2*binomCDF(n, k-1)
		if lvl < conf {
			break
		}
		best, level = k, lvl
	}
	if best == 0 {
		return 0, 0, 0, false
	}
	return s[best-1], s[n-best], level, true
}

// binomCDF is P(X <= k) for X binomial(n, 1/2).
func binomCDF(n, k int) float64 {
	sum, c := 0.0, 1.0 // c = C(n, i)
	for i := 0; i <= k; i++ {
		sum += c
		c = c * float64(n-i) / float64(i+1)
	}
	return sum / math.Pow(2, float64(n))
}

// ciText formats medianCI's interval for a table cell, "-" when there are too few values.
func ciText(xs []float64) string {
	lo, hi, _, ok := medianCI(xs, 0.95)
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f–%.2f", lo, hi)
}

// verdict says where 1 lies against the interval of a ratio whose good side is below 1.
func verdict(xs []float64) string {
	lo, hi, _, ok := medianCI(xs, 0.95)
	switch {
	case !ok:
		return "-"
	case hi < 1:
		return "below"
	case lo > 1:
		return "above"
	}
	return "level"
}

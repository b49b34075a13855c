package testutil

import (
	"runtime/debug"
	"testing"
)

// SkipRace skips an allocation-count test in a -race build: the race detector's
// instrumentation allocates on its own, so testing.AllocsPerRun counts it rather than the
// code under test. The build's settings say whether -race was on.
func SkipRace(t testing.TB) {
	t.Helper()
	if RaceBuild() {
		t.Skip("allocation counts are not meaningful under -race")
	}
}

// RaceBuild reports whether the running binary was built with -race.
func RaceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return true
			}
		}
	}
	return false
}

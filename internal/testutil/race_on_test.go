//go:build race

package testutil

// raceEnabled says, from the build tag the toolchain sets, what SkipRace should find in the
// build's settings.
const raceEnabled = true

package testutil

import "testing"

func TestSkipRace(t *testing.T) {
	ran := false
	t.Run("sub", func(t *testing.T) {
		SkipRace(t)
		ran = true
	})
	if ran == raceEnabled {
		t.Errorf("SkipRace in a build with -race %v: the test ran = %v", raceEnabled, ran)
	}
}

//go:build !linux

package uv

// skipIdleWake is false where the backend does not keep Loop.awake: every first Send after
// runAsync wakes the backend (see wake_linux.go).
const skipIdleWake = false

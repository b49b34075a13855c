//go:build !windows

package conformance_test

// fsUnderWine reports whether the tests run under Wine: never on this system.
func fsUnderWine() bool { return false }

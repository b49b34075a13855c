package uv

// SetSchedYield replaces the loop's scheduling point (see yieldEvery) and returns a function
// that restores it.
func SetSchedYield(fn func()) (restore func()) {
	saved := schedYield
	schedYield = fn
	return func() { schedYield = saved }
}

// YieldEvery is yieldEvery, for tests.
const YieldEvery = yieldEvery

// Package conformance holds uv-go's port of libuv's test suite: one Go test per libuv test
// whose behaviour applies, named after it and marked `// libuv: <name>` directly above the
// function. `go run ./conformance/report` counts them per area. The tests import the public
// packages only (uv, handles, ...); this package has no code of its own.
package conformance

// Package testutil holds test helpers shared by the module's tests: what several packages'
// tests need alike and would otherwise each copy. It imports only the standard library, so
// any package's tests can use it without a cycle, and it is internal so that it is no part
// of the module's API.
package testutil

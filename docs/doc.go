// Package docs holds uv-go's guides (porting.md: libuv's uv.h function by function) and the
// tests that keep them true to the code. It has no API; its tests may import anything.
package docs

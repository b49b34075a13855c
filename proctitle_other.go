//go:build !linux

package uv

// setKernelTitle has nothing to tell the kernel here: the title is kept for ProcessTitle.
func setKernelTitle(t string) error { return nil }

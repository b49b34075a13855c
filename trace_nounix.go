//go:build !unix

package uv

import "syscall"

// errnoName is the host's name for an errno: not known here.
func errnoName(syscall.Errno) string { return "" }

//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package uv

func nicePriority(p int) int { return p }

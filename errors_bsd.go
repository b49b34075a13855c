//go:build dragonfly || freebsd || openbsd

package uv

import "syscall"

// Errnos these BSDs have and not every Unix. They have no ECHARSET, ENONET, EREMOTEIO, ENODATA or
// EUNATCH (libuv gives ENODATA the private code -9919 on FreeBSD; here codes are Linux's on every
// system, so it is -61 as everywhere).
var osErrnos = []errnoMapping{
	{EFTYPE, errnos(syscall.EFTYPE)},
}

package uv

import "syscall"

// Errnos Linux has and not every Unix. Linux has no ECHARSET or EFTYPE.
var osErrnos = []errnoMapping{
	{ENONET, errnos(syscall.ENONET)},
	{EREMOTEIO, errnos(syscall.EREMOTEIO)},
	{ENODATA, errnos(syscall.ENODATA)},
	{EUNATCH, errnos(syscall.EUNATCH)},
}

package uv

import "syscall"

// Errnos Solaris and illumos have and not every Unix. They have no ECHARSET, EREMOTEIO or EFTYPE.
var osErrnos = []errnoMapping{
	{ENONET, errnos(syscall.ENONET)},
	{ENODATA, errnos(syscall.ENODATA)},
	{EUNATCH, errnos(syscall.EUNATCH)},
}

package uv

import "syscall"

// Errnos AIX has and not every Unix. It has no ECHARSET, ENONET, EREMOTEIO or EFTYPE.
var osErrnos = []errnoMapping{
	{ENODATA, errnos(syscall.ENODATA)},
	{EUNATCH, errnos(syscall.EUNATCH)},
}

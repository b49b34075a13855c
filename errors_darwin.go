package uv

import "syscall"

// Errnos darwin has and not every Unix. It has no ECHARSET, ENONET, EREMOTEIO or EUNATCH.
var osErrnos = []errnoMapping{
	{EFTYPE, errnos(syscall.EFTYPE)},
	{ENODATA, errnos(syscall.ENODATA)},
}

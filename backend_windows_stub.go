//go:build windows

package uv

// The IOCP backend is not written yet (it comes in a later change): NewLoop returns
// ENOSYS, so none of the other functions here is ever reached.

type backend struct{}

func (l *Loop) backendInit() error                             { return ENOSYS }
func (l *Loop) backendClose()                                  {}
func (l *Loop) backendFd() int                                 { return -1 }
func (l *Loop) backendWake()                                   {}
func (l *Loop) backendPoll(timeout int)                        {}
func (l *Loop) backendConfigure(opt LoopOption, sig int) error { return ENOSYS }
func (l *Loop) ioCheckFd(fd int) error                         { return ENOSYS }
func (l *Loop) ioInvalidate(fd int)                            {}

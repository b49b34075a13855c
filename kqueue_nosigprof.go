//go:build darwin || netbsd || openbsd

package uv

// These systems give Go no way to set one thread's signal mask: macOS's pthread_sigmask is
// in libSystem and x/sys does not wrap it, OpenBSD allows system calls only from libc, and
// x/sys has no sigset type for NetBSD. LoopBlockSignal is accepted and changes nothing; a
// SIGPROF that interrupts the wait only makes it resume with the time left.
const kqCanBlockSigprof = false

type kqSigmask struct{}

func (*kqSigmask) block()   {}
func (*kqSigmask) restore() {}

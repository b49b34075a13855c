//go:build unix && !linux && !darwin && !dragonfly && !freebsd

package uv

import "golang.org/x/sys/unix"

// SendfileSupported reports whether Sock.WriteFile sends files with the kernel's copy: not
// here (golang.org/x/sys has no socket sendfile for this system), so the layers above read
// the file and write it.
func SendfileSupported() bool { return false }

func sockSendfile(out, in int, off int64, n int) (int, error) { return 0, unix.ENOSYS }

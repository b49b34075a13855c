package uv

// macOS runs on the kqueue backend, which is not written yet: until it is, NewLoop returns
// ENOSYS here (see backend_stub.go). The shared unix parts (io_unix.go) already build.

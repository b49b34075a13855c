package uv

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorCodesAreComplete(t *testing.T) {
	require.Len(t, allErrors, 85, "UV_ERRNO_MAP has 85 codes")
	names := map[string]bool{}
	codes := map[int]bool{}
	for _, e := range allErrors {
		require.NotNil(t, e)
		assert.False(t, names[e.Name()], "duplicate name %s", e.Name())
		assert.False(t, codes[e.Code()], "duplicate code %d (%s)", e.Code(), e.Name())
		names[e.Name()] = true
		codes[e.Code()] = true
		assert.NotEmpty(t, e.Error(), e.Name())
		assert.Less(t, e.Code(), 0, e.Name())
		assert.True(t, e.Name() == "UNKNOWN" || e.Name() == "EOF" || strings.HasPrefix(e.Name(), "E"), e.Name())
		assert.Same(t, e, ErrorFromCode(e.Code()), e.Name())
		if strings.HasPrefix(e.Name(), "EAI_") {
			assert.True(t, e.Code() <= -3000 && e.Code() >= -3014, e.Name())
			assert.Zero(t, e.Errno(), e.Name())
		}
	}
	assert.Nil(t, ErrorFromCode(0))
	assert.Nil(t, ErrorFromCode(-3012)) // a hole in libuv's EAI_* numbering
	assert.Nil(t, ErrorFromCode(1))
}

func TestErrorMessagesAndNames(t *testing.T) {
	for _, c := range []struct {
		err  *Error
		name string
		code int
		msg  string
	}{
		{EADDRINUSE, "EADDRINUSE", -98, "address already in use"},
		{EOF, "EOF", -4095, "end of file"},
		{UNKNOWN, "UNKNOWN", -4094, "unknown error"},
		{ECANCELED, "ECANCELED", -125, "operation canceled"},
		{EAI_NONAME, "EAI_NONAME", -3008, "unknown node or service"},
		{EAI_BADHINTS, "EAI_BADHINTS", -3013, "invalid value for hints"},
		{EAI_PROTOCOL, "EAI_PROTOCOL", -3014, "resolved protocol is unknown"},
		{EAGAIN, "EAGAIN", -11, "resource temporarily unavailable"},
		{ENOENT, "ENOENT", -2, "no such file or directory"},
		{EIO, "EIO", -5, "i/o error"},
		{ECHARSET, "ECHARSET", -4080, "invalid Unicode character"},
		{EFTYPE, "EFTYPE", -4028, "inappropriate file type or format"},
		{EREMOTEIO, "EREMOTEIO", -121, "remote I/O error"},
		{ENOTSUP, "ENOTSUP", -95, "operation not supported on socket"},
		{ESHUTDOWN, "ESHUTDOWN", -108, "cannot send after transport endpoint shutdown"},
		{ENOEXEC, "ENOEXEC", -8, "exec format error"},
	} {
		assert.Equal(t, c.name, c.err.Name())
		assert.Equal(t, c.code, c.err.Code(), c.name)
		assert.Equal(t, c.msg, c.err.Error(), c.name)
		assert.Equal(t, c.name, ErrName(c.err))
		assert.Equal(t, c.msg, StrError(c.err))
	}
}

// On Linux (with the common errno numbering) a code that is an errno is the negated errno.
func TestCodesAreLinuxErrnos(t *testing.T) {
	if runtime.GOOS != "linux" || syscall.EADDRINUSE != 98 {
		t.Skip("needs Linux's generic errno numbering")
	}
	noErrno := map[string]bool{"EOF": true, "UNKNOWN": true, "ECHARSET": true, "EFTYPE": true}
	for _, e := range allErrors {
		if noErrno[e.Name()] || strings.HasPrefix(e.Name(), "EAI_") {
			assert.Zero(t, e.Errno(), e.Name())
			continue
		}
		require.NotZero(t, e.Errno(), e.Name())
		assert.Equal(t, -int(e.Errno()), e.Code(), e.Name())
	}
}

func TestErrnoRoundTrip(t *testing.T) {
	withErrno := 0
	for _, e := range allErrors {
		if e.Errno() == 0 {
			continue
		}
		withErrno++
		assert.Same(t, e, lookupErrno(e.Errno()), e.Name())
		assert.Same(t, e, TranslateSysError(e.Errno()), e.Name())
		assert.True(t, errors.Is(e, e.Errno()), e.Name())
		assert.Equal(t, e.Name(), ErrName(e.Errno()))
		assert.Equal(t, e.Error(), StrError(e.Errno()))
	}
	// Every Unix has at least the names errors_unix.go lists; Windows has a value for all but
	// ECHARSET and EFTYPE (which Win32 codes give) too.
	assert.GreaterOrEqual(t, withErrno, 63)
	for _, e := range []*Error{EOF, UNKNOWN, EAI_AGAIN, EAI_NONAME} {
		assert.Zero(t, e.Errno(), e.Name())
	}
}

func TestIsErrno(t *testing.T) {
	assert.True(t, errors.Is(EAGAIN, syscall.EAGAIN))
	assert.True(t, errors.Is(EAGAIN, syscall.EWOULDBLOCK))
	assert.True(t, errors.Is(EADDRINUSE, syscall.EADDRINUSE))
	assert.True(t, errors.Is(ENOTSUP, syscall.EOPNOTSUPP))
	assert.False(t, errors.Is(EAGAIN, syscall.EINTR))
	assert.False(t, errors.Is(ENOENT, syscall.EEXIST))
	assert.False(t, errors.Is(EOF, syscall.Errno(0)))
	assert.False(t, errors.Is(EAI_NONAME, syscall.ENOENT))
	wrapped := fmt.Errorf("listen: %w", EADDRINUSE)
	assert.True(t, errors.Is(wrapped, syscall.EADDRINUSE))
	assert.True(t, errors.Is(wrapped, EADDRINUSE))
	assert.False(t, errors.Is(wrapped, EADDRNOTAVAIL))
}

func TestIsStandardErrors(t *testing.T) {
	assert.True(t, errors.Is(ENOENT, fs.ErrNotExist))
	assert.True(t, errors.Is(EEXIST, fs.ErrExist))
	assert.True(t, errors.Is(ENOTEMPTY, fs.ErrExist))
	assert.True(t, errors.Is(EACCES, fs.ErrPermission))
	assert.True(t, errors.Is(EPERM, fs.ErrPermission))
	assert.True(t, errors.Is(ENOSYS, errors.ErrUnsupported))
	assert.True(t, errors.Is(ENOTSUP, errors.ErrUnsupported))
	assert.True(t, errors.Is(EOF, io.EOF))
	assert.False(t, errors.Is(ENOENT, fs.ErrExist))
	assert.False(t, errors.Is(EEXIST, fs.ErrNotExist))
	assert.False(t, errors.Is(EAI_NONAME, fs.ErrNotExist))
	assert.False(t, errors.Is(ECONNRESET, io.EOF))
	assert.False(t, errors.Is(UNKNOWN, fs.ErrNotExist))
}

func TestTranslateSysError(t *testing.T) {
	assert.NoError(t, TranslateSysError(nil))
	assert.Same(t, EAGAIN, TranslateSysError(syscall.EAGAIN))
	assert.Same(t, EAGAIN, TranslateSysError(syscall.EWOULDBLOCK))
	assert.Same(t, ENOTSUP, TranslateSysError(syscall.EOPNOTSUPP))
	assert.Same(t, ECONNREFUSED, TranslateSysError(os.NewSyscallError("connect", syscall.ECONNREFUSED)))
	assert.Same(t, EADDRINUSE, TranslateSysError(fmt.Errorf("bind: %w", os.NewSyscallError("bind", syscall.EADDRINUSE))))

	// Not t.TempDir: its cleanup fails under Wine 8.0 (RemoveAll needs a file-disposition
	// call Wine lacks), and a path that does not exist serves as well.
	_, err := os.Open(filepath.Join(os.TempDir(), "uv-go-no-such-dir", "missing"))
	require.Error(t, err)
	assert.Same(t, ENOENT, TranslateSysError(err), "%v", err)

	// An *Error comes back as is, wrapped or not.
	assert.Same(t, ETIMEDOUT, TranslateSysError(ETIMEDOUT))
	assert.Same(t, EOF, TranslateSysError(fmt.Errorf("read: %w", EOF)))

	// Other errors are returned unchanged.
	other := errors.New("not a system error")
	assert.Same(t, other, TranslateSysError(other))
	assert.Equal(t, io.EOF, TranslateSysError(io.EOF))
}

func TestTranslateUnknownErrno(t *testing.T) {
	// EDOM has no libuv code on any system.
	got := TranslateSysError(os.NewSyscallError("op", syscall.EDOM))
	var e *Error
	require.ErrorAs(t, got, &e)
	want := "Unknown system error " + strconv.Itoa(-int(syscall.EDOM))
	assert.Equal(t, "UNKNOWN", e.Name())
	assert.Equal(t, UNKNOWN.Code(), e.Code())
	assert.Equal(t, syscall.EDOM, e.Errno())
	assert.Equal(t, want, e.Error())
	assert.NotSame(t, UNKNOWN, e)
	assert.True(t, errors.Is(e, syscall.EDOM))
	assert.True(t, errors.Is(e, UNKNOWN))
	assert.False(t, errors.Is(UNKNOWN, e))
	assert.False(t, errors.Is(e, syscall.ERANGE))
	assert.True(t, errors.Is(e, TranslateSysError(syscall.EDOM)), "two translations of one errno match")
	assert.Equal(t, want, ErrName(e))
	assert.Equal(t, want, StrError(e))
	assert.Equal(t, want, ErrName(syscall.EDOM))
	assert.Equal(t, want, StrError(syscall.EDOM))
	assert.Same(t, e, TranslateSysError(e))
}

func TestErrNameStrError(t *testing.T) {
	assert.Equal(t, "EADDRINUSE", ErrName(syscall.EADDRINUSE))
	assert.Equal(t, "address already in use", StrError(syscall.EADDRINUSE))
	assert.Equal(t, "EAGAIN", ErrName(syscall.EWOULDBLOCK))
	sysErr := os.NewSyscallError("listen", syscall.EADDRINUSE)
	assert.Equal(t, "EADDRINUSE", ErrName(sysErr))
	assert.Equal(t, "address already in use", StrError(sysErr))
	assert.Equal(t, "ECANCELED", ErrName(fmt.Errorf("req: %w", ECANCELED)))
	assert.Equal(t, "operation canceled", StrError(fmt.Errorf("req: %w", ECANCELED)))
	assert.Equal(t, "Unknown system error 0", ErrName(nil))
	assert.Equal(t, "Unknown system error 0", StrError(nil))
	assert.Equal(t, "UNKNOWN", ErrName(errors.New("x")))
	assert.Equal(t, "unknown error", StrError(errors.New("x")))
	assert.Equal(t, "UNKNOWN", ErrName(UNKNOWN))
	assert.Equal(t, "unknown error", StrError(UNKNOWN))
}

func TestNoAllocations(t *testing.T) {
	sysErr := error(os.NewSyscallError("read", syscall.EAGAIN))
	pathErr := error(&fs.PathError{Op: "open", Path: "x", Err: syscall.ENOENT})
	wrapped := fmt.Errorf("w: %w", EPIPE)
	var sink error
	var ok bool
	var s string
	for name, f := range map[string]func(){
		"errno":        func() { sink = TranslateSysError(syscall.EAGAIN) },
		"SyscallError": func() { sink = TranslateSysError(sysErr) },
		"PathError":    func() { sink = TranslateSysError(pathErr) },
		"wrapped":      func() { sink = TranslateSysError(wrapped) },
		"*Error":       func() { sink = TranslateSysError(ECONNRESET) },
		"Is errno":     func() { ok = errors.Is(EAGAIN, syscall.EWOULDBLOCK) },
		"Is fs":        func() { ok = errors.Is(ENOENT, fs.ErrNotExist) },
		"ErrName":      func() { s = ErrName(sysErr) },
		"StrError":     func() { s = StrError(wrapped) },
		"FromCode":     func() { sink = ErrorFromCode(-4095) },
	} {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
	_, _, _ = sink, ok, s
}

func BenchmarkTranslateSysError(b *testing.B) {
	sysErr := error(os.NewSyscallError("read", syscall.EAGAIN))
	for _, c := range []struct {
		name string
		err  error
	}{
		{"Errno", syscall.EAGAIN},
		{"SyscallError", sysErr},
		{"Error", EOF},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var sink error
			for b.Loop() {
				sink = TranslateSysError(c.err)
			}
			_ = sink
		})
	}
}

func BenchmarkErrName(b *testing.B) {
	err := error(os.NewSyscallError("read", syscall.ECONNRESET))
	b.ReportAllocs()
	var s string
	for b.Loop() {
		s = ErrName(err)
	}
	_ = s
}

//go:build unix

package conformance_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The unix halves of the fs tests that compare with the host's own calls (fstat, lseek), and
// the tests on pipes, which libuv does not run on Windows.

// seekCur returns fd's current file position.
func seekCur(t *testing.T, fd uv.OSFd) int64 {
	t.Helper()
	pos, err := unix.Seek(fd, 0, 1)
	require.NoError(t, err)
	return pos
}

// fstatHostCheck compares an fstat result, field by field, with the host's fstat(2).
func fstatHostCheck(t *testing.T, fd uv.OSFd, s uv.Stat) {
	t.Helper()
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(fd, &st))
	require.EqualValues(t, st.Dev, s.Dev)
	require.EqualValues(t, st.Mode, s.Mode)
	require.EqualValues(t, st.Nlink, s.Nlink)
	require.EqualValues(t, st.Uid, s.UID)
	require.EqualValues(t, st.Gid, s.GID)
	require.EqualValues(t, st.Rdev, s.Rdev)
	require.EqualValues(t, st.Ino, s.Ino)
	require.EqualValues(t, st.Size, s.Size)
	require.EqualValues(t, st.Blksize, s.Blksize)
	require.EqualValues(t, st.Blocks, s.Blocks)
	require.Equal(t, uv.Timespec{Sec: int64(st.Atim.Sec), Nsec: int64(st.Atim.Nsec)}, s.Atim)
	require.Equal(t, uv.Timespec{Sec: int64(st.Mtim.Sec), Nsec: int64(st.Mtim.Nsec)}, s.Mtim)
	require.Equal(t, uv.Timespec{Sec: int64(st.Ctim.Sec), Nsec: int64(st.Ctim.Nsec)}, s.Ctim)
	fstatFlagsCheck(t, &st, s)
}

// fstatBirthCheck checks the birth time of a file just created: on Linux, with statx, its
// change time; without, 0.
func fstatBirthCheck(t *testing.T, fd uv.OSFd, s uv.Stat) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	var st unix.Stat_t
	require.NoError(t, unix.Fstat(fd, &st))
	require.True(t, s.Birthtim.Sec == 0 || s.Birthtim.Sec == int64(st.Ctim.Sec), "birth time %v", s.Birthtim)
	require.True(t, s.Birthtim.Nsec == 0 || s.Birthtim.Nsec == int64(st.Ctim.Nsec), "birth time %v", s.Birthtim)
}

// consumeBufs drops the first n bytes from bufs, as libuv's uv_test_fs_buf_offset: whole
// buffers that were filled go, a partly filled one is cut.
func consumeBufs(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 && len(bufs[0]) <= n {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if n > 0 {
		bufs[0] = bufs[0][n:]
	}
	return bufs
}

// testFsPartial is libuv's test_fs_partial: 54321 13-byte buffers go through a pipe whose
// other end another goroutine serves 1000 bytes at a time, so the kernel transfers partial
// amounts. A read fills what is there (the caller reads on); a write writes everything.
// libuv also interrupts the reads with SIGUSR1 to provoke EINTR; Go's runtime installs its
// handlers with SA_RESTART and uv-go retries EINTR, so that part has no counterpart here.
func testFsPartial(t *testing.T, doread bool) {
	const iovcount = 54321
	const interval = 1000
	fsDir(t)
	l := newLoop(t)
	size := len(testBuf) * iovcount
	ctxData := make([]byte, size)
	buffer := make([]byte, size)
	if doread {
		for i := range ctxData {
			ctxData[i] = byte(i*7 + i/251)
		}
	} else {
		for i := range buffer {
			buffer[i] = byte(i*7 + i/251)
		}
	}
	iovs := make([][]byte, iovcount)
	for i := range iovs {
		iovs[i] = buffer[i*len(testBuf) : (i+1)*len(testBuf)]
	}
	var p [2]int
	require.NoError(t, unix.Pipe(p[:]))
	defer unix.Close(p[0])
	writeEnd := p[1]
	defer func() {
		if writeEnd >= 0 {
			unix.Close(writeEnd)
		}
	}()

	done := make(chan error, 1)
	go func() {
		data := ctxData
		for len(data) > 0 {
			n := min(len(data), interval)
			var got int
			var err error
			if doread {
				got, err = unix.Write(p[1], data[:n])
				if err == nil && got != n {
					err = unix.EIO
				}
			} else {
				got, err = unix.Read(p[0], data[:n])
				if err == nil && got <= 0 {
					err = unix.EIO
				}
			}
			if err != nil {
				done <- err
				return
			}
			data = data[got:]
		}
		done <- nil
	}()

	var req handles.FS
	if doread {
		readIovs := iovs
		nread := 0
		for nread < size {
			err := handles.FSReadFile(l, &req, p[0], readIovs, -1, nil)
			if err != nil {
				require.ErrorIs(t, err, uv.EINTR)
				continue
			}
			require.Greater(t, req.Result, int64(0))
			readIovs = consumeBufs(readIovs, int(req.Result))
			nread += int(req.Result)
			req.Cleanup()
		}
	} else {
		require.NoError(t, handles.FSWriteFile(l, &req, p[1], iovs, -1, nil))
		require.EqualValues(t, size, req.Result)
		req.Cleanup()
	}
	require.NoError(t, <-done)
	require.True(t, bytes.Equal(buffer, ctxData), "the data went through whole and in order")
	require.False(t, run(t, l, uv.RunDefault))

	require.NoError(t, unix.Close(writeEnd))
	writeEnd = -1
	// Everything written was read: the pipe is at its end.
	require.NoError(t, handles.FSReadFile(l, &req, p[0], iovs[:1], -1, nil))
	require.Zero(t, req.Result)
}

// TestFsPartialRead reads a pipe that fills slowly: each read returns what is there.
// libuv: fs_partial_read
func TestFsPartialRead(t *testing.T) { testFsPartial(t, true) }

// TestFsPartialWrite writes to a pipe that drains slowly: the write returns only once all of
// it went through.
// libuv: fs_partial_write
func TestFsPartialWrite(t *testing.T) { testFsPartial(t, false) }

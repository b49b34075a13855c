//go:build unix

package conformance_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
	"golang.org/x/sys/unix"
)

// The fs tests that compare with the host's own calls (fstat, lseek, pipe, geteuid), as
// libuv's do.

// seekCur returns fd's current file position.
func seekCur(t *testing.T, fd uv.OSFd) int64 {
	t.Helper()
	pos, err := unix.Seek(fd, 0, 1)
	require.NoError(t, err)
	return pos
}

// TestFsFstat compares fstat's result, field by field, with the host's fstat, and runs it
// asynchronously.
// libuv: fs_fstat
func TestFsFstat(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	l := newLoop(t)
	fd := fsOpen(t, path, uv.FsORdwr|uv.FsOCreat, 0o600)

	var st unix.Stat_t
	require.NoError(t, unix.Fstat(fd, &st))
	var req handles.FS
	require.NoError(t, handles.FSFstatFile(nil, &req, fd, nil))
	require.Zero(t, req.Result)
	s := req.Statbuf
	switch runtime.GOOS {
	case "linux":
		// With statx the birth time of a new file is its change time; without, 0.
		require.True(t, s.Birthtim.Sec == 0 || s.Birthtim.Sec == int64(st.Ctim.Sec), "birth time %v", s.Birthtim)
		require.True(t, s.Birthtim.Nsec == 0 || s.Birthtim.Nsec == int64(st.Ctim.Nsec), "birth time %v", s.Birthtim)
	}

	require.Equal(t, len(testBuf), fsWrite(t, fd, -1, testBuf))
	req.Statbuf = uv.Stat{Size: 0xaaaaaaaa, Mode: 0xaaaaaaaa}
	require.NoError(t, handles.FSFstatFile(nil, &req, fd, nil))
	require.Zero(t, req.Result)
	s = req.Statbuf
	require.EqualValues(t, len(testBuf), s.Size)

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

	calls := 0
	require.NoError(t, handles.FSFstatFile(l, &req, fd, func(r *handles.FS) {
		require.Equal(t, handles.FSFstat, r.Type())
		require.NoError(t, r.Err)
		require.EqualValues(t, len(testBuf), r.Statbuf.Size)
		calls++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, calls)

	fsClose(t, fd)
	require.False(t, run(t, l, uv.RunDefault), "no extra reference is left on the loop")
}

// TestFsChown changes owners to themselves with chown, fchown and lchown, and checks that
// giving a file to root fails with EPERM unless running as root.
// libuv: fs_chown
func TestFsChown(t *testing.T) {
	dir := fsDir(t)
	l := newLoop(t)
	file := filepath.Join(dir, "test_file")
	link := filepath.Join(dir, "test_file_link")
	fd := fsOpen(t, file, uv.FsORdwr|uv.FsOCreat, 0o600)
	var req handles.FS

	require.NoError(t, handles.FSChownPath(nil, &req, file, -1, -1, nil))
	require.Zero(t, req.Result)
	require.NoError(t, handles.FSFchownFile(nil, &req, fd, -1, -1, nil))
	require.Zero(t, req.Result)

	chowns, fchowns, lchowns := 0, 0, 0
	require.NoError(t, handles.FSChownPath(l, &req, file, -1, -1, func(r *handles.FS) {
		require.Equal(t, handles.FSChown, r.Type())
		require.NoError(t, r.Err)
		chowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, chowns)

	chowns = 0
	require.NoError(t, handles.FSChownPath(l, &req, file, 0, 0, func(r *handles.FS) {
		require.Equal(t, handles.FSChown, r.Type())
		if os.Geteuid() == 0 {
			require.NoError(t, r.Err, "root may give files to root")
		} else {
			requireFSErr(t, r, nil, uv.EPERM)
		}
		chowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, chowns)

	require.NoError(t, handles.FSFchownFile(l, &req, fd, -1, -1, func(r *handles.FS) {
		require.Equal(t, handles.FSFchown, r.Type())
		require.NoError(t, r.Err)
		fchowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, fchowns)

	require.NoError(t, handles.FSLinkPath(nil, &req, file, link, nil))
	require.NoError(t, handles.FSLchownPath(nil, &req, link, -1, -1, nil))
	require.Zero(t, req.Result)
	require.NoError(t, handles.FSLchownPath(l, &req, link, -1, -1, func(r *handles.FS) {
		require.Equal(t, handles.FSLchown, r.Type())
		require.NoError(t, r.Err)
		lchowns++
		r.Cleanup()
	}))
	run(t, l, uv.RunDefault)
	require.Equal(t, 1, lchowns)

	fsClose(t, fd)
	require.False(t, run(t, l, uv.RunDefault))
}

// TestFsFilePosAfterOpWithOffset checks that a write and a read at an offset leave the file
// position where it was.
// libuv: fs_file_pos_after_op_with_offset
func TestFsFilePosAfterOpWithOffset(t *testing.T) {
	path := filepath.Join(fsDir(t), "test_file")
	l := newLoop(t)
	var req handles.FS
	require.NoError(t, handles.FSOpenFile(l, &req, path, uv.FsORdwr|uv.FsOCreat, 0o600, nil))
	require.Greater(t, req.Result, int64(0))
	fd := uv.OSFd(req.Result)
	defer fsClose(t, fd)

	require.Equal(t, len(testBuf), fsWrite(t, fd, 0, testBuf))
	require.Zero(t, seekCur(t, fd))
	buf := make([]byte, 32)
	require.Equal(t, len(testBuf), fsRead(t, fd, 0, buf))
	require.Equal(t, cstr(testBuf), cstr(buf))
	require.Zero(t, seekCur(t, fd))
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

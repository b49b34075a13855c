//go:build unix

package uv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScanDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "group")
	require.NoError(t, os.WriteFile(path, []byte("# comment\n\n+nis\nshort:x\nwheel:x:10:alice, bob,\nstaff:x:20:\n"), 0o600))
	var got [][]string
	found, err := scanDB(path, 4, func(f []string) bool {
		got = append(got, f)
		return f[0] == "staff"
	})
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, [][]string{{"wheel", "x", "10", "alice, bob,"}, {"staff", "x", "20", ""}}, got)

	found, err = scanDB(path, 4, func([]string) bool { return false })
	require.NoError(t, err)
	require.False(t, found)
	_, err = scanDB(filepath.Join(t.TempDir(), "absent"), 4, func([]string) bool { return true })
	require.ErrorIs(t, err, ENOENT)
}

func TestTmpdirEnv(t *testing.T) {
	for _, name := range []string{"TMPDIR", "TMP", "TEMP", "TEMPDIR"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	d, err := OSTmpdir()
	require.NoError(t, err)
	require.Equal(t, "/tmp", d)
	t.Setenv("TEMP", "/var/x/")
	d, err = OSTmpdir()
	require.NoError(t, err)
	require.Equal(t, "/var/x", d)
	t.Setenv("TMPDIR", "/")
	d, err = OSTmpdir()
	require.NoError(t, err)
	require.Equal(t, "/", d)
}

func TestHomedirFallsBackToPasswd(t *testing.T) {
	pw, err := OSGetPasswd()
	if err != nil {
		t.Skipf("no passwd entry: %v", err)
	}
	t.Setenv("HOME", "")
	os.Unsetenv("HOME")
	h, err := OSHomedir()
	require.NoError(t, err)
	require.Equal(t, pw.Homedir, h)
}

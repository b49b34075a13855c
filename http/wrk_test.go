package http_test

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uv-go/uv/http"
)

// A short wrk run (skipped without wrk): many keep-alive connections, no errors, every
// answer a 200.
func TestWrkSmoke(t *testing.T) {
	path := tool(t, "wrk")
	ts := startServer(t, http.ServerOptions{}, hello)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "-t1", "-c32", "-d1s", "--timeout", "5s", "http://"+ts.addr+"/").CombinedOutput()
	require.NoError(t, err, "%s", out)
	s := string(out)
	assert.NotContains(t, s, "Socket errors", s)
	assert.NotContains(t, s, "Non-2xx", s)
	m := regexp.MustCompile(`(\d+) requests in`).FindStringSubmatch(s)
	require.NotNil(t, m, s)
	n, _ := strconv.Atoi(m[1])
	assert.Greater(t, n, 100, s)
	t.Logf("wrk: %d requests in 1 s", n)
}

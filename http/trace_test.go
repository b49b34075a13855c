package http_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
)

// With a JSON printer attached, a keep-alive request leaves its layer crossings as "layer"
// objects tagged with their layer, in the order the request crossed them.
func TestTraceLayersJSON(t *testing.T) {
	p := newInProc(t, helloHandler)
	var buf bytes.Buffer
	p.loop.SetTracer(uv.NewJSONPrinter(&buf))
	helloLen(t, p)
	p.loop.SetTracer(nil)

	var got []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var ev struct{ Ev, Layer, What string }
		require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
		if ev.Ev == "layer" {
			got = append(got, ev.Layer+": "+ev.What)
		}
	}
	want := []string{
		"http: request GET / HTTP/1.1 (keep-alive)",
		"http: calling the request listener",
		"http: response head 200 OK, Content-Length 13, keep-alive",
		"net: Socket.write",
		"http: response finished",
		"http: exchange over: keep-alive, waiting for the next request",
	}
	require.Len(t, got, len(want), "%q", got)
	for i := range want {
		assert.True(t, strings.HasPrefix(got[i], want[i]), "%q, want %q", got[i], want[i])
	}
}

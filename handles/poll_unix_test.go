//go:build unix

package handles_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	uv "github.com/uv-go/uv"
	"github.com/uv-go/uv/handles"
)

func TestPollRejectsBadInput(t *testing.T) {
	l := mustLoop(t)
	_, err := handles.NewPoll(l, -1)
	require.ErrorIs(t, err, uv.EINVAL)
	require.NoError(t, l.Close())
}

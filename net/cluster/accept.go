package cluster

import (
	"errors"

	"github.com/uv-go/uv/handles"
	"github.com/uv-go/uv/net"
)

// errNoAcceptFrom: the net package lacks Server.AcceptFrom, which round-robin scheduling
// needs to serve a connection that another loop or process accepted.
var errNoAcceptFrom = errors.New("cluster: round-robin scheduling needs net.Server.AcceptFrom")

// acceptFromer is net.Server's AcceptFrom (Node's server.onconnection for a handle that
// arrived from elsewhere).
type acceptFromer interface {
	AcceptFrom(src *handles.Stream) error
}

// canAcceptFrom reports whether net.Server has AcceptFrom.
func canAcceptFrom() bool {
	_, ok := any((*net.Server)(nil)).(acceptFromer)
	return ok
}

// acceptFrom hands the connection waiting on src (a listener on srv's loop, or an IPC pipe
// with a received TCP handle) to srv.
func acceptFrom(srv *net.Server, src *handles.Stream) error {
	if a, ok := any(srv).(acceptFromer); ok {
		return a.AcceptFrom(src)
	}
	return errNoAcceptFrom
}

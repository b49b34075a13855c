package main

import (
	"fmt"
	"os"
)

// httpHello is where uv-go's HTTP hello server plugs into the harness: serve
// "Hello, World!" on 127.0.0.1:port (keep-alive), print "LISTENING port=<n>", run until
// killed. uv-go's http server does not exist yet, so this exits with exitNotImplemented
// and the harness reports the row as not available.
func httpHello(a args) {
	fmt.Fprintln(os.Stderr, "uvbench: http_hello: uv-go's http server is not written yet")
	os.Exit(exitNotImplemented)
}

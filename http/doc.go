// Package http is Node's http module on uv-go's loop: a Server (CreateServer, Listen in the
// net module's forms) handing each request to a callback as an IncomingMessage (the body a
// stream.Readable with backpressure) and a ServerResponse (a stream.Writable), with Node's
// keep-alive, pipelining (responses in order), HTTP/1.0, HEAD, Expect: 100-continue, Upgrade
// and CONNECT, timeouts (headersTimeout, requestTimeout, keepAliveTimeout) and graceful
// shutdown; requests are read by the strict parser of http/parser, and every request it
// rejects is answered with its status and a close, never reaching the handler. A client
// (Request, Get, an Agent that keeps connections alive), static files and a bridge that serves
// net/http Handlers on a bounded worker pool sit on top. Every method and callback runs on the
// loop's goroutine, and a keep-alive request answered with End allocates nothing once the
// connection is warm: messages, buffers and parser are reused per connection, so a request and
// its response must not be touched after the response has closed. A response ended while no
// callback of the user's watches it or its request is settled, with the request, in one step
// (stream's HoldEnd and Settle) once the handler has returned and no pipelined request waits,
// or on the next tick, rather than through their finish and close callbacks on two; a callback
// set after End in the handler still runs, in Node's order. Each response is handed to the
// socket at its End (the answers to pipelined requests of one read then leave in one send, by
// the socket's write-behind), so destroying the socket after End loses no answer. It imports
// uv, handles, stream, net, http/parser and the standard library (net/http only for the
// bridge's types).
package http

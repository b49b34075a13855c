// Package parser is uv-go's HTTP/1.1 message parser: an incremental push
// parser, as strict as Node's llhttp with Node's defaults, for the http
// server (requests) and client (responses). It imports only the standard
// library.
//
// A Parser is fed bytes as they arrive with Execute; any split of the stream
// (whole, byte by byte, random) gives the same Handler calls, the same result
// and, for a rejection, the same offending byte. The head of each message
// (start line and header fields) is copied as received into a per-parser
// header buffer of MaxHeaderSize bytes (16 KiB by default), so that a head
// split across reads needs no allocation; the Handler receives the method,
// target, version and fields once the header section is complete and valid
// (slices of that buffer), and Parser.Headers returns the fields as Spans,
// each with a HeaderID for the fields the parser interprets. Body bytes are
// passed as slices of the input (zero copy), with the chunked framing
// removed. Several messages in one buffer (pipelining) are parsed in turn. In
// steady state a Parser allocates nothing.
//
// A head that arrives whole in one read takes a straight-line fast path; any
// head it cannot accept goes through the byte-by-byte state machine, which
// decides every rejection and its offset. A server reads the request from
// OnHeadersComplete through the accessors (Config.SpansOnly skips the
// per-part Handler calls).
//
// Strictness (RFC 9112, RFC 9110, Node's defaults); each rejection is a
// distinct *Error carrying the status a server answers with:
//   - request smuggling: Content-Length with Transfer-Encoding, a repeated,
//     empty, signed, non-decimal or overflowing Content-Length, a
//     Transfer-Encoding whose final coding is not chunked (requests) or with
//     chunked twice, Transfer-Encoding in an HTTP/1.0 request, bad or
//     overflowing chunk sizes, malformed chunk extensions, chunk data not
//     followed by CRLF;
//   - obs-fold, bare CR, bare LF, NUL and other invalid characters in the
//     method, target, header names and header values;
//   - an unknown method (the table of Node's http.METHODS), a target not in
//     origin-, absolute-, authority- (CONNECT) or asterisk- (OPTIONS) form;
//   - HTTP/1.1 without Host, more than one Host, or an invalid Host;
//   - a header section over MaxHeaderSize: 431; a target over MaxTargetSize:
//     414; a malformed version: 400; a version other than 1.0 and 1.1: 505;
//   - chunk extensions over MaxChunkExtSize per message: 413;
//   - data after a message that closes the connection.
//
// One empty line (CRLF) before a request line is ignored. HTTP/1.0 messages
// close the connection unless Connection: keep-alive; HTTP/1.1 messages keep
// it unless Connection: close. In response mode, responses to HEAD (see
// SetRequestMethod), 1xx, 204 and 304 responses have no body, a response
// without a length runs to EOF (Finish), and 101 or a 2xx answer to CONNECT
// switches protocols. A request with Connection: upgrade and an Upgrade
// header, or CONNECT, makes Execute stop with ErrUpgrade after the message;
// DeclineUpgrade carries on with HTTP.
package parser

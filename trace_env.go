package uv

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// UV_TRACE attaches a printer to every loop of any program built on uv, without changing it:
//
//	UV_TRACE=1 (or text)  a TextPrinter with timestamps on standard error
//	UV_TRACE=json         a JSONPrinter on standard error
//	UV_TRACE_FILE=path    writes to path (created or truncated) instead
//
// Unset, empty, 0, false and off leave tracing off.
func init() {
	if t := envTracer(os.Getenv("UV_TRACE"), os.Getenv("UV_TRACE_FILE")); t != nil {
		SetGlobalTracer(t)
	}
}

// envTracer makes the tracer UV_TRACE and UV_TRACE_FILE ask for, or nil.
func envTracer(mode, file string) Tracer {
	mode = strings.ToLower(strings.TrimSpace(mode))
	switch mode {
	case "", "0", "false", "off", "no":
		return nil
	}
	var w io.Writer = os.Stderr
	if file != "" {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
		if err != nil {
			os.Stderr.WriteString("uv: UV_TRACE_FILE: " + err.Error() + "\n")
			return nil
		}
		w = f
	}
	w = bufio.NewWriterSize(w, 64<<10) // flushed whenever the loop may block; see NewTextPrinter
	if mode == "json" {
		return NewJSONPrinter(w)
	}
	p := NewTextPrinter(w)
	p.Timestamps = true
	return p
}

package parser

import "testing"

var sinkI int

func BenchmarkMicroScanValueAccept(b *testing.B) {
	d := []byte("text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\nConnection")
	for i := 0; i < b.N; i++ {
		sinkI += scanValue(d, 0)
	}
}
func BenchmarkMicroScanValueShort(b *testing.B) {
	d := []byte("localhost:8080\r\nAccept: text/plain")
	for i := 0; i < b.N; i++ {
		sinkI += scanValue(d, 0)
	}
}
func BenchmarkMicroScanToken(b *testing.B) {
	d := []byte("Connection: keep-alive\r\n")
	for i := 0; i < b.N; i++ {
		sinkI += scanToken(d, 0)
	}
}
func BenchmarkMicroFieldLine(b *testing.B) {
	d := []byte("Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\nConnection")
	p := New(Config{}, nil)
	for i := 0; i < b.N; i++ {
		p.fields = p.fields[:0]
		k, _ := p.fieldLine(d, 0, 0)
		sinkI += k
	}
}
func BenchmarkMicroFieldLineConn(b *testing.B) {
	d := []byte("Connection: keep-alive\r\n\r\n")
	p := New(Config{}, nil)
	for i := 0; i < b.N; i++ {
		p.fields = p.fields[:0]
		k, _ := p.fieldLine(d, 0, 0)
		sinkI += k
	}
}
func BenchmarkMicroFieldLineHost(b *testing.B) {
	d := []byte("Host: localhost:8080\r\n\r\n")
	p := New(Config{}, nil)
	for i := 0; i < b.N; i++ {
		p.fields = p.fields[:0]
		p.hostCount = 0
		k, _ := p.fieldLine(d, 0, 0)
		sinkI += k
	}
}

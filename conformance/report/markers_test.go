package main

import (
	"strings"
	"testing"
)

const markerFixture = `package conformance

import "testing"

// libuv: timer_again
func TestTimerAgain(t *testing.T) {}

// TestTimerStartTwice restarts an active timer.
//
// libuv: timer_start_twice
func TestTimerStartTwice(tt *testing.T) {
	// libuv: in_a_body
}

// libuv: timer_order

func TestGapBelowMarker(t *testing.T) {}

// libuv: helper_name
func helper(t *testing.T) {}

// libuv: bench_name
func BenchmarkTimer(b *testing.B) {}

// libuv: lower_name
func Testlower(t *testing.T) {}

// libuv: one_name
// libuv: two_names
func TestTwoMarkers(t *testing.T) {}

// libuv: Timer-Bad extra
func TestMalformed(t *testing.T) {}

//libuv:timer_init
func TestTimerInit(t *testing.T) {}

type fixture struct{}

// libuv: method_name
func (fixture) TestMethod(t *testing.T) {}

// libuv: wrong_param
func TestWrongParam(t *testing.B) {}

// The libuv: word inside prose is not a marker.
func TestProse(t *testing.T) {}

// libuv: generic_name
func TestGeneric[T any](t *testing.T) {}

// libuv: timer_x2
func Test(t *testing.T) {}
`

func TestScanFileFindsMarkers(t *testing.T) {
	ports, problems := scanFile("conformance/timer_test.go", []byte(markerFixture), "example.com/m/conformance")

	want := []port{
		{Libuv: "timer_again", Package: "example.com/m/conformance", Test: "TestTimerAgain", Pos: "conformance/timer_test.go:5"},
		{Libuv: "timer_start_twice", Package: "example.com/m/conformance", Test: "TestTimerStartTwice", Pos: "conformance/timer_test.go:10"},
		{Libuv: "timer_init", Package: "example.com/m/conformance", Test: "TestTimerInit", Pos: "conformance/timer_test.go:35"},
		{Libuv: "timer_x2", Package: "example.com/m/conformance", Test: "Test", Pos: "conformance/timer_test.go:52"},
	}
	if len(ports) != len(want) {
		t.Fatalf("got %d ports %+v, want %d", len(ports), ports, len(want))
	}
	for i := range want {
		if ports[i] != want[i] {
			t.Errorf("port %d = %+v, want %+v", i, ports[i], want[i])
		}
	}

	wantProblems := []string{
		":12: libuv marker not directly above",                     // in a body
		":15: libuv marker not directly above",                     // blank line before func
		":19: libuv marker above helper, which is not a func Test", // helper
		":22: libuv marker above BenchmarkTimer",                   // benchmark
		":25: libuv marker above Testlower",                        // go test ignores Testlower
		":29: TestTwoMarkers has 2 libuv markers",                  //
		":32: malformed marker",                                    //
		":40: libuv marker above TestMethod",                       // method
		":43: libuv marker above TestWrongParam",                   // *testing.B
		":49: libuv marker above TestGeneric",                      // type parameters
	}
	if len(problems) != len(wantProblems) {
		t.Fatalf("got %d problems:\n%s\nwant %d", len(problems), strings.Join(problems, "\n"), len(wantProblems))
	}
	for _, w := range wantProblems {
		if !containsOne(problems, w) {
			t.Errorf("no problem containing %q in:\n%s", w, strings.Join(problems, "\n"))
		}
	}
}

func TestScanFileCRLF(t *testing.T) {
	src := strings.ReplaceAll(markerFixture, "\n", "\r\n")
	ports, problems := scanFile("x_test.go", []byte(src), "p")
	if len(ports) != 4 || len(problems) != 10 {
		t.Fatalf("CRLF source: got %d ports and %d problems, want 4 and 10", len(ports), len(problems))
	}
	if ports[0].Libuv != "timer_again" {
		t.Errorf("first marker = %q, want timer_again", ports[0].Libuv)
	}
}

func TestScanFileSyntaxError(t *testing.T) {
	ports, problems := scanFile("bad_test.go", []byte("package x\nfunc TestX(t *testing.T) {\n"), "p")
	if len(ports) != 0 || len(problems) != 1 || !strings.Contains(problems[0], "cannot parse") {
		t.Fatalf("got ports %v problems %v, want one parse problem", ports, problems)
	}
}

func TestCheckPorts(t *testing.T) {
	cat := mustCatalog(t, "timer_again\ttimer\ntcp_ping_pong\ttcp\nloop_close\tloop\n")
	ports := []port{
		{Libuv: "timer_again", Test: "TestTimerAgain", Pos: "a:1"},
		{Libuv: "tcp_ping_pong", Test: "TestTCPPingPong", Pos: "a:2"},
		{Libuv: "no_such_test", Test: "TestNoSuchTest", Pos: "a:3"},
		{Libuv: "timer_again", Test: "TestTimerAgainToo", Pos: "a:4"},
		{Libuv: "loop_close", Test: "TestCloseLoop", Pos: "a:5"},
	}
	byName, problems, warnings := checkPorts(ports, cat)
	if len(byName) != 3 || byName["timer_again"].Pos != "a:1" {
		t.Errorf("byName = %v, want timer_again (a:1), tcp_ping_pong, loop_close", byName)
	}
	if len(problems) != 2 || !containsOne(problems, `unknown libuv test "no_such_test"`) ||
		!containsOne(problems, "timer_again is already ported by TestTimerAgain (a:1)") {
		t.Errorf("problems = %q", problems)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "name it TestLoopClose") {
		t.Errorf("warnings = %q, want one about TestCloseLoop", warnings)
	}
}

func TestNamedAfter(t *testing.T) {
	for _, c := range []struct {
		goName, libuv string
		want          bool
	}{
		{"TestTimerAgain", "timer_again", true},
		{"TestTCPPingPongV6", "tcp_ping_pong_v6", true},
		{"TestFsStatBatchMultiple", "fs_stat_batch_multiple", true},
		{"TestTimerAgain2", "timer_again", false},
		{"TestAgainTimer", "timer_again", false},
	} {
		if got := namedAfter(c.goName, c.libuv); got != c.want {
			t.Errorf("namedAfter(%q, %q) = %v, want %v", c.goName, c.libuv, got, c.want)
		}
	}
	if got := camel("tcp_ping_pong_v6"); got != "TcpPingPongV6" {
		t.Errorf("camel = %q", got)
	}
}

func containsOne(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func mustCatalog(t *testing.T, tsv string) *catalog {
	t.Helper()
	cat, err := parseCatalog(strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

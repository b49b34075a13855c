package http

import "time"

// TimeFormat is the format of HTTP dates (IMF-fixdate, RFC 9110 section 5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateCache holds the Date header line, rebuilt once a second.
type dateCache struct {
	sec  int64
	next uint64 // the loop time (ms) from which the second may have changed; 0: not built
	gen  uint64 // counts the rebuilds of line, so that lines built from it can tell
	line [len("Date: ") + len(TimeFormat) + 2]byte
}

// get returns "Date: <now>\r\n". loopNow is the loop's cached time: until it reaches the
// next second, the line is returned without reading the clock, so that a request costs no
// clock read (the line may lag the second by the current loop iteration, as nginx's cached
// time does).
func (d *dateCache) get(loopNow uint64) []byte {
	if loopNow < d.next {
		return d.line[:]
	}
	return d.refresh(loopNow)
}

func (d *dateCache) refresh(loopNow uint64) []byte {
	now := time.Now()
	if s := now.Unix(); s != d.sec || d.gen == 0 {
		d.sec = s
		d.gen++
		b := append(d.line[:0], "Date: "...)
		b = now.UTC().AppendFormat(b, TimeFormat)
		_ = append(b, '\r', '\n')
	}
	d.next = loopNow + uint64(1000-now.Nanosecond()/int(time.Millisecond))
	return d.line[:]
}

package http

import "time"

// TimeFormat is the format of HTTP dates (IMF-fixdate, RFC 9110 section 5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateCache holds the Date header line, rebuilt once a second.
type dateCache struct {
	sec  int64
	line [len("Date: ") + len(TimeFormat) + 2]byte
}

// get returns "Date: <now>\r\n".
func (d *dateCache) get() []byte {
	now := time.Now()
	if s := now.Unix(); s != d.sec {
		d.sec = s
		b := append(d.line[:0], "Date: "...)
		b = now.UTC().AppendFormat(b, TimeFormat)
		_ = append(b, '\r', '\n')
	}
	return d.line[:]
}

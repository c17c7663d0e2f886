package quotes

import (
	"strconv"
	"time"
)

// LogEntry is what the access log records about one request.
type LogEntry struct {
	Time       time.Time
	RemoteAddr string
	Method     string
	URI        string
	Proto      string
	Status     int
	Bytes      int64
	Duration   time.Duration
	UserAgent  string
}

const months = "JanFebMarAprMayJunJulAugSepOctNovDec"

// AppendLogLine appends e to dst as one line in the Apache combined log
// format, with the request duration in seconds added at the end, and
// returns the extended slice. The time is written in UTC.
func AppendLogLine(dst []byte, e *LogEntry) []byte {
	dst = appendOr(dst, e.RemoteAddr, "-")
	dst = append(dst, " - - ["...)
	t := e.Time.UTC()
	y, mo, d := t.Date()
	hh, mm, ss := t.Clock()
	dst = append2(dst, d)
	dst = append(dst, '/')
	dst = append(dst, months[3*(mo-1):3*mo]...)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, ':')
	dst = append2(dst, hh)
	dst = append(dst, ':')
	dst = append2(dst, mm)
	dst = append(dst, ':')
	dst = append2(dst, ss)
	dst = append(dst, ` +0000] "`...)
	dst = append(dst, e.Method...)
	dst = append(dst, ' ')
	dst = appendEscaped(dst, e.URI)
	dst = append(dst, ' ')
	dst = append(dst, e.Proto...)
	dst = append(dst, `" `...)
	dst = strconv.AppendInt(dst, int64(e.Status), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, e.Bytes, 10)
	dst = append(dst, ` "-" "`...)
	dst = appendEscaped(dst, e.UserAgent)
	dst = append(dst, `" `...)
	dst = strconv.AppendFloat(dst, e.Duration.Seconds(), 'f', 6, 64)
	return append(dst, '\n')
}

func appendOr(dst []byte, s, dflt string) []byte {
	if s == "" {
		s = dflt
	}
	return append(dst, s...)
}

// append2 appends n, in [0, 99], as two digits.
func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

// appendEscaped appends s with quotes, backslashes and bytes outside
// printable ASCII escaped as \xHH, so a client cannot forge log lines.
func appendEscaped(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

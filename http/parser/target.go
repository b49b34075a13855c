package parser

// validTarget checks the form of a complete request-target whose bytes are
// all VCHAR: origin-form, absolute-form, authority-form (CONNECT only) or
// asterisk-form (OPTIONS only).
func validTarget(t []byte, m Method) bool {
	if len(t) == 0 {
		return false
	}
	if m == MethodConnect {
		return validAuthority(t)
	}
	switch c := t[0]; {
	case c == '/':
		return true
	case c == '*':
		return len(t) == 1 && m == MethodOptions
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
	default:
		return false
	}
	// absolute-form: scheme "://" authority [ path-abempty [ "?" query ] ]
	k := 1
	for k < len(t) && cls[t[k]]&cScheme != 0 {
		k++
	}
	if len(t)-k < 3 || string(t[k:k+3]) != "://" {
		return false
	}
	for k += 3; k < len(t); k++ {
		c := t[k]
		if c == '/' || c == '?' || c == '#' {
			break
		}
		if cls[c]&cHost == 0 && c != '@' {
			return false
		}
	}
	return true
}

// validAuthority checks authority-form: uri-host ":" port, with a
// bracketed IP literal allowed as the host.
func validAuthority(t []byte) bool {
	colon := -1
	for k := len(t) - 1; k >= 0; k-- {
		if t[k] == ':' {
			colon = k
			break
		}
		if t[k] < '0' || t[k] > '9' {
			return false
		}
	}
	if colon <= 0 || colon == len(t)-1 {
		return false
	}
	host := t[:colon]
	if host[0] == '[' {
		if len(host) < 3 || host[len(host)-1] != ']' {
			return false
		}
		host = host[1 : len(host)-1]
		for _, c := range host {
			if cls[c]&cHost == 0 || c == '[' || c == ']' {
				return false
			}
		}
		return true
	}
	for _, c := range host {
		if cls[c]&cHost == 0 || c == ':' || c == '[' || c == ']' {
			return false
		}
	}
	return true
}

package parser

// Method is a request method from the table Node's http module accepts
// (http.METHODS): the RFC 9110 methods, PATCH, WebDAV's, CalDAV's MKCALENDAR,
// UPnP's M-SEARCH, NOTIFY, SUBSCRIBE and UNSUBSCRIBE, PURGE, LINK, UNLINK,
// SOURCE and QUERY. Any other method is refused with ErrUnknownMethod.
type Method uint8

// The methods, MethodUnknown first.
const (
	MethodUnknown Method = iota
	MethodGet
	MethodHead
	MethodPost
	MethodPut
	MethodDelete
	MethodConnect
	MethodOptions
	MethodTrace
	MethodPatch
	MethodACL
	MethodBind
	MethodCheckout
	MethodCopy
	MethodLink
	MethodLock
	MethodMSearch
	MethodMerge
	MethodMkActivity
	MethodMkCalendar
	MethodMkCol
	MethodMove
	MethodNotify
	MethodPropFind
	MethodPropPatch
	MethodPurge
	MethodQuery
	MethodRebind
	MethodReport
	MethodSearch
	MethodSource
	MethodSubscribe
	MethodUnbind
	MethodUnlink
	MethodUnlock
	MethodUnsubscribe
	numMethods
)

var methodNames = [numMethods]string{
	MethodUnknown:     "",
	MethodGet:         "GET",
	MethodHead:        "HEAD",
	MethodPost:        "POST",
	MethodPut:         "PUT",
	MethodDelete:      "DELETE",
	MethodConnect:     "CONNECT",
	MethodOptions:     "OPTIONS",
	MethodTrace:       "TRACE",
	MethodPatch:       "PATCH",
	MethodACL:         "ACL",
	MethodBind:        "BIND",
	MethodCheckout:    "CHECKOUT",
	MethodCopy:        "COPY",
	MethodLink:        "LINK",
	MethodLock:        "LOCK",
	MethodMSearch:     "M-SEARCH",
	MethodMerge:       "MERGE",
	MethodMkActivity:  "MKACTIVITY",
	MethodMkCalendar:  "MKCALENDAR",
	MethodMkCol:       "MKCOL",
	MethodMove:        "MOVE",
	MethodNotify:      "NOTIFY",
	MethodPropFind:    "PROPFIND",
	MethodPropPatch:   "PROPPATCH",
	MethodPurge:       "PURGE",
	MethodQuery:       "QUERY",
	MethodRebind:      "REBIND",
	MethodReport:      "REPORT",
	MethodSearch:      "SEARCH",
	MethodSource:      "SOURCE",
	MethodSubscribe:   "SUBSCRIBE",
	MethodUnbind:      "UNBIND",
	MethodUnlink:      "UNLINK",
	MethodUnlock:      "UNLOCK",
	MethodUnsubscribe: "UNSUBSCRIBE",
}

// maxMethodLen is the length of the longest method name (UNSUBSCRIBE).
const maxMethodLen = 11

// String returns the method's name as sent on the wire ("" for MethodUnknown).
func (m Method) String() string {
	if m < numMethods {
		return methodNames[m]
	}
	return ""
}

// Methods returns the names of all methods the parser accepts, in the
// order of the Method constants.
func Methods() []string {
	out := make([]string, 0, numMethods-1)
	for m := MethodGet; m < numMethods; m++ {
		out = append(out, methodNames[m])
	}
	return out
}

// LookupMethod returns the Method named b (case-sensitive, as on the wire),
// or MethodUnknown.
func LookupMethod(b []byte) Method {
	// The common methods first, then a length-bucketed scan of the rest.
	switch len(b) {
	case 3:
		if string(b) == "GET" {
			return MethodGet
		}
		if string(b) == "PUT" {
			return MethodPut
		}
	case 4:
		if string(b) == "POST" {
			return MethodPost
		}
		if string(b) == "HEAD" {
			return MethodHead
		}
	case 0, 1, 2:
		return MethodUnknown
	}
	if len(b) > maxMethodLen {
		return MethodUnknown
	}
	for m := MethodDelete; m < numMethods; m++ {
		if string(b) == methodNames[m] {
			return m
		}
	}
	return MethodUnknown
}

// methodPrefixLen returns the length of the longest prefix of b that begins
// some method's name.
func methodPrefixLen(b []byte) int {
	best := 0
	for m := MethodGet; m < numMethods; m++ {
		name := methodNames[m]
		k := 0
		for k < len(b) && k < len(name) && b[k] == name[k] {
			k++
		}
		if k > best {
			best = k
		}
	}
	return best
}

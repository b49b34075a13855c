package net

// EmulateSendfile makes SendFile read and write the file, as on systems without a socket
// sendfile, until the returned function restores it.
func EmulateSendfile() (restore func()) {
	prev := sendfileSupported
	sendfileSupported = func() bool { return false }
	return func() { sendfileSupported = prev }
}

#!/bin/sh
# test-windows.sh [go test flags] [packages]: go test for windows/amd64, with
# the test binaries run under Wine.
#
#   sh .ci/wine/test-windows.sh -count=1 ./timers ./threadpool
#   sh .ci/wine/test-windows.sh -race ./...
#
# Installs Debian's wine and the mingw-w64 C compiler first if either is
# missing (needs root and the Debian mirror). With -race, cgo is turned on
# with mingw as the C compiler. The exit status is go test's.
#
# Without WINEPREFIX in the environment it runs in a fresh temporary prefix
# and removes it afterwards. With WINEPREFIX set it uses (and if needed
# prepares) that prefix and leaves it and its wineserver running, so that
# several runs share one start-up; the caller then ends the server with
# `WINEPREFIX=... wineserver -k` and removes the prefix.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v wine >/dev/null 2>&1 || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
	echo "test-windows.sh: installing wine and mingw-w64" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		wine wine64 gcc-mingw-w64-x86-64-win32 >/dev/null
fi
if [ -n "${WINEPREFIX:-}" ]; then
	mkdir -p "$WINEPREFIX"
else
	WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/uv-wine.XXXXXX")
	trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$WINEPREFIX"' EXIT
fi
WINEDEBUG=-all
WINEDLLOVERRIDES=mscoree,mshtml=
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY
# One persistent server for all the test binaries: about 0.3 s of start-up
# each instead of about 3 s. It must start before wineboot starts its own; it
# fails harmlessly when an earlier run's server is still there.
wineserver -p 2>/dev/null || true
"$here/go_windows_amd64_exec" --init
case " $* " in
*" -race "*) export CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc ;;
esac
GOOS=windows GOARCH=amd64 go test -exec "$here/go_windows_amd64_exec" "$@"

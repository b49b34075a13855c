#!/usr/bin/env bash
# uv-go's bench harness: builds the libuv C peers (gcc + Debian's libuv1-dev), the uv-go
# command, the Go HTTP peers and the driver, then runs uv-go and its peers interleaved and
# prints a markdown report (machine, versions, medians, spreads, ratios).
#
# Usage: bench/run.sh [--quick] [benchrun flags...]
#   --quick            smoke mode: tiny sizes, one round, 1 s HTTP runs at -c64, 500 idle connections
#   -rounds N          interleaved rounds (default 3)
#   -shapes a,b        micro shapes (bin/benchrun -list shows them); -micro=false skips them
#   -impls a,b         uvgo, libuv, node
#   -http=false        skip the HTTP runs; -servers a,b picks servers, -conns 64,256
#   -pairs a:b,c:d     also run those servers alternately and compare adjacent runs
#                      (-pair-rounds N pairs, default 8)
#   -idle=false        skip the idle keep-alive memory measurement (-idle-conns 10000,
#                      -idle-servers uvgo,uvgo-app,node,nethttp)
#   -md FILE           also write the report to FILE; -raw FILE appends the result lines
#   -v                 print each result as it comes
# Environment:
#   BENCH_NO_INSTALL=1  do not apt-get install missing tools (libuv1-dev, wrk, nginx-light)
#   BENCH_BUILD_ONLY=1  build everything, run nothing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

need=()
[ -f /usr/include/uv.h ] || need+=(libuv1-dev)
command -v gcc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v node >/dev/null || need+=(nodejs)
if [ "${#need[@]}" -ne 0 ]; then
	if [ -n "${BENCH_NO_INSTALL:-}" ] || [ "$(id -u)" -ne 0 ]; then
		echo "run.sh: missing ${need[*]} (not installing: BENCH_NO_INSTALL is set or not root)" >&2
	else
		echo "run.sh: installing ${need[*]}" >&2
		apt-get update -qq >&2
		# policy-rc.d on these machines keeps the nginx package from starting its service
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
	fi
fi

mkdir -p bin
for src in c/*.c; do
	name=$(basename "$src" .c)
	gcc -O2 -Wall -Wextra -o "bin/c_$name" "$src" -luv
done
go build -o bin/uvbench ./cmd/uvbench
go build -o bin/hellopeers ./cmd/hellopeers
go build -o bin/benchrun ./cmd/benchrun
go build -o bin/sockcalls ./cmd/sockcalls

if [ -n "${BENCH_BUILD_ONLY:-}" ]; then
	echo "run.sh: built bin/" >&2
	exit 0
fi
args=()
for a in "$@"; do
	case "$a" in
	--quick) args+=(-quick) ;;
	*) args+=("$a") ;;
	esac
done
exec bin/benchrun -dir . "${args[@]}"

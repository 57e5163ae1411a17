#!/usr/bin/env bash
# The host's own ln x and 1 - e^-x give the same bits whether or not glibc
# sees the processor's FMA (GLIBC_TUNABLES hides it), while libm's log and
# expm1 change: the control shows the switch took effect. On a machine
# without FMA there is nothing to switch, and the test skips (exit 77).
#   bash host_math_bits_test.sh path/to/host_math_digest
set -euo pipefail
digest=$1
plain=$("$digest")
hidden=$(GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA "$digest")
echo "FMA visible: $plain"
echo "FMA hidden:  $hidden"
own() { sed -n 's/^own \([0-9a-f]*\) .*/\1/p' <<< "$1"; }
libm() { sed -n 's/.* libm \([0-9a-f]*\)$/\1/p' <<< "$1"; }
if [ "$(libm "$plain")" = "$(libm "$hidden")" ]; then
  echo "SKIP: libm's log and expm1 gave the same bits with FMA hidden (no FMA here, or glibc ignored the tunable): nothing to compare"
  exit 77
fi
if [ "$(own "$plain")" != "$(own "$hidden")" ]; then
  echo "FAIL: the host's own ln x or 1 - e^-x changed with FMA hidden — their bits depend on the machine" >&2
  exit 1
fi
echo "ok: own functions identical; libm's differ"

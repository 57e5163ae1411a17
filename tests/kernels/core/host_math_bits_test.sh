#!/usr/bin/env bash
# The host's own ln x, 1 - e^-x and normal CDF give the bits they gave when
# this test was written (a build that contracted multiply-adds, or any
# change to the functions, changes them: if on purpose, put the new digest
# here and say why in the commit), and the same bits whether or not glibc
# sees the processor's FMA (GLIBC_TUNABLES hides it), while libm's log and
# expm1 change: the control shows the switch took effect. On a machine
# without FMA there is nothing to switch, and that half skips (exit 77).
#   bash host_math_bits_test.sh path/to/host_math_digest
set -euo pipefail
digest=$1
expected_own=7994ecfe04b16998
plain=$("$digest")
hidden=$(GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA "$digest")
echo "FMA visible: $plain"
echo "FMA hidden:  $hidden"
own() { sed -n 's/^own \([0-9a-f]*\) .*/\1/p' <<< "$1"; }
libm() { sed -n 's/.* libm \([0-9a-f]*\)$/\1/p' <<< "$1"; }
if [ "$(own "$plain")" != "$expected_own" ]; then
  echo "FAIL: the host's own functions gave digest $(own "$plain"), not $expected_own — their bits changed (the build's flags, or the functions)" >&2
  exit 1
fi
if [ "$(libm "$plain")" = "$(libm "$hidden")" ]; then
  echo "SKIP: libm's log and expm1 gave the same bits with FMA hidden (no FMA here, or glibc ignored the tunable): nothing to compare"
  exit 77
fi
if [ "$(own "$plain")" != "$(own "$hidden")" ]; then
  echo "FAIL: the host's own ln x or 1 - e^-x changed with FMA hidden — their bits depend on the machine" >&2
  exit 1
fi
echo "ok: own functions identical; libm's differ"

#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (called by `make fuzz`; FUZZ_OUT, FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_CC
# and ANE4J_CORPUS_DIR come from the Makefile):
#   mil      MIL text -> compile on the reference backend -> eval with small inputs -> free
#   weights  weight files through ane_bridge_compile_multi_weights and compile_ex, then eval
#   blob     the four weight blob builders, read back and compared
# The FUZZ_SECONDS are shared evenly by the targets. Seeds: every program and blob the C tests build
# (written by the seed runner, fuzz/seed_tap.c), the upstream corpus when it is beside the repository,
# and what earlier runs found (FUZZ_OUT/corpus). Any crash, sanitizer report, leak, input slower than
# 10 s or allocation over 512 MB fails the run; the input is kept in FUZZ_OUT/findings.
#
# Installs clang-14, libclang-rt-14-dev and libfuzzer-14-dev when missing (as root, non-interactively).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "fuzz: $*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in clang-14 libclang-rt-14-dev libfuzzer-14-dev; do installed "$pkg" || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        say "needs ${missing[*]}; install them (apt-get install ${missing[*]}) and run again"
        exit 1
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
    apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt_get update -qq && apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

say "building the targets and the seed runner"
make -s -j2 fuzz-build FUZZ_CC="$FUZZ_CC"

seeds="$FUZZ_OUT/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/mil" "$seeds/weights" "$seeds/blob"
say "writing seeds from the C tests"
if ! ANE4J_FUZZ_SEEDS="$seeds" ANE4J_CORPUS_DIR="${ANE4J_CORPUS_DIR:-}" \
        ANE4J_ANE_CACHE_DIR="$FUZZ_OUT/ane-cache" "$FUZZ_OUT/seed_runner" >"$FUZZ_OUT/seed_runner.log" 2>&1; then
    say "the C tests failed while writing seeds (see $FUZZ_OUT/seed_runner.log)"
    exit 1
fi

read -r -a targets <<< "$FUZZ_TARGETS"
per_target=$(( FUZZ_SECONDS / ${#targets[@]} ))
[ "$per_target" -ge 1 ] || per_target=1
mkdir -p "$FUZZ_OUT/findings"
for t in "${targets[@]}"; do
    dirs=("$FUZZ_OUT/corpus/$t" "$seeds/$t")
    [ "$t" = mil ] && [ -d "${ANE4J_CORPUS_DIR:-}" ] && dirs+=("$ANE4J_CORPUS_DIR")
    mkdir -p "${dirs[0]}"
    dict=()
    [ "$t" = blob ] || dict=(-dict=fuzz/mil.dict)
    say "$t: ${per_target} s from $(find "${dirs[@]}" -type f | wc -l) inputs"
    if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
            "$FUZZ_OUT/fuzz_$t" "${dirs[@]}" "${dict[@]}" -max_total_time="$per_target" -timeout=10 \
            -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536 -print_final_stats=1 \
            -artifact_prefix="$FUZZ_OUT/findings/$t-" >"$FUZZ_OUT/$t.log" 2>&1; then
        tail -n 60 "$FUZZ_OUT/$t.log"
        say "$t: FINDING (input kept in $FUZZ_OUT/findings/, log in $FUZZ_OUT/$t.log)"
        exit 1
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$FUZZ_OUT/$t.log" | sed "s/^/fuzz: $t: /"
done
say "no finding in ${FUZZ_SECONDS} s (${targets[*]})"

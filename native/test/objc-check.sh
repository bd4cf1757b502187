#!/usr/bin/env bash
# Compile-check the Objective-C ANE backend (src/darwin/*.m) without a Mac: clang-14 against GNUstep's
# Foundation headers and ane4j's stub headers for the Apple-only ones (test/objc-stubs), for three targets:
#   x86_64-linux         GNUstep runtime          (the host)
#   arm64-apple-macos14  Apple runtime, Mach-O    (the real target's runtime, ABI and ARC rules)
#   aarch64-linux-gnu    GNUstep runtime          (arm64 type rules, e.g. NEON, vector conversions)
# plus, for the Apple target only, the backend's C files and its tests, whose macOS-only branches the Linux
# build never compiles. Every warning is an error; misspelt private selectors are errors too (see
# src/darwin/ane_private.h).
# What this cannot see: the private framework's behaviour, linking, anything at run time. Only a Mac
# with a Neural Engine verifies the backend (ANE4J_HARDWARE=1 make test).
#
# Installs what it needs when missing (as root, non-interactively): clang-14 (brings GCC's <objc/*.h>),
# libc6-dev-arm64-cross, and GNUstep's Foundation headers, which it unpacks from the
# libgnustep-base-dev package into ${XDG_CACHE_HOME:-$HOME/.cache}/ane4j-objc rather than installing.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/ane4j-objc"
STUBS=test/objc-stubs
CLANG=clang-14

say() { echo "objc-check: $*"; }

apt_updated=0
apt_run() { # apt-get <args>, with one 'apt-get update' first if the package lists lack what is asked
    if [ "$(id -u)" != 0 ]; then
        say "cannot run 'apt-get $*' without root; install it by hand"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get "$@" >/dev/null 2>&1; then
        [ "$apt_updated" = 1 ] && { say "apt-get $* failed"; exit 1; }
        apt-get update -qq
        apt_updated=1
        apt-get "$@" >/dev/null
    fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# --- toolchain -------------------------------------------------------------------------------------------
missing=()
command -v "$CLANG" >/dev/null || missing+=(clang-14)
installed libc6-dev-arm64-cross || missing+=(libc6-dev-arm64-cross)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_run install -y -qq --no-install-recommends "${missing[@]}"
fi
objc_h=$(find /usr/lib/gcc -path '*/include/objc/objc.h' 2>/dev/null | sort | tail -n 1)
if [ -z "$objc_h" ]; then
    say "installing libobjc-12-dev (GCC's <objc/*.h>)"
    apt_run install -y -qq --no-install-recommends libobjc-12-dev
    objc_h=$(find /usr/lib/gcc -path '*/include/objc/objc.h' | sort | tail -n 1)
fi
GCC_OBJC_INC=$(dirname "$(dirname "$objc_h")")
RESOURCE_INC="$("$CLANG" -print-resource-dir)/include"
ARM64_LIBC_INC=/usr/aarch64-linux-gnu/include

GNUSTEP_INC="$CACHE/root/usr/include/GNUstep"
if [ ! -f "$GNUSTEP_INC/Foundation/Foundation.h" ]; then
    say "unpacking GNUstep's Foundation headers into $CACHE"
    rm -rf "$CACHE/deb" "$CACHE/root"
    mkdir -p "$CACHE/deb"
    (cd "$CACHE/deb" && apt_run download libgnustep-base-dev)
    dpkg-deb -x "$CACHE"/deb/libgnustep-base-dev_*.deb "$CACHE/root"
fi

# --- checks ----------------------------------------------------------------------------------------------
COMMON=(-x objective-c -std=gnu11 -fobjc-arc -fblocks -fobjc-exceptions -fexceptions
    -DGNUSTEP -DGNUSTEP_BASE_LIBRARY=1 -DGNU_RUNTIME=1 -D_NATIVE_OBJC_EXCEPTIONS
    -DANE4J_HAVE_DARWIN_BACKEND=1 -Iinclude -Isrc
    -Wall -Wextra -Wno-unused-parameter -Wno-deprecated-declarations -Werror
    -Werror=implicit-function-declaration -Werror=incompatible-pointer-types -Werror=int-conversion
    -Werror=objc-method-access -Werror=return-type -Werror=undeclared-selector)
CROSS_INC=(-nostdinc -isystem "$STUBS" -isystem "$GNUSTEP_INC" -isystem "$RESOURCE_INC"
    -idirafter "$GCC_OBJC_INC" -idirafter "$ARM64_LIBC_INC")

declare -A TARGET_FLAGS=(
    [x86_64-linux]="-fobjc-runtime=gnustep-2.0 -isystem $STUBS -isystem $GNUSTEP_INC -idirafter $GCC_OBJC_INC"
    [arm64-apple-macos14]="-target arm64-apple-macos14 -fobjc-runtime=macosx-14.0 -U__nonnull -U__nullable ${CROSS_INC[*]}"
    [aarch64-linux-gnu]="-target aarch64-linux-gnu -fobjc-runtime=gnustep-2.0 -flax-vector-conversions=none ${CROSS_INC[*]}"
)

sources=(src/darwin/*.m)
[ -e "${sources[0]}" ] || { say "no Objective-C sources in src/darwin"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

failed=0
check() { # <target> <source> <flags...>
    local target=$1 src=$2
    shift 2
    if "$CLANG" "$@" -c -o "$out/check.o" "$src"; then
        say "$target  $src  ok"
    else
        say "$target  $src  FAILED"
        failed=1
    fi
}
for target in x86_64-linux arm64-apple-macos14 aarch64-linux-gnu; do
    # shellcheck disable=SC2086  # TARGET_FLAGS holds several flags on purpose
    for src in "${sources[@]}"; do check "$target" "$src" "${COMMON[@]}" ${TARGET_FLAGS[$target]}; done
done
C_FLAGS=(-x c -std=gnu11 -DANE4J_HAVE_DARWIN_BACKEND=1 -Iinclude -Isrc -Wall -Wextra -Wno-unused-parameter -Werror
    -target arm64-apple-macos14 -U__nonnull -U__nullable "${CROSS_INC[@]}")
for src in src/darwin/*.c test/test_darwin*.c; do check arm64-apple-macos14 "$src" "${C_FLAGS[@]}"; done
[ "$failed" = 0 ] && say "all checks passed" || { say "some checks failed"; exit 1; }

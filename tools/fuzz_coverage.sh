#!/bin/sh
# Line and branch coverage of src/ by the fuzz corpora, with clang's
# source-based coverage (-fprofile-instr-generate -fcoverage-mapping).
#   sh tools/fuzz_coverage.sh [harness ...]
# Builds the libFuzzer harnesses (ASan/UBSan as usual, plus the coverage
# instrumentation) in $H2W_COV_DIR (default build-cov), replays each
# harness's corpus fuzz/corpus/<name>/ once (-runs=0), merges the profiles
# and prints llvm-cov's per-file report for src/. Without arguments every
# harness that has a corpus is replayed. The merged profile is left in
# $H2W_COV_DIR/cov/all.profdata and the report in $H2W_COV_DIR/cov/report.txt;
# `llvm-cov show` on the same objects gives the annotated sources.
# Needs clang and the matching llvm-profdata/llvm-cov ($LLVM_SUFFIX, by
# default the suffix of the first of llvm-cov-14..-19 or none that exists).
set -eu
cd "$(dirname "$0")/.."
dir=${H2W_COV_DIR:-build-cov}
cc=${CC:-clang}
suffix=${LLVM_SUFFIX-}
if [ -z "${LLVM_SUFFIX+x}" ]; then
    for v in 14 15 16 17 18 19; do
        if command -v "llvm-cov-$v" >/dev/null 2>&1; then
            suffix=-$v
            break
        fi
    done
fi
profdata=llvm-profdata$suffix
llvmcov=llvm-cov$suffix
for tool in "$cc" "$profdata" "$llvmcov" cmake; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "fuzz_coverage.sh: $tool not found" >&2
        exit 1
    }
done

flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
    -DH2W_BUILD_FUZZ=ON -DH2W_BUILD_TESTS=OFF -DH2W_BUILD_EXAMPLES=OFF \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
jobs=${H2W_COV_JOBS:-2}
cmake --build "$dir" -j"$jobs" >/dev/null

names=$*
if [ -z "$names" ]; then
    for c in fuzz/corpus/*/; do
        n=$(basename "$c")
        [ -x "$dir/bin/fuzz_$n" ] && names="$names $n"
    done
fi

out=$dir/cov
rm -rf "$out"
mkdir -p "$out"
objects=""
for n in $names; do
    bin=$dir/bin/fuzz_$n
    [ -x "$bin" ] || {
        echo "fuzz_coverage.sh: no $bin" >&2
        exit 1
    }
    echo "replaying fuzz/corpus/$n" >&2
    LLVM_PROFILE_FILE="$out/$n.profraw" "$bin" -runs=0 "fuzz/corpus/$n" \
        >"$out/$n.log" 2>&1 || {
        echo "fuzz_coverage.sh: fuzz_$n failed on its corpus:" >&2
        tail -n 30 "$out/$n.log" >&2
        exit 1
    }
    if [ -z "$objects" ]; then
        objects=$bin
    else
        objects="$objects -object $bin"
    fi
done

"$profdata" merge -sparse "$out"/*.profraw -o "$out/all.profdata"
# shellcheck disable=SC2086 # $objects holds several arguments on purpose
"$llvmcov" report -instr-profile="$out/all.profdata" $objects \
    "$(pwd)/src" | sed "s|$(pwd)/||" >"$out/report.txt"
cat "$out/report.txt"

#ifndef VENV_FUZZ_H
#define VENV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each tests/fuzz/fuzz_*.c defines the libFuzzer entry point. `make fuzz`
 * links it with libFuzzer (clang); `make check` links it with replay.c,
 * which feeds it the seed corpus, so the targets run on every build.
 * A target calls abort() when an invariant breaks.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

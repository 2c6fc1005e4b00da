#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry for programs that have a `main` of their own (LLVM 11 and later; part of
/// the runtime `-sanitize=fuzzer` links). SwiftPM names every executable's entry point
/// `<module>_main` and links `main` to it, so libFuzzer's own `main` never runs: each harness's
/// top-level code calls this instead, with the process's arguments and its test function.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif

/* SHA-256 compression: portable C, and x86 SHA extensions where the CPU has them. */
#ifndef TINYCHAIN_SHA256_H
#define TINYCHAIN_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef void (*sha256_compress_fn)(uint32_t state[8], const uint8_t *blocks, size_t n);

extern const uint32_t SHA256_IV[8];

/* The fastest compression this CPU supports; `name` gets "sha-ni" or "portable". */
sha256_compress_fn sha256_best(const char **name);
void sha256_compress_portable(uint32_t state[8], const uint8_t *blocks, size_t n);

#endif

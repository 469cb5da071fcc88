/*
 * Proof-of-work search for tinychain (docs/protocol.md §4): the header's canonical JSON is
 * prefix || decimal(proof) || suffix. The prefix's whole 64-byte blocks are hashed once
 * (midstate); each try writes the proof's digits in place and compresses only the tail.
 *
 * search(prefix: Buffer, suffix: Buffer, target: Buffer(32), start: number, count: number)
 *   -> the first proof in [start, start + count) whose hash <= target, or -1.
 * sha256(data: Buffer) -> Buffer(32), for checking the compression against OpenSSL.
 * implementation -> "sha-ni" or "portable".
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include "sha256.h"

static sha256_compress_fn compress = sha256_compress_portable;
static const char *impl = "portable";

#define MAX_TAIL 1024

static int digits_of(uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

static uint64_t pow10u(int d) {
  uint64_t p = 1;
  while (d-- > 0) p *= 10;
  return p;
}

static void be64(uint8_t *out, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    out[i] = (uint8_t)v;
    v >>= 8;
  }
}

static int get_buffer(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool ok = false;
  if (napi_is_buffer(env, v, &ok) != napi_ok || !ok) return 0;
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static napi_value search(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return fail(env, "search(prefix, suffix, target, start, count)");
  uint8_t *prefix, *suffix, *target;
  size_t L, S, TL;
  if (!get_buffer(env, argv[0], &prefix, &L) || !get_buffer(env, argv[1], &suffix, &S) || !get_buffer(env, argv[2], &target, &TL) || TL != 32)
    return fail(env, "prefix, suffix and a 32-byte target must be Buffers");
  double startD, countD;
  if (napi_get_value_double(env, argv[3], &startD) != napi_ok || napi_get_value_double(env, argv[4], &countD) != napi_ok || startD < 0 ||
      countD < 0 || startD > 9007199254740991.0 || countD > 9007199254740991.0)
    return fail(env, "start and count must be non-negative safe integers");
  uint64_t nonce = (uint64_t)startD;
  uint64_t end = nonce + (uint64_t)countD;
  if (end > 9007199254740992ULL) end = 9007199254740992ULL;

  uint32_t t[8];
  for (int i = 0; i < 8; i++) t[i] = (uint32_t)target[4 * i] << 24 | (uint32_t)target[4 * i + 1] << 16 | (uint32_t)target[4 * i + 2] << 8 | target[4 * i + 3];

  uint32_t mid[8];
  memcpy(mid, SHA256_IV, sizeof mid);
  size_t m = L / 64;
  compress(mid, prefix, m);
  size_t r = L - 64 * m;

  uint8_t tail[MAX_TAIL];
  double found = -1;
  while (nonce < end) {
    int d = digits_of(nonce);
    uint64_t limit = pow10u(d);
    if (limit > end) limit = end;
    size_t T = L + (size_t)d + S;
    size_t P = ((T + 9 + 63) / 64) * 64;
    size_t tailLen = P - 64 * m;
    if (tailLen > MAX_TAIL) return fail(env, "header too long");
    memset(tail, 0, tailLen);
    memcpy(tail, prefix + 64 * m, r);
    memcpy(tail + r + d, suffix, S);
    tail[r + d + S] = 0x80;
    be64(tail + tailLen - 8, (uint64_t)T * 8);
    uint8_t *dig = tail + r;
    uint64_t v = nonce;
    for (int i = d - 1; i >= 0; i--) {
      dig[i] = (uint8_t)('0' + v % 10);
      v /= 10;
    }
    const size_t blocks = tailLen / 64;
    for (;;) {
      uint32_t st[8];
      memcpy(st, mid, sizeof st);
      compress(st, tail, blocks);
      int i = 0;
      while (i < 8 && st[i] == t[i]) i++;
      if (i == 8 || st[i] < t[i]) {
        found = (double)nonce;
        goto done;
      }
      if (++nonce >= limit) break;
      int j = d - 1;
      while (dig[j] == '9') dig[j--] = '0';
      dig[j]++;
    }
  }
done:;
  napi_value out;
  napi_create_double(env, found, &out);
  return out;
}

static napi_value sha256(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *data;
  size_t len;
  if (argc < 1 || !get_buffer(env, argv[0], &data, &len)) return fail(env, "sha256(Buffer)");
  uint32_t st[8];
  memcpy(st, SHA256_IV, sizeof st);
  size_t full = len / 64;
  compress(st, data, full);
  uint8_t last[128];
  size_t rem = len - 64 * full;
  memset(last, 0, sizeof last);
  memcpy(last, data + 64 * full, rem);
  last[rem] = 0x80;
  size_t n = rem + 9 <= 64 ? 64 : 128;
  be64(last + n - 8, (uint64_t)len * 8);
  compress(st, last, n / 64);
  void *outData;
  napi_value out;
  napi_create_buffer(env, 32, &outData, &out);
  uint8_t *o = outData;
  for (int i = 0; i < 8; i++) {
    o[4 * i] = (uint8_t)(st[i] >> 24);
    o[4 * i + 1] = (uint8_t)(st[i] >> 16);
    o[4 * i + 2] = (uint8_t)(st[i] >> 8);
    o[4 * i + 3] = (uint8_t)st[i];
  }
  return out;
}

NAPI_MODULE_INIT() {
  compress = sha256_best(&impl);
  napi_value fn, name;
  napi_create_function(env, "search", NAPI_AUTO_LENGTH, search, NULL, &fn);
  napi_set_named_property(env, exports, "search", fn);
  napi_create_function(env, "sha256", NAPI_AUTO_LENGTH, sha256, NULL, &fn);
  napi_set_named_property(env, exports, "sha256", fn);
  napi_create_string_utf8(env, impl, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, exports, "implementation", name);
  return exports;
}

{
  "targets": [
    {
      "target_name": "tinychain_pow",
      "sources": ["pow.c", "sha256.c"],
      "cflags": ["-O3", "-std=c11"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}

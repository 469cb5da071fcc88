/**
 * A stable visual fingerprint of an address: four colours drawn from a hash of its 64
 * characters, so that two addresses that differ by one character (a typo) look different at a
 * glance. The hash is FNV-1a with a final avalanche (murmur3's fmix32), twice with different
 * seeds for 64 bits; each colour takes a hue (9 bits) and one of two lightnesses (1 bit).
 */

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Four CSS colours ("hsl(H 65% L%)") for `address`. */
export function fingerprintColours(address: string): string[] {
  const words = [fnv1a(address, 0), fnv1a(address, 0x9e3779b9)];
  return [0, 1, 2, 3].map((i) => {
    const bits = (words[i >> 1] as number) >>> ((i & 1) * 16);
    const hue = (bits & 0x1ff) % 360;
    const light = bits & 0x200 ? 38 : 62;
    return `hsl(${hue} 65% ${light}%)`;
  });
}

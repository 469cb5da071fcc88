/**
 * The JSON texts of things recently taken (blocks, transactions), each with its id: peers pass
 * each new block and transaction on, so a node gets most of them several times, and a copy
 * byte for byte like one it took is known by its text, without parsing or hashing it again.
 * Bounded by entries and characters; the oldest go first. Whoever asks checks that the id it
 * gets is still what it was (still stored, still pending).
 */
export class RecentTexts {
  private readonly byText = new Map<string, string>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get(text: string): string | undefined {
    return this.byText.get(text);
  }

  /** Remembers `text` as `id`'s; a text over a quarter of the characters allowed is not kept. */
  remember(text: string, id: string): void {
    if (text.length > this.maxChars / 4 || this.byText.has(text)) return;
    this.byText.set(text, id);
    this.chars += text.length;
    for (const old of this.byText.keys()) {
      if (this.byText.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.byText.delete(old);
      this.chars -= old.length;
    }
  }
}

/**
 * The text of a value received as JSON, or undefined for anything that is not an object or
 * array, or that cannot be written back (nested too deep for JSON.stringify's stack: the
 * checks that follow refuse it as they refuse any malformed input).
 */
export function receivedText(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  try {
    return JSON.stringify(raw);
  } catch {
    return undefined;
  }
}

/**
 * A bounded memo for pure string functions on the hot path: the same option labels, lexicon
 * forms and message text are normalised several times in one engine step and again in every
 * step after it. Only short inputs are remembered (a label, a typical message), and at most
 * `maxEntries` of them; the oldest entry leaves first, so memory stays bounded.
 */
export function memoizeString<T>(fn: (s: string) => T, opts: { maxEntries?: number; maxKeyLength?: number } = {}): (s: string) => T {
  const maxEntries = opts.maxEntries ?? 4096;
  const maxKeyLength = opts.maxKeyLength ?? 256;
  const cache = new Map<string, T>();
  return (s: string): T => {
    // Non-strings and long texts are computed every time (they are rare, and would fill the memo).
    if (typeof s !== 'string' || s.length > maxKeyLength) return fn(s);
    const hit = cache.get(s);
    if (hit !== undefined) return hit;
    const value = fn(s);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(s, value);
    return value;
  };
}

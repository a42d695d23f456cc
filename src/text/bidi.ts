/**
 * Keeping numbers in their order inside right-to-left text. In an Arabic line the bidi
 * algorithm lays the groups of "+966 55 123 4567" out right to left ("4567 123 55 966+"),
 * and a date or a reference next to Arabic words can swap with them. Each run of digits with
 * its separators is isolated as left-to-right: in HTML with <bdi dir="ltr">, in plain text
 * with the Unicode isolates LRI (U+2066) … PDI (U+2069).
 */

/**
 * A run of digits (ASCII, Arabic-Indic, Persian) joined by single spaces, / . : - or ,, with an
 * optional leading + and an optional Latin prefix joined by - (a reference: QLM-2026-00012,
 * which would otherwise show as 2026-00012-QLM inside Arabic).
 */
export const NUMBER_RUN = /(?:[A-Za-z]+-)*\+?[0-9\u0660-\u0669\u06F0-\u06F9]+(?:[ \u00A0./:\-,][0-9\u0660-\u0669\u06F0-\u06F9]+)*/g;

export const LRI = '\u2066';
export const PDI = '\u2069';

/** Plain text with every number run wrapped in LRI … PDI (for channels that show text as it is). */
export function isolateNumbers(text: string): string {
  return text.replace(NUMBER_RUN, (run) => `${LRI}${run}${PDI}`);
}

/** Splits text into plain parts and number runs, for renderers that build elements (no HTML parsing). */
export function splitNumberRuns(text: string): Array<{ text: string; number: boolean }> {
  const parts: Array<{ text: string; number: boolean }> = [];
  let last = 0;
  for (const m of text.matchAll(NUMBER_RUN)) {
    if (m.index! > last) parts.push({ text: text.slice(last, m.index), number: false });
    parts.push({ text: m[0], number: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), number: false });
  return parts;
}

/**
 * A left-to-right value inside right-to-left text: a number run as above, or a Latin run
 * (letters and digits joined by single spaces and . / : - _ @ & ' +), so an email, a Latin
 * name or "QLM-2026-00012" stays one left-to-right piece.
 */
export const LTR_VALUE_RUN =
  /\+?[A-Za-z0-9\u0660-\u0669\u06F0-\u06F9]+(?:(?:[ \u00A0./:\-_@&'+]|, )[A-Za-z0-9\u0660-\u0669\u06F0-\u06F9]+)*/g;

const ARABIC_LETTER = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const HAS_ISOLATE = /[\u2066-\u2069]/;

/**
 * Plain text for a channel that lays bidi out per paragraph (Telegram, WhatsApp): in every line
 * with Arabic letters, each left-to-right value is wrapped in LRI … PDI, so "+966 55 123 4567",
 * "15/01/1995" or "QLM-2026-00012" keep their order beside Arabic words. Lines without Arabic,
 * and text already carrying isolates, are left as they are.
 */
export function isolatePlainText(text: string): string {
  if (HAS_ISOLATE.test(text)) return text;
  return text
    .split('\n')
    .map((line) => (ARABIC_LETTER.test(line) ? line.replace(LTR_VALUE_RUN, (run) => `${LRI}${run}${PDI}`) : line))
    .join('\n');
}

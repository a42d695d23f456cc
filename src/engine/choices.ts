/** Reading a button pick from typed text. */
import { validateInteger } from '../validate/number.ts';

/** "1", "١", "(2)", "2." → the id at that 1-based position. */
export function choiceByNumber(text: string, ids: string[]): string | undefined {
  const result = validateInteger(text.replace(/[().]/g, ''), { min: 1, max: ids.length });
  return result.ok ? ids[result.value - 1] : undefined;
}

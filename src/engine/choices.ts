/** Reading a button pick from typed text. */
import { choicePosition } from '../validate/choice.ts';

/**
 * "1", "١", "(2)", "2.", "رقم 2", "الأول", "the second one" → the id at that 1-based position.
 * Only a pick on its own: "1 غلط" at the review is no pick of the first button.
 */
export function choiceByNumber(text: string, ids: string[]): string | undefined {
  const at = choicePosition(text, ids.length);
  return at === undefined ? undefined : ids[at - 1];
}

/** Renders a reply for channels without buttons: the choices as numbered lines. */
import type { Choice } from '../engine/types.ts';

export function renderPlain(text: string, choices?: readonly Choice[]): string {
  if (!choices || choices.length === 0) return text;
  return `${text}\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
}

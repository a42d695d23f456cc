/** Reading what a browser actually drew: the on-screen x position of each piece of a value. */
import type { Locator } from 'playwright-core';

/**
 * Where each of `pieces` (found in order in the element's text) was laid out on screen
 * (Range.getClientRects): [top, left] in px. See `increasing` for reading them.
 */
export async function screenXs(el: Locator, pieces: string[]): Promise<Array<[number, number]>> {
  return el.evaluate((root, pieces) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
    const text = nodes.map((n) => n.data).join('');
    // A start offset belongs to the node it begins (not the end of the one before); an end to the node it ends.
    const locate = (at: number, end: boolean): [Text, number] => {
      for (const n of nodes) {
        if (end ? at <= n.data.length : at < n.data.length) return [n, at];
        at -= n.data.length;
      }
      throw new Error('offset outside the text');
    };
    let from = 0;
    return pieces.map((piece) => {
      const at = text.indexOf(piece, from);
      if (at < 0) throw new Error(`"${piece}" not found in "${text}"`);
      from = at + piece.length;
      const range = document.createRange();
      const [startNode, startOffset] = locate(at, false);
      const [endNode, endOffset] = locate(at + piece.length, true);
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, endOffset);
      const rect = range.getClientRects()[0]!;
      return [Math.round(rect.top), Math.round(rect.left)] as [number, number];
    });
  }, pieces);
}

/** The pieces read left to right: on one line each right of the one before, or on a later line (a wrap). */
export const increasing = (at: Array<[number, number]>) =>
  at.every(([top, left], i) => i === 0 || (Math.abs(top - at[i - 1]![0]) < 4 ? left > at[i - 1]![1] : top > at[i - 1]![0]));

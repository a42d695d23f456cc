import { describe, expect, it } from 'vitest';
import { memoizeString } from '../../src/text/memo.ts';

describe('memoizeString', () => {
  it('computes each short input once and gives the same value again', () => {
    const calls: string[] = [];
    const upper = memoizeString((s: string) => (calls.push(s), s.toUpperCase()));
    expect(upper('abc')).toBe('ABC');
    expect(upper('abc')).toBe('ABC');
    expect(calls).toEqual(['abc']);
  });

  it('stays bounded: past maxEntries the oldest input is computed again', () => {
    const calls: string[] = [];
    const id = memoizeString((s: string) => (calls.push(s), s), { maxEntries: 2 });
    id('a');
    id('b');
    id('c'); // evicts 'a'
    id('b');
    id('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('does not remember inputs longer than maxKeyLength', () => {
    const calls: string[] = [];
    const id = memoizeString((s: string) => (calls.push(s), s), { maxKeyLength: 3 });
    id('abcd');
    id('abcd');
    expect(calls).toEqual(['abcd', 'abcd']);
  });
});

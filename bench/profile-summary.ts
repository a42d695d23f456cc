/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]`: the functions with the
 * most self time in a V8 CPU profile (from `node --cpu-prof`), and self time grouped by package
 * (node_modules/<name>, src/<dir>, node internals), so a run's profile can be quoted in a note.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (!us) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(node_modules|src|bench|test)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const area = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? /\/(src\/[^/]+)\//.exec(url)?.[1] ?? (url.startsWith('node:') ? 'node internals' : url ? 'other' : functionName.startsWith('(') ? functionName : 'native');
  byArea.set(area, (byArea.get(area) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
console.log('self time by area:');
for (const [k, v] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)}  ${k}`);
console.log('top functions by self time:');
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) console.log(`  ${pct(v)}  ${k}`);

/**
 * `npm run bench [-- engine|pipeline|all]`: prints figures measured in one run on this
 * machine. Compare ratios, not absolute numbers, across machines.
 */
import { cpus } from 'node:os';
import { runEngineBench } from './engine.ts';

const which = process.argv[2] ?? 'engine';
const known = ['engine', 'all'];
if (!known.includes(which)) {
  console.error(`unknown benchmark "${which}"; choose one of: ${known.join(', ')}`);
  process.exit(2);
}
console.log(`tawasul bench — node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}`);
if (which === 'engine' || which === 'all') runEngineBench({ seconds: Number(process.env.BENCH_SECONDS ?? 3) });

/**
 * `npm run bench [-- engine|pipeline|all]`: prints figures measured in one run on this
 * machine. Compare ratios, not absolute numbers, across machines.
 */
import { cpus } from 'node:os';
import { runEngineBench } from './engine.ts';
import { runPipelineBench } from './pipeline.ts';

const which = process.argv[2] ?? 'all';
const known = ['engine', 'pipeline', 'all'];
if (!known.includes(which)) {
  console.error(`unknown benchmark "${which}"; choose one of: ${known.join(', ')}`);
  process.exit(2);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 0) || undefined;
console.log(`tawasul bench — node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}`);
if (which === 'engine' || which === 'all') await runEngineBench({ seconds: seconds ?? 3 });
if (which === 'pipeline' || which === 'all') {
  await runPipelineBench({ seconds: seconds ?? 8, workers: Number(process.env.BENCH_WORKERS ?? 0) });
}
process.exit(0);

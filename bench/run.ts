/**
 * `npm run bench [-- engine|pipeline|faults|all] [--prefill N] [--store sqlite|postgres|both]`: prints figures measured in one run on this
 * machine. Compare ratios, not absolute numbers, across machines. `faults` (the long fault run,
 * not part of `all`) exits non-zero when one of its checks fails.
 */
import { cpus } from 'node:os';
import { runEngineBench } from './engine.ts';
import { runPipelineBench } from './pipeline.ts';
import { runFaultBench } from './faults.ts';

const which = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'all';
const known = ['engine', 'pipeline', 'faults', 'all'];
if (!known.includes(which)) {
  console.error(`unknown benchmark "${which}"; choose one of: ${known.join(', ')}`);
  process.exit(2);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 0) || undefined;
const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const prefill = Number(flag('prefill') ?? process.env.BENCH_PREFILL ?? 20_000);
const storeChoice = flag('store') ?? process.env.BENCH_STORE ?? 'both';
const stores = storeChoice === 'both' ? (['sqlite', 'postgres'] as const) : storeChoice === 'sqlite' || storeChoice === 'postgres' ? ([storeChoice] as const) : undefined;
if (!stores) {
  console.error(`unknown store "${storeChoice}"; choose sqlite, postgres or both`);
  process.exit(2);
}
console.log(`tawasul bench — node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}`);
if (which === 'engine' || which === 'all') await runEngineBench({ seconds: seconds ?? 3 });
if (which === 'pipeline' || which === 'all') {
  await runPipelineBench({ seconds: seconds ?? 8, workers: Number(process.env.BENCH_WORKERS ?? 0), prefill, stores: [...stores] });
}
if (which === 'faults') {
  const passed = await runFaultBench({
    rate: Number(process.env.BENCH_FAULT_RATE ?? 0) || undefined,
    seconds: Number(process.env.BENCH_FAULT_SECONDS ?? 0) || undefined,
    drainSeconds: Number(process.env.BENCH_FAULT_DRAIN_SECONDS ?? 0) || undefined,
    quick: Boolean(process.env.BENCH_FAULT_QUICK),
    keep: Boolean(process.env.BENCH_FAULT_KEEP),
    ...(process.env.BENCH_FAULTS ? { faults: process.env.BENCH_FAULTS.split(',').map((k) => k.trim()) } : {}),
  });
  process.exit(passed ? 0 : 1);
}
process.exit(0);

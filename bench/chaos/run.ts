/**
 * `npm run chaos`: the reliability harness. Runs the whole hub on this machine against
 * duplicate storms, seeded faults, crashed ingesters, hostile inputs and fuzzed requests, prints what was
 * sent, stored, alerted, left stuck and lost, and exits 1 when any lead is lost, doubled or stuck or a
 * property fails.
 * Localhost only, bounded in count and time. See `npm run chaos -- --help`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { CHAOS_USAGE, type ChaosArgs, ChaosUsageError, parseChaosArgs } from './args.js';
import { type FuzzReport, fuzzRoutes, startFuzzHub } from './fuzz.js';
import { type ChaosOptions, type ChaosReport, runChaos } from './harness.js';
import { HOSTILE_DELIVERIES_PER_ROUND } from './hostile.js';
import { renderFuzz, renderRunDetail, renderRuns } from './report.js';

const started = performance.now();
const progress = (text: string) => {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[chaos ${s}s] ${text}\n`);
};

async function main(args: ChaosArgs): Promise<boolean> {
  const log: WriteStream | undefined = args.logFile ? createWriteStream(args.logFile) : undefined;
  const runs: ChaosReport[] = [];
  const fuzz: FuzzReport[] = [];
  const base: Omit<ChaosOptions, 'name' | 'deliveries' | 'faultRate' | 'recovery'> = {
    seed: args.seed,
    duplicateRate: args.duplicateRate,
    concurrency: args.concurrency,
    sources: args.sources,
    hangs: args.hangs,
    progress,
    ...(log ? { log: (line: string) => log.write(`${line}\n`) } : {}),
  };
  progress(`seed ${args.seed} (repeat this run with --seed ${args.seed})`);
  try {
    if (args.scenarios.includes('storm')) {
      runs.push(
        await runChaos({
          ...base,
          name: 'duplicate storm',
          deliveries: args.stormDeliveries,
          faultRate: 0,
          recovery: 'redrive',
        }),
      );
    }
    if (args.scenarios.includes('faults')) {
      runs.push(
        await runChaos({
          ...base,
          name: `faults ${Math.round(args.faultRate * 100)}%`,
          deliveries: args.faultDeliveries,
          faultRate: args.faultRate,
          services: args.services,
          recovery: 'redrive',
        }),
      );
    }
    if (args.scenarios.includes('crash')) {
      // Only the queue breaks: an ingester that wrote the receipt and then could not enqueue answers 5xx;
      // the platform's retry is a duplicate, so nothing but the sweeper can get the lead captured.
      runs.push(
        await runChaos({
          ...base,
          name: 'crash before enqueue',
          deliveries: args.crashDeliveries,
          faultRate: 0.3,
          services: ['sqs'],
          recovery: 'sweeper',
          sweepOlderThanMs: 5_000,
        }),
      );
    }
    if (args.scenarios.includes('hostile')) {
      // About half the deliveries are hostile cases, in whole rounds of every case; the rest are ordinary.
      const rounds = Math.max(1, Math.round(args.hostileDeliveries / 2 / HOSTILE_DELIVERIES_PER_ROUND));
      runs.push(
        await runChaos({
          ...base,
          name: 'hostile inputs',
          deliveries: Math.max(1, args.hostileDeliveries - rounds * HOSTILE_DELIVERIES_PER_ROUND),
          hostileRounds: rounds,
          faultRate: 0,
          recovery: 'redrive',
          // A poison lead fails every redrive the same way: two show it; more only take longer.
          maxRecoveryRounds: 2,
        }),
      );
    }
    if (args.scenarios.includes('fuzz')) {
      progress(`fuzz: ${args.fuzzRuns} forged and ${args.fuzzRuns} signed requests over every route`);
      const hub = await startFuzzHub(log ? { log: (line) => log.write(`${line}\n`) } : {});
      try {
        for (const family of ['forged', 'signed'] as const) {
          fuzz.push(
            await fuzzRoutes({
              url: hub.url,
              family,
              numRuns: args.fuzzRuns,
              seed: args.seed,
              receiptsCreated: () => hub.receipts.length,
            }),
          );
        }
      } finally {
        await hub.close();
      }
    }
  } finally {
    await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  }

  const out: string[] = [];
  if (runs.length > 0) out.push(renderRuns(runs), '', ...runs.map(renderRunDetail), '');
  if (fuzz.length > 0) out.push(renderFuzz(fuzz), '');
  const ok = runs.every((r) => r.ok) && fuzz.every((f) => !f.failure && f.storedByForged === 0);
  const lost = runs.reduce((n, r) => n + r.lost, 0);
  const doubled = runs.reduce((n, r) => n + r.doubled, 0);
  const stuck = runs.reduce((n, r) => n + r.stuck, 0);
  out.push(
    `${ok ? 'OK' : 'FAILED'}: lost ${lost}, doubled ${doubled}, stuck ${stuck}, seed ${args.seed}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  if (args.out)
    await writeFile(args.out, `${JSON.stringify({ seed: args.seed, ok, runs, fuzz }, null, 2)}\n`);
  return ok;
}

let args: ChaosArgs;
try {
  args = parseChaosArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ChaosUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${CHAOS_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${CHAOS_USAGE}\n`);
} else {
  const cap = setTimeout(() => {
    process.stderr.write(`chaos: over --max-seconds ${args.maxSeconds}; giving up (counts as a failure)\n`);
    process.exit(1);
  }, args.maxSeconds * 1000);
  cap.unref();
  main(args)
    .then((ok) => process.exit(ok ? 0 : 1))
    .catch((error: unknown) => {
      process.stderr.write(
        `chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}

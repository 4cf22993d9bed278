/**
 * `npm run bench`: measures the local runtime and writes bench/results.json plus a
 * table. Localhost only, bounded in time (a few minutes by default). See `npm run bench -- --help`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type BenchOptions, parseArgs, USAGE, UsageError } from './args.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { type HubProcess, startHubProcess } from './hub/client.js';
import { AWS_LIKE_TUNING, FAST_TUNING, hubOptions } from './hub/options.js';
import type { HubProcessOptions } from './hub/protocol.js';
import { idleMonthly } from './idle-cost.js';
import { runBundles } from './phases/bundles.js';
import { runCalibration, runCost } from './phases/cost.js';
import { runEndToEnd } from './phases/e2e.js';
import { runIngest } from './phases/ingest.js';
import { runSoak } from './phases/soak.js';
import { PRICES_AS_OF, PRICES_REGION, Prices } from './prices.js';
import { type CpuProfile, summariseProfile } from './profile.js';
import { renderReport } from './report.js';
import { type BenchResults, evaluateTargets } from './results.js';
import { benchSources } from './sources/index.js';
import type { BenchSource } from './sources/types.js';
import { stackShape } from './stack-shape.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Leads sent one at a time to measure each handler's own compute for the Lambda duration model. */
const CALIBRATION_LEADS = 30;

const started = performance.now();
const progress = (text: string) => {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${s}s] ${text}\n`);
};

/** Run ids use letters a-h and digits only, so a token's run part never contains the 'x' separator. */
const base = [...randomBytes(4)].map((b) => 'abcdefgh'[b % 8]).join('');
let runCounter = 0;
const nextRun = () => `${base}${runCounter++}`;

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** Formats the results file the way `npm run lint` expects it (Biome collapses short arrays). */
function formatWithBiome(file: string): void {
  if (relative(PROJECT_ROOT, file).startsWith('..')) return;
  try {
    execFileSync(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'format', '--write', file],
      { cwd: PROJECT_ROOT, stdio: 'ignore' },
    );
  } catch {
    progress(`could not format ${relative(PROJECT_ROOT, file)} with Biome; run npm run format`);
  }
}

async function withHub<T>(
  options: HubProcessOptions,
  source: BenchSource,
  work: (hub: HubProcess) => Promise<T>,
  nodeFlags: string[] = [],
  /** 'kill' drops whatever backlog the work left (ingest runs); 'stop' drains it. */
  end: 'stop' | 'kill' = 'stop',
): Promise<T> {
  const extra = source.setup ? await source.setup() : undefined;
  const hub = await startHubProcess(
    extra ? { ...options, env: { ...options.env, ...extra.env } } : options,
    nodeFlags,
  );
  try {
    return await work(hub);
  } finally {
    await (end === 'kill' ? hub.kill() : hub.stop()).catch((error: unknown) =>
      progress(`hub stop failed: ${String(error)}`),
    );
    await extra?.close();
  }
}

/** CPU profiles go under node_modules/.cache (ignored by git), one directory per run. */
async function profileDirectory(): Promise<string> {
  const root = join(PROJECT_ROOT, 'node_modules', '.cache', 'leadhub-bench');
  await mkdir(root, { recursive: true });
  return mkdtemp(join(root, 'profile-'));
}

async function main(options: BenchOptions): Promise<void> {
  const all = await benchSources();
  const sources = options.sources ? all.filter((s) => options.sources?.includes(s.name)) : all;
  if (sources.length === 0)
    throw new UsageError(`no such source; the bench knows ${all.map((s) => s.name).join(', ')}`);
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryMb: Math.round(totalmem() / 1024 / 1024),
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
      loadAverageAtEnd: [],
      gitCommit: git(['rev-parse', '--short=12', 'HEAD']),
      gitDirty: git(['status', '--porcelain']).length > 0,
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      options,
      seconds: 0,
    },
    prices: { asOf: PRICES_AS_OF, region: PRICES_REGION, table: { ...Prices } },
    ingest: [],
    endToEnd: [],
    bundles: [],
    cost: [],
    soak: [],
    targets: [],
    notes: [
      'Everything runs on this machine: the hub (HTTP server, in-process queues and bus, workers) in one Node process with dynalite in a child process of its own, the load generator and a fake Slack in another.',
      `End-to-end "fast" runs cut the queues' batching window to ${FAST_TUNING.batchWindowMs} ms (batch size ${FAST_TUNING.batchSize}); "as deployed" runs use the stack's ${AWS_LIKE_TUNING.batchWindowMs} ms window.`,
      'Ingest "ingest path only" rows acknowledge capture messages without processing them, the way separate Lambdas isolate ingest on AWS; the other rows run the whole pipeline behind the HTTP server.',
      `Prices are AWS list prices (${PRICES_REGION}) as of ${PRICES_AS_OF}, in bench/prices.ts.`,
    ],
  };
  const slack: FakeSlack = await startFakeSlack();
  const hubFor = (tuning = FAST_TUNING) => hubOptions({ sources, slackUrl: slack.url, tuning });
  const drainTimeoutMs = options.drainTimeoutSeconds * 1000;
  const tmpDirs: string[] = [];
  try {
    if (options.phases.includes('bundles')) {
      progress('bundling every Lambda and timing its import');
      results.bundles = await runBundles({ projectRoot: PROJECT_ROOT, runs: options.initRuns });
    }

    // The idle month depends on the stack, not on a source: one synth per alarm set, with the costs.
    if (options.phases.includes('cost')) {
      progress('idle cost: synthesising the stack with each alarm set');
      results.idle = {
        lean: idleMonthly(stackShape('lean')),
        full: idleMonthly(stackShape('full')),
      };
    }
    for (const source of sources) {
      if (options.phases.includes('ingest')) {
        for (const ingestOnly of [false, true]) {
          for (const mode of ['fixed-rate', 'saturation'] as const) {
            progress(`ingest ${source.name} ${mode}${ingestOnly ? ' (ingest path only)' : ''}`);
            const result = await withHub(
              { ...hubFor(), ingestOnly },
              source,
              (hub) =>
                runIngest({
                  hub,
                  source,
                  run: nextRun(),
                  mode,
                  perSecond: options.ingestRate,
                  connections:
                    mode === 'fixed-rate' ? options.ingestConnections : options.saturationConnections,
                  durationSeconds: mode === 'fixed-rate' ? options.ingestSeconds : options.saturationSeconds,
                  drainTimeoutMs: Math.min(drainTimeoutMs, 30_000),
                }),
              [],
              'kill',
            );
            results.ingest.push({ ...result, ingestOnly });
          }
        }
      }

      if (options.phases.includes('e2e')) {
        progress(`end to end ${source.name}: ${options.leads} leads at ${options.rate}/s`);
        const profileDir = options.profile ? await profileDirectory() : undefined;
        const result = await withHub(
          hubFor(),
          source,
          (hub) =>
            runEndToEnd({
              hub,
              slack,
              source,
              run: nextRun(),
              leads: options.leads,
              perSecond: options.rate,
              waitMs: drainTimeoutMs,
            }),
          profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
        );
        results.endToEnd.push({ ...result, batching: `fast (${FAST_TUNING.batchWindowMs} ms window)` });
        if (profileDir) {
          const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
          if (file) {
            const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile;
            results.profile = {
              file: relative(PROJECT_ROOT, join(profileDir, file)),
              groups: summariseProfile(profile),
            };
          }
        }
      }

      if (options.phases.includes('cost')) {
        progress(`cost ${source.name}: calibration, ${CALIBRATION_LEADS} leads one at a time`);
        const calibration = await withHub(hubFor(), source, (hub) =>
          runCalibration({ hub, slack, source, run: nextRun(), warmup: 10, leads: CALIBRATION_LEADS }),
        );
        progress(
          `cost ${source.name}: ${options.costLeads} metered leads at ${options.costRate}/s, batching as deployed`,
        );
        const result = await withHub({ ...hubFor(AWS_LIKE_TUNING), meter: true }, source, (hub) =>
          runCost({
            hub,
            slack,
            source,
            run: nextRun(),
            leads: options.costLeads,
            perSecond: options.costRate,
            modelPerSecond: options.rate,
            calibration,
          }),
        );
        results.cost.push(result);
        results.endToEnd.push({
          ...result.endToEnd,
          batching: `as deployed (${AWS_LIKE_TUNING.batchWindowMs} ms window), metered`,
        });
      }

      // The soak is about the runtime's memory, not a source: one source's traffic (the first) is enough.
      if (options.phases.includes('soak') && source === sources[0]) {
        progress(
          `soak ${source.name}: ${options.soakSeconds} s at ${options.soakRate}/s (${options.soakStore} store)`,
        );
        const dataDir =
          options.soakStore === 'file' ? await mkdtemp(join(tmpdir(), 'leadhub-bench-')) : undefined;
        if (dataDir) tmpDirs.push(dataDir);
        const hubOpts = hubOptions({
          sources,
          slackUrl: slack.url,
          tuning: FAST_TUNING,
          ...(dataDir ? { dataDir } : {}),
        });
        const result = await withHub(hubOpts, source, (hub) =>
          runSoak({
            hub,
            slack,
            source,
            run: nextRun(),
            seconds: options.soakSeconds,
            perSecond: options.soakRate,
            store: options.soakStore,
          }),
        );
        results.soak.push(result);
      }
    }
  } finally {
    await slack.close();
    for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
  }

  const missing = ['meta', 'linkedin', 'tiktok', 'google'].filter(
    (name) => !all.some((s) => s.name === name),
  );
  if (missing.length > 0) {
    results.notes.push(
      `Not benchmarked yet: ${missing.join(', ')}. A source joins with one adapter in bench/sources/ once its webhook route exists.`,
    );
  }
  results.targets = evaluateTargets(results);
  results.meta.seconds = Math.round((performance.now() - started) / 1000);
  results.meta.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const out = resolve(PROJECT_ROOT, options.out);
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  formatWithBiome(out);
  process.stdout.write(
    `${renderReport(results)}\n\nresults: ${relative(process.cwd(), out)} (${results.meta.seconds} s)\n`,
  );
}

let options: BenchOptions;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  main(options).catch((error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}

import { FAULT_SERVICES, type FaultService } from './faults.js';
import { CHAOS_SOURCES, type ChaosSourceName } from './sources.js';

export const CHAOS_SCENARIOS = ['storm', 'faults', 'crash', 'hostile', 'fuzz'] as const;
export type ChaosScenario = (typeof CHAOS_SCENARIOS)[number];

export interface ChaosArgs {
  help: boolean;
  scenarios: ChaosScenario[];
  /** Seed of every random choice (faults, duplicates, fuzz cases); printed so a run can be repeated. */
  seed: number;
  stormDeliveries: number;
  faultDeliveries: number;
  crashDeliveries: number;
  /** Deliveries of the hostile scenario in all: about half hostile cases, the rest ordinary leads. */
  hostileDeliveries: number;
  duplicateRate: number;
  concurrency: number;
  faultRate: number;
  services: FaultService[];
  sources: ChaosSourceName[];
  hangs: boolean;
  fuzzRuns: number;
  /** Hard cap on the whole run; past it the run fails. */
  maxSeconds: number;
  /** Write the hub's log lines here (default: dropped). */
  logFile?: string;
  /** Write the reports as JSON here. */
  out?: string;
}

export const CHAOS_USAGE = `usage: npm run chaos -- [options]

Reliability harness: runs the whole hub on this machine (localhost only) and checks
that no accepted lead is lost or doubled. Exits 1 when anything is lost, doubled, stuck (left pending,
in a DLQ or in quarantine), or when a fuzz property fails.

scenarios (default all): --scenarios storm,faults,crash,hostile,fuzz
  storm   duplicate storm: deliveries with 30% duplicates from five sources, no faults
  faults  the same under a seeded share of failing or timing-out calls to DynamoDB, SQS,
          EventBridge, Secrets Manager, the platform APIs and Slack; then DLQ redrive and sweeps
  crash   ingesters that die between the receipt write and the enqueue; only the sweeper recovers
  hostile ordinary deliveries mixed with what an attacker or a broken website sends: control bytes
          and bidi overrides in values, huge headers, submission ids reused across forms, re-sent or
          claimed first by someone else, oversized and control-character TikTok and Meta answers
  fuzz    fast-check on every HTTP route: forged and signed-but-malformed requests

options:
  --seed N                 seed (default: random, printed)
  --storm-deliveries N     default 5000
  --fault-deliveries N     default 600
  --crash-deliveries N     default 300
  --hostile-deliveries N   default 400 (at least one round of every hostile case)
  --duplicates R           share of duplicate deliveries, default 0.3
  --concurrency N          deliveries in flight, default 50
  --fault-rate R           share of calls that fail, default 0.2
  --services a,b           services to break (${FAULT_SERVICES.join(', ')}), default all
  --sources a,b            sources to mix (${CHAOS_SOURCES.join(', ')}), default all
  --no-hangs               no hanging platform reads or Slack posts (faster)
  --fuzz-runs N            requests per fuzz family, default 1000
  --max-seconds N          fail the run past this, default 1200
  --log FILE               write the hub's log lines to FILE
  --out FILE               write the reports as JSON to FILE
  --help`;

export class ChaosUsageError extends Error {
  override name = 'ChaosUsageError';
}

const DEFAULTS: Omit<ChaosArgs, 'seed'> = {
  help: false,
  scenarios: [...CHAOS_SCENARIOS],
  stormDeliveries: 5000,
  faultDeliveries: 600,
  crashDeliveries: 300,
  hostileDeliveries: 400,
  duplicateRate: 0.3,
  concurrency: 50,
  faultRate: 0.2,
  services: [...FAULT_SERVICES],
  sources: [...CHAOS_SOURCES],
  hangs: true,
  fuzzRuns: 1000,
  maxSeconds: 1200,
};

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = items.filter((v) => !allowed.includes(v as T));
  if (items.length === 0 || unknown.length > 0) {
    throw new ChaosUsageError(
      `${flag}: unknown ${unknown.join(', ') || '(empty)'}; one of ${allowed.join(', ')}`,
    );
  }
  return [...new Set(items)] as T[];
}

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new ChaosUsageError(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

function ratio(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max)
    throw new ChaosUsageError(`${flag} must be a number from 0 to ${max}`);
  return n;
}

/** Parses the command line; throws ChaosUsageError with a precise message on anything unknown. */
export function parseChaosArgs(
  argv: readonly string[],
  randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 31),
): ChaosArgs {
  const args: Partial<ChaosArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--')))
        throw new ChaosUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--scenarios':
        args.scenarios = list(value(), CHAOS_SCENARIOS, flag);
        break;
      case '--seed':
        args.seed = integer(value(), flag, 0, 2 ** 31 - 1);
        break;
      case '--storm-deliveries':
        args.stormDeliveries = integer(value(), flag, 1, 100_000);
        break;
      case '--fault-deliveries':
        args.faultDeliveries = integer(value(), flag, 1, 100_000);
        break;
      case '--crash-deliveries':
        args.crashDeliveries = integer(value(), flag, 1, 100_000);
        break;
      case '--hostile-deliveries':
        args.hostileDeliveries = integer(value(), flag, 1, 100_000);
        break;
      case '--duplicates':
        args.duplicateRate = ratio(value(), flag, 0.9);
        break;
      case '--concurrency':
        args.concurrency = integer(value(), flag, 1, 500);
        break;
      case '--fault-rate':
        args.faultRate = ratio(value(), flag, 0.5);
        break;
      case '--services':
        args.services = list(value(), FAULT_SERVICES, flag);
        break;
      case '--sources':
        args.sources = list(value(), CHAOS_SOURCES, flag);
        break;
      case '--no-hangs':
        args.hangs = false;
        break;
      case '--fuzz-runs':
        args.fuzzRuns = integer(value(), flag, 1, 1_000_000);
        break;
      case '--max-seconds':
        args.maxSeconds = integer(value(), flag, 10, 24 * 3600);
        break;
      case '--log':
        args.logFile = value();
        break;
      case '--out':
        args.out = value();
        break;
      default:
        throw new ChaosUsageError(`unknown argument ${arg}`);
    }
  }
  return { ...DEFAULTS, ...args, seed: args.seed ?? randomSeed() };
}

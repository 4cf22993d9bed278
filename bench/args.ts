/** Command-line options of `npm run bench` (pure, unit-tested). */

export const PHASES = ['bundles', 'ingest', 'e2e', 'cost', 'soak'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  phases: Phase[];
  /** Sources to drive (default: every source the bench knows). */
  sources?: string[];
  /** End to end: leads and their evenly paced rate. */
  leads: number;
  rate: number;
  /** Ingest: autocannon's offered rate, its connections, and the run length. */
  ingestRate: number;
  ingestConnections: number;
  ingestSeconds: number;
  /** Ingest at saturation: closed-loop connections and run length. */
  saturationConnections: number;
  saturationSeconds: number;
  /** Cost: leads metered, at a rate the metered runtime sustains (the model still prices at `rate`). */
  costLeads: number;
  costRate: number;
  /** Soak: length in seconds, rate, and store. */
  soakSeconds: number;
  soakRate: number;
  soakStore: 'memory' | 'file';
  /** Bundle imports per Lambda (the median is reported). */
  initRuns: number;
  /** Longest wait for the pipeline to finish after a load run. */
  drainTimeoutSeconds: number;
  /** Write CPU profiles of the hub process during the end-to-end run. */
  profile: boolean;
  out: string;
  help: boolean;
}

export const DEFAULTS: BenchOptions = {
  phases: [...PHASES],
  leads: 2000,
  rate: 50,
  ingestRate: 200,
  ingestConnections: 10,
  ingestSeconds: 10,
  saturationConnections: 16,
  saturationSeconds: 10,
  costLeads: 500,
  costRate: 20,
  soakSeconds: 60,
  soakRate: 10,
  soakStore: 'file',
  initRuns: 5,
  drainTimeoutSeconds: 120,
  profile: false,
  out: 'bench/results.json',
  help: false,
};

export const USAGE = `npm run bench [-- options]

  --only <phases>          comma-separated: ${PHASES.join(', ')} (default: all)
  --source <names>         comma-separated sources (default: all the bench knows)
  --leads <n>              end-to-end leads (default ${DEFAULTS.leads}, at least 2000 for the report)
  --rate <n>               end-to-end offered rate, leads/s; also the rate the cost model prices at (default ${DEFAULTS.rate})
  --ingest-rate <n>        ingest fixed offered rate, requests/s (default ${DEFAULTS.ingestRate})
  --ingest-connections <n> connections of the fixed-rate run (default ${DEFAULTS.ingestConnections})
  --ingest-seconds <n>     length of the fixed-rate run (default ${DEFAULTS.ingestSeconds})
  --connections <n>        connections of the saturation run (default ${DEFAULTS.saturationConnections})
  --saturation-seconds <n> length of the saturation run (default ${DEFAULTS.saturationSeconds})
  --cost-leads <n>         leads metered for the cost model (default ${DEFAULTS.costLeads})
  --cost-rate <n>          rate of the metered run, leads/s (default ${DEFAULTS.costRate})
  --soak <seconds>         soak length (default ${DEFAULTS.soakSeconds}; 600 for the 10-minute soak)
  --soak-rate <n>          soak rate, leads/s (default ${DEFAULTS.soakRate})
  --soak-store <kind>      file (default: data on disk, so RSS shows leaks, not data) or memory
  --init-runs <n>          fresh-process imports per Lambda bundle (default ${DEFAULTS.initRuns})
  --drain-timeout <s>      longest wait for the pipeline after a load run (default ${DEFAULTS.drainTimeoutSeconds})
  --profile                CPU-profile the hub process during the end-to-end run
  --out <file>             results file (default ${DEFAULTS.out})
  --help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const NUMERIC: Record<string, keyof BenchOptions> = {
  '--leads': 'leads',
  '--rate': 'rate',
  '--ingest-rate': 'ingestRate',
  '--ingest-connections': 'ingestConnections',
  '--ingest-seconds': 'ingestSeconds',
  '--connections': 'saturationConnections',
  '--saturation-seconds': 'saturationSeconds',
  '--cost-leads': 'costLeads',
  '--cost-rate': 'costRate',
  '--soak': 'soakSeconds',
  '--soak-rate': 'soakRate',
  '--init-runs': 'initRuns',
  '--drain-timeout': 'drainTimeoutSeconds',
};

/** Parses argv (without node and the script); throws UsageError on anything it does not know. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS, phases: [...DEFAULTS.phases] };
  const args = argv.flatMap((a) => (a.startsWith('--') && a.includes('=') ? a.split(/=(.*)/s, 2) : [a]));
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] as string;
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const numericKey = NUMERIC[flag];
    if (numericKey) {
      const raw = value();
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0)
        throw new UsageError(`${flag} must be a positive number, got ${raw}`);
      (options as unknown as Record<string, number>)[numericKey] = n;
      continue;
    }
    switch (flag) {
      case '--only': {
        const phases = value().split(',').filter(Boolean);
        const unknown = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
        if (unknown.length > 0 || phases.length === 0) {
          throw new UsageError(`--only takes ${PHASES.join(', ')}; got ${unknown.join(', ') || 'nothing'}`);
        }
        options.phases = PHASES.filter((p) => phases.includes(p));
        break;
      }
      case '--source':
        options.sources = value().split(',').filter(Boolean);
        break;
      case '--soak-store': {
        const v = value();
        if (v !== 'memory' && v !== 'file') throw new UsageError('--soak-store is memory or file');
        options.soakStore = v;
        break;
      }
      case '--profile':
        options.profile = true;
        break;
      case '--out':
        options.out = value();
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  for (const key of [
    'leads',
    'costLeads',
    'ingestConnections',
    'saturationConnections',
    'initRuns',
  ] as const) {
    if (!Number.isInteger(options[key])) throw new UsageError(`${key} must be a whole number`);
  }
  return options;
}

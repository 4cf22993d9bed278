import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/hub-function.js';
import { median, round } from '../stats.js';

const run = promisify(execFile);

export interface BundleResult {
  fn: string;
  /** index.mjs, minified, without its source map. */
  bytes: number;
  gzipBytes: number;
  /** Median time of `await import(bundle)` in a fresh Node process, ms. */
  initMs: number;
  initRunsMs: number[];
  /** The external packages the bundle imports (the Lambda runtime's @aws-sdk/*) and their import time alone. */
  externals: string[];
  externalsInitMs: number;
  /** What fills the bundle: the biggest packages (or project folders), bytes in the output. */
  largestInputs: { input: string; bytes: number }[];
}

/** Node code that times the import of its arguments, in order, and prints the milliseconds. */
const PROBE = `const t = performance.now(); for (const m of process.argv.slice(1)) await import(m); process.stdout.write(String(performance.now() - t));`;

/** The package (or project folder) an esbuild input path belongs to. */
export function inputGroup(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  return path.split('/').slice(0, 2).join('/');
}

function largestInputs(metafile: Metafile, top: number): { input: string; bytes: number }[] {
  const groups = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const group = inputGroup(input);
      groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
    }
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([input, bytes]) => ({ input, bytes }));
}

/**
 * Bundles every Lambda entry point (functions/*.ts) with the options of infra/constructs/hub-function.ts
 * (ESM, minified, node24, the createRequire banner, @aws-sdk/* external as on the nodejs24.x runtime),
 * then imports each bundle in `runs` fresh Node processes. Bundles go under node_modules/.cache so that
 * the external @aws-sdk/* packages resolve the way the Lambda runtime provides them.
 */
export async function runBundles(options: { projectRoot: string; runs: number }): Promise<BundleResult[]> {
  const root = resolve(options.projectRoot);
  const outRoot = join(root, 'node_modules', '.cache', 'leadhub-bench', 'bundles');
  await rm(outRoot, { recursive: true, force: true });
  const entries = (await readdir(join(root, 'functions'))).filter((f) => f.endsWith('.ts')).sort();
  const results: BundleResult[] = [];
  // Every bundle imports much the same runtime-provided packages: time each set once.
  const externalsMs = new Map<string, number>();
  for (const entry of entries) {
    const fn = entry.replace(/\.ts$/, '');
    const outdir = join(outRoot, fn);
    await mkdir(outdir, { recursive: true });
    const outfile = join(outdir, 'index.mjs');
    const built = await build({
      entryPoints: [join(root, 'functions', entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      sourcemap: true,
      mainFields: ['module', 'main'],
      banner: { js: ESM_REQUIRE_BANNER },
      external: ['@aws-sdk/*'],
      metafile: true,
      logLevel: 'silent',
    });
    // The Lambda reads its config next to index.mjs at the first event, not at import; a copy keeps the
    // bundle directory shaped like the deployed one.
    await writeFile(join(outdir, 'leadhub.config.json'), '{}\n');
    const { bytes, gzipBytes } = await sizes(outfile);
    const initRunsMs: number[] = [];
    for (let i = 0; i < options.runs; i++)
      initRunsMs.push(await timeImport([pathToFileURL(outfile).href], outdir));
    const externals = externalImports(built.metafile);
    const externalsKey = externals.join(' ');
    if (!externalsMs.has(externalsKey)) {
      const runsMs: number[] = [];
      for (let i = 0; i < options.runs && externals.length > 0; i++)
        runsMs.push(await timeImport(externals, outdir));
      externalsMs.set(externalsKey, runsMs.length > 0 ? round(median(runsMs)) : 0);
    }
    results.push({
      fn,
      bytes,
      gzipBytes,
      initMs: round(median(initRunsMs)),
      initRunsMs: initRunsMs.map((ms) => round(ms)),
      externals,
      externalsInitMs: externalsMs.get(externalsKey) ?? 0,
      largestInputs: largestInputs(built.metafile, 5),
    });
  }
  return results;
}

/** Packages the bundle leaves to the runtime, in the order it imports them. */
function externalImports(metafile: Metafile): string[] {
  const names: string[] = [];
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !imported.path.startsWith('node:') && !names.includes(imported.path)) {
        names.push(imported.path);
      }
    }
  }
  return names;
}

async function sizes(file: string): Promise<{ bytes: number; gzipBytes: number }> {
  const content = await readFile(file);
  return { bytes: content.length, gzipBytes: gzipSync(content).length };
}

/** One fresh Node 24 process (this one's binary) importing `modules` from `cwd`; a Lambda's environment. */
async function timeImport(modules: readonly string[], cwd: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE, ...modules], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      POWERTOOLS_SERVICE_NAME: 'leadhub',
      LEADHUB_CONFIG: 'leadhub.config.json',
      TABLE_NAME: 'leadhub',
      EVENT_BUS_NAME: 'leadhub',
      LEADHUB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
      CAPTURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
    },
    timeout: 60_000,
  });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`import probe printed ${JSON.stringify(stdout.slice(0, 200))}`);
  return ms;
}

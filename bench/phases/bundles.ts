import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_DATA,
  ESM_REQUIRE_BANNER,
  type HubFunctionName,
} from '../../infra/constructs/hub-function.js';
import { PHONE_METADATA_FILES } from '../../lib/lead/phone-metadata.js';
import { EMAIL_DOMAINS_FILE } from '../../lib/scoring/email-domains.js';
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
  /** External packages the bundle imports statically, so at module init, and their import time alone. */
  externals: string[];
  externalsInitMs: number;
  /** The @aws-sdk/* packages the bundle imports dynamically: the AWS adapters load them on first use. */
  sdkOnFirstCall: string[];
  /** Median time to import those in a fresh process that has imported the bundle: what first calls add, ms. */
  sdkFirstCallMs: number;
  /** Files shipped beside index.mjs (the config aside), and the median time to load each at first use. */
  dataFiles: { name: string; bytes: number; loadMs: number }[];
  /** What fills the bundle: the biggest packages (or project folders), bytes in the output. */
  largestInputs: { input: string; bytes: number }[];
}

/**
 * Node code that imports its first argument (untimed unless it is '-'), then times the import of the
 * others, in order, and prints the milliseconds: with the bundle first, what its first calls add.
 */
const PROBE = `const [first, ...rest] = process.argv.slice(1); if (first !== '-') await import(first); const t = performance.now(); for (const m of rest) await import(m); process.stdout.write(String(performance.now() - t));`;

/** For each data file, the module and export that load it, so its load time is measured on the real code. */
const DATA_LOADERS: Record<string, { module: string; exportName: string }> = {
  [EMAIL_DOMAINS_FILE]: { module: 'lib/scoring/email-domains.ts', exportName: 'loadEmailDomainLists' },
  [PHONE_METADATA_FILES.min]: { module: 'lib/lead/phone-metadata.ts', exportName: 'readPhoneMetadataFile' },
  [PHONE_METADATA_FILES.max]: { module: 'lib/lead/phone-metadata.ts', exportName: 'readPhoneMetadataFile' },
};

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
 * (ESM, minified, node24, the createRequire banner, @aws-sdk/* external as on the nodejs24.x runtime, the
 * data files of BUNDLE_DATA beside the bundle with their packages external), then imports each bundle in
 * `runs` fresh Node processes; then, in as many more, the SDK packages it loads on first use, and times
 * the loading of each data file. Bundles go under node_modules/.cache so that the external @aws-sdk/*
 * packages resolve the way the Lambda runtime provides them.
 */
export async function runBundles(options: { projectRoot: string; runs: number }): Promise<BundleResult[]> {
  const root = resolve(options.projectRoot);
  const outRoot = join(root, 'node_modules', '.cache', 'leadhub-bench', 'bundles');
  await rm(outRoot, { recursive: true, force: true });
  const entries = (await readdir(join(root, 'functions'))).filter((f) => f.endsWith('.ts')).sort();
  const results: BundleResult[] = [];
  // Every bundle imports much the same runtime-provided packages: time each set once.
  const externalsMs = new Map<string, number>();
  const dataLoadMs = new Map<string, number>();
  for (const entry of entries) {
    const fn = entry.replace(/\.ts$/, '');
    const data = BUNDLE_DATA[fn as HubFunctionName] ?? [];
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
      external: ['@aws-sdk/*', ...data.flatMap((d) => d.packages)],
      metafile: true,
      logLevel: 'silent',
    });
    // The Lambda reads its config next to index.mjs at the first event, not at import; a copy keeps the
    // bundle directory shaped like the deployed one.
    await writeFile(join(outdir, 'leadhub.config.json'), '{}\n');
    const dataFiles: BundleResult['dataFiles'] = [];
    for (const d of data) {
      const file = join(outdir, d.fileName);
      d.write(file);
      if (!dataLoadMs.has(d.fileName))
        dataLoadMs.set(d.fileName, await timeDataLoad(root, outRoot, file, options.runs));
      dataFiles.push({
        name: d.fileName,
        bytes: (await stat(file)).size,
        loadMs: dataLoadMs.get(d.fileName) ?? 0,
      });
    }
    const { bytes, gzipBytes } = await sizes(outfile);
    const bundleUrl = pathToFileURL(outfile).href;
    const initRunsMs: number[] = [];
    for (let i = 0; i < options.runs; i++) initRunsMs.push(await timeImport(['-', bundleUrl], outdir));
    const externals = externalImports(built.metafile, 'static');
    const externalsKey = externals.join(' ');
    if (!externalsMs.has(externalsKey)) {
      const runsMs: number[] = [];
      for (let i = 0; i < options.runs && externals.length > 0; i++)
        runsMs.push(await timeImport(['-', ...externals], outdir));
      externalsMs.set(externalsKey, runsMs.length > 0 ? round(median(runsMs)) : 0);
    }
    const sdkOnFirstCall = externalImports(built.metafile, 'dynamic').filter((p) =>
      p.startsWith('@aws-sdk/'),
    );
    const sdkRunsMs: number[] = [];
    for (let i = 0; i < options.runs && sdkOnFirstCall.length > 0; i++)
      sdkRunsMs.push(await timeImport([bundleUrl, ...sdkOnFirstCall], outdir));
    results.push({
      fn,
      bytes,
      gzipBytes,
      initMs: round(median(initRunsMs)),
      initRunsMs: initRunsMs.map((ms) => round(ms)),
      externals,
      externalsInitMs: externalsMs.get(externalsKey) ?? 0,
      sdkOnFirstCall,
      sdkFirstCallMs: sdkRunsMs.length > 0 ? round(median(sdkRunsMs)) : 0,
      dataFiles,
      largestInputs: largestInputs(built.metafile, 5),
    });
  }
  return results;
}

/**
 * Packages the bundle leaves to the runtime, in the order it imports them: statically (loaded at module
 * init) or by dynamic import (loaded when the code that imports them first runs).
 */
function externalImports(metafile: Metafile, how: 'static' | 'dynamic'): string[] {
  const names: string[] = [];
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      const dynamic = imported.kind === 'dynamic-import';
      if (
        imported.external &&
        dynamic === (how === 'dynamic') &&
        !imported.path.startsWith('node:') &&
        !names.includes(imported.path)
      ) {
        names.push(imported.path);
      }
    }
  }
  return names;
}

/**
 * Median time, over `runs` fresh processes, of loading a data file with the code the function uses for it
 * (bundled once into a probe next to the bundles).
 */
async function timeDataLoad(root: string, outRoot: string, file: string, runs: number): Promise<number> {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const loader = DATA_LOADERS[name];
  if (!loader) throw new Error(`no loader known for the data file ${name}: add it to DATA_LOADERS`);
  const probe = join(outRoot, `load-${name}.mjs`);
  await build({
    stdin: {
      contents: [
        `import { ${loader.exportName} as load } from ${JSON.stringify(join(root, loader.module))};`,
        'const t = performance.now(); load(process.argv[2]); process.stdout.write(String(performance.now() - t));',
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: probe,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(await timeScript(probe, [file], outRoot));
  return round(median(runsMs));
}

async function sizes(file: string): Promise<{ bytes: number; gzipBytes: number }> {
  const content = await readFile(file);
  return { bytes: content.length, gzipBytes: gzipSync(content).length };
}

/** One fresh Node 24 process (this one's binary) running PROBE on `modules` from `cwd`; a Lambda's environment. */
async function timeImport(modules: readonly string[], cwd: string): Promise<number> {
  return timeNode(['--input-type=module', '-e', PROBE, ...modules], cwd);
}

/** One fresh Node process running a script that prints the milliseconds it measured. */
async function timeScript(script: string, args: readonly string[], cwd: string): Promise<number> {
  return timeNode([script, ...args], cwd);
}

async function timeNode(args: readonly string[], cwd: string): Promise<number> {
  const { stdout } = await run(process.execPath, args, {
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
      LEADHUB_SECRET_ARNS: '{}',
      CAPTURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
    },
    timeout: 60_000,
  });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`import probe printed ${JSON.stringify(stdout.slice(0, 200))}`);
  return ms;
}

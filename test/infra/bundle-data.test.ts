import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_DATA,
  BUNDLED_CONFIG_NAME,
  configCopyHooks,
  ESM_REQUIRE_BANNER,
  HubFunction,
  type HubFunctionName,
} from '../../infra/constructs/hub-function.js';
import { PROJECT_ROOT } from '../../infra/stacks/leadhub-stack.js';
import { EMAIL_DOMAIN_PACKAGES, EMAIL_DOMAINS_FILE } from '../../lib/scoring/email-domains.js';

const workDir = mkdtempSync(join(tmpdir(), 'leadhub-bundle-data-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('data files beside a bundle', () => {
  it('copies each data file after the config, quoting paths, and makes them only when bundling', () => {
    let made = 0;
    const hooks = configCopyHooks('/repo/config.json', () => {
      made++;
      return ["/cache/it's.br"];
    });
    expect(made).toBe(0);
    expect(hooks.afterBundling('/in', '/asset out')).toEqual([
      `cp '/repo/config.json' '/asset out/${BUNDLED_CONFIG_NAME}'`,
      `cp '/cache/it'\\''s.br' '/asset out/'`,
    ]);
    expect(made).toBe(1);
  });

  it('ships the email domain lists, without their packages, with the enrich worker only', () => {
    const withLists = Object.entries(BUNDLE_DATA).filter(([, data]) =>
      data?.some((d) => d.fileName === EMAIL_DOMAINS_FILE),
    );
    expect(withLists.map(([fn]) => fn)).toEqual(['enrich-worker']);
    expect(BUNDLE_DATA['enrich-worker']?.find((d) => d.fileName === EMAIL_DOMAINS_FILE)?.packages).toEqual(
      EMAIL_DOMAIN_PACKAGES,
    );
  });

  // Real CDK bundling of a function that classifies email domains, in a throwaway project.
  it('bundles enrich-worker without the list packages, and it classifies from the data file', () => {
    const root = join(workDir, 'project');
    mkdirSync(join(root, 'functions'), { recursive: true });
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion": 3}');
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
    const enrich = join(PROJECT_ROOT, 'lib', 'scoring', 'enrich.ts');
    writeFileSync(
      join(root, 'functions', 'enrich-worker.ts'),
      `import { classifyEmailDomain } from ${JSON.stringify(enrich)};\n` +
        `export const handler = async () => ['x.mailinator.com', 'gmail.com', 'acme.io'].map((d) => classifyEmailDomain(d));\n`,
    );
    const config = join(workDir, 'config.json');
    writeFileSync(config, '{}');
    const outdir = join(workDir, 'cdk.out');
    const app = new App({ outdir });
    new HubFunction(new Stack(app, 'Bundled', { env: { region: 'us-east-1' } }), 'Fn', {
      name: 'enrich-worker',
      projectRoot: root,
      configFile: config,
      timeout: Duration.seconds(10),
    });
    app.synth();

    const [assetDir] = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const asset = join(outdir, assetDir as string);
    expect(existsSync(join(asset, EMAIL_DOMAINS_FILE))).toBe(true);
    const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // mailchecker's list starts with this domain; as code it would be in the bundle.
    expect(code).not.toContain('0-00.usa.cc');
    expect(code.length).toBeLessThan(400_000);
    // The packages cannot be found from the bundle's directory, as on Lambda: only the file can answer.
    for (const pkg of EMAIL_DOMAIN_PACKAGES) {
      expect(() => createRequire(join(asset, 'index.mjs')).resolve(pkg)).toThrow();
    }
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(JSON.stringify(await m.handler()))`,
      ],
      { encoding: 'utf8', cwd: asset },
    );
    expect(JSON.parse(out)).toEqual(['disposable', 'free', 'corporate']);
  });
});

describe('every function bundle', () => {
  // esbuild hoists a static import of an external package to the top of the bundle, where it runs at
  // module init; the AWS adapters import the SDK dynamically so that only a first call loads it. And a
  // bundle whose code reads a data file must ship it: its fallback, the package, is not in the bundle.
  it('imports no @aws-sdk package statically, and ships every data file its code reads', async () => {
    const entries = readdirSync(join(PROJECT_ROOT, 'functions')).filter((f) => f.endsWith('.ts'));
    expect(entries.length).toBeGreaterThan(5);
    const allData = [
      ...new Map(
        Object.values(BUNDLE_DATA)
          .flatMap((data) => data ?? [])
          .map((d) => [d.fileName, d]),
      ).values(),
    ];
    const dynamicSdk = new Set<string>();
    for (const entry of entries) {
      const fn = entry.replace(/\.ts$/, '') as HubFunctionName;
      const data = BUNDLE_DATA[fn] ?? [];
      const { metafile } = await build({
        entryPoints: [join(PROJECT_ROOT, 'functions', entry)],
        bundle: true,
        write: false,
        outdir: join(workDir, 'probe'),
        platform: 'node',
        format: 'esm',
        target: 'node24',
        mainFields: ['module', 'main'],
        external: ['@aws-sdk/*', ...data.flatMap((d) => d.packages)],
        metafile: true,
        logLevel: 'silent',
      });
      const sdkImports = Object.values(metafile.outputs).flatMap((o) =>
        o.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')),
      );
      expect(sdkImports.filter((i) => i.kind !== 'dynamic-import').map((i) => `${entry}: ${i.path}`)).toEqual(
        [],
      );
      for (const i of sdkImports) dynamicSdk.add(i.path);
      const code = Object.values(metafile.outputs).flatMap((o) =>
        Object.entries(o.inputs)
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([path]) => path),
      );
      const needed = allData.filter((d) => code.includes(d.neededBy)).map((d) => d.fileName);
      expect(data.map((d) => d.fileName).sort(), fn).toEqual(needed.sort());
    }
    // The clients are still there, loaded on first use.
    expect([...dynamicSdk].sort()).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-eventbridge',
      '@aws-sdk/client-scheduler',
      '@aws-sdk/client-secrets-manager',
      '@aws-sdk/client-sqs',
      '@aws-sdk/lib-dynamodb',
    ]);
  });
});

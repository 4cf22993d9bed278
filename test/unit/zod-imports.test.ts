import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from '../../lib/zod.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The single module that may import zod packages: it loads zod/mini and the English messages. */
const ENTRY = 'lib/zod.ts';
const ENTRY_ALLOWED = new Set(['zod/mini', 'zod/v4/locales/en.js']);

/** Every zod package specifier a source file imports, re-exports or loads dynamically. */
function zodSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](zod(?:\/[^'"]*)?)['"]/g;
  return [...source.matchAll(pattern)].map((m) => m[1] as string);
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('zod in runtime code', () => {
  it('finds every form of a zod import', () => {
    const source = [
      "import * as z from 'zod';",
      'import { z as zz } from "zod/v4";',
      "export * from 'zod/mini';",
      "const lazy = await import('zod');",
      "import 'zod/v4/locales/en.js';",
      "import { zodLike } from './zod.js';",
    ].join('\n');
    expect(zodSpecifiers(source)).toEqual(['zod', 'zod/v4', 'zod/mini', 'zod', 'zod/v4/locales/en.js']);
  });

  it('imports zod only through lib/zod.ts, and that module only zod/mini and the English locale', () => {
    // Full zod costs every Lambda bundle ~60 KB more than zod/mini; going through lib/zod.ts also
    // guarantees the English messages are loaded wherever a schema parses.
    const files = [...typeScriptFiles(join(root, 'lib')), ...typeScriptFiles(join(root, 'events'))];
    expect(files).toEqual(expect.arrayContaining(['lib/lead/model.ts', 'lib/sources/meta/parse.ts', ENTRY]));
    const offenders: string[] = [];
    for (const file of files) {
      const specifiers = zodSpecifiers(readFileSync(join(root, file), 'utf8'));
      const bad = file === ENTRY ? specifiers.filter((s) => !ENTRY_ALLOWED.has(s)) : specifiers;
      offenders.push(...bad.map((s) => `${file}: '${s}'`));
    }
    expect(offenders).toEqual([]);
  });

  it('reports issues in English, as full zod did', () => {
    const result = z.strictObject({ name: z.string().check(z.minLength(1)) }).safeParse({ name: '', x: 1 });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'Too small: expected string to have >=1 characters',
      'Unrecognized key: "x"',
    ]);
  });
});

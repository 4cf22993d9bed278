import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * Data a Lambda reads at run time (domain lists, phone metadata) ships as a brotli-compressed JSON file
 * beside its bundle rather than as bundled JavaScript: smaller, and parsed only when first used. The
 * files are written at synth (infra/constructs/hub-function.ts); outside a bundle there are none and
 * callers fall back to the npm packages the data comes from.
 */
export function encodeJsonDataFile(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  return brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      // Quality 11 saves a tenth of the size and takes 25 times as long (seconds, at every synth).
      [constants.BROTLI_PARAM_QUALITY]: 6,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
}

export function decodeJsonDataFile(file: Buffer): unknown {
  return JSON.parse(brotliDecompressSync(file).toString('utf8'));
}

export function writeJsonDataFile(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeJsonDataFile(value));
}

/**
 * The JSON in `file`, or undefined when there is no such file. A file that exists but does not decode is
 * an error, not a reason to fall back.
 */
export function readJsonDataFile(file: URL | string): unknown {
  let compressed: Buffer;
  try {
    compressed = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return decodeJsonDataFile(compressed);
}

/** Where a data file named `name` sits: in a bundle, import.meta.url is its index.mjs. */
export function bundledDataFile(name: string): URL {
  return new URL(`./${name}`, import.meta.url);
}

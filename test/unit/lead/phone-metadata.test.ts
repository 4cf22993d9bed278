import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/metadata.max.json' with { type: 'json' };
import minMetadata from 'libphonenumber-js/metadata.min.json' with { type: 'json' };
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJsonDataFile } from '../../../lib/data-file.js';
import {
  PHONE_METADATA_FILES,
  phoneMetadata,
  readPhoneMetadataFile,
  writePhoneMetadataFile,
} from '../../../lib/lead/phone-metadata.js';

const dir = mkdtempSync(join(tmpdir(), 'leadhub-phone-metadata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('phone metadata as data files', () => {
  it('holds exactly the sets libphonenumber-js ships, compressed', () => {
    for (const [set, expected, maxBytes] of [
      ['min', minMetadata, 30_000],
      ['max', maxMetadata, 60_000],
    ] as const) {
      const file = join(dir, PHONE_METADATA_FILES[set]);
      writePhoneMetadataFile(set, file);
      expect(readPhoneMetadataFile(file)).toEqual(expected);
      expect(statSync(file).size).toBeLessThan(maxBytes);
    }
  });

  it('parses with the data file as with the package', () => {
    const file = join(dir, 'max.json.br');
    writePhoneMetadataFile('max', file);
    const fromFile = readPhoneMetadataFile(file);
    if (!fromFile) throw new Error('no metadata read');
    const parsed = parsePhoneNumberFromString('+447400123456', fromFile);
    expect([parsed?.country, parsed?.getType()]).toEqual(['GB', 'MOBILE']);
  });

  it('has no file outside a bundle, where the package is used; refuses a file that is not metadata', () => {
    expect(readPhoneMetadataFile(join(dir, 'missing.json.br'))).toBeUndefined();
    expect(phoneMetadata('min')).toEqual(minMetadata);
    expect(phoneMetadata('max')).toEqual(maxMetadata);
    const other = join(dir, 'other.json.br');
    writeFileSync(other, encodeJsonDataFile({ free: [] }));
    expect(() => readPhoneMetadataFile(other)).toThrow(/not hold libphonenumber metadata/);
  });
});

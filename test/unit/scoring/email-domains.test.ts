import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import freeEmailDomains from 'free-email-domains';
import mailchecker from 'mailchecker';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJsonDataFile } from '../../../lib/data-file.js';
import {
  EMAIL_DOMAINS_FILE,
  emailDomainLists,
  loadEmailDomainLists,
  writeEmailDomainsFile,
} from '../../../lib/scoring/email-domains.js';

// The lists as the packages give them, the way enrichment read them before they became a data file.
const packageFree = new Set(freeEmailDomains.map((d) => d.toLowerCase()));
const packageDisposable = mailchecker.blacklist();

const dir = mkdtempSync(join(tmpdir(), 'leadhub-email-domains-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('email domain lists as a data file', () => {
  const file = join(dir, EMAIL_DOMAINS_FILE);
  writeEmailDomainsFile(file);

  it('holds exactly the lists of the packages, in a fraction of their size', () => {
    const lists = loadEmailDomainLists(file);
    expect(lists.free).toEqual(packageFree);
    expect(lists.disposable).toEqual(packageDisposable);
    expect(packageDisposable.size).toBeGreaterThan(10_000);
    expect(statSync(file).size).toBeLessThan(400_000);
  });

  it('falls back to the packages when there is no data file', () => {
    const lists = loadEmailDomainLists(join(dir, 'missing', EMAIL_DOMAINS_FILE));
    expect(lists.free).toEqual(packageFree);
    expect(lists.disposable).toEqual(packageDisposable);
    // Outside a bundle there is no file beside the module: the packages are used.
    expect(emailDomainLists().disposable).toEqual(packageDisposable);
  });

  it('refuses a data file that is not the lists rather than classifying with nothing', () => {
    const cut = join(dir, 'cut.json.br');
    writeFileSync(cut, encodeJsonDataFile({ free: ['a.com'], disposable: [] }).subarray(0, 10));
    expect(() => loadEmailDomainLists(cut)).toThrow();
    const other = join(dir, 'other.json.br');
    writeFileSync(other, encodeJsonDataFile({ free: [] }));
    expect(() => loadEmailDomainLists(other)).toThrow(/free and disposable/);
  });
});

import { createRequire } from 'node:module';
import { bundledDataFile, readJsonDataFile, writeJsonDataFile } from '../data-file.js';

/** The domain lists as a data file beside the enrich-worker bundle (see ../data-file.ts). */
export const EMAIL_DOMAINS_FILE = 'email-domains.json.br';

/** The npm packages the lists come from; the enrich-worker bundle leaves them out and ships the file. */
export const EMAIL_DOMAIN_PACKAGES = ['mailchecker', 'free-email-domains'] as const;

export interface EmailDomainListsData {
  /** Free-mail domains (free-email-domains), lower case. */
  free: string[];
  /** Disposable-mail domains (mailchecker's blacklist). */
  disposable: string[];
}

export interface EmailDomainLists {
  free: ReadonlySet<string>;
  disposable: ReadonlySet<string>;
}

/**
 * The lists from the packages themselves: 1.2 MB of JavaScript that is data, which is why a Lambda bundle
 * ships them as a compressed file instead. Loaded with `require` so that no bundler pulls them in.
 */
export function emailDomainListsFromPackages(): EmailDomainListsData {
  const loadPackage = createRequire(import.meta.url);
  const free = loadPackage('free-email-domains') as string[];
  const mailchecker = loadPackage('mailchecker') as { blacklist(): Set<string> };
  return { free: free.map((d) => d.toLowerCase()), disposable: [...mailchecker.blacklist()] };
}

/** Writes the data file from the installed packages (at synth, and by the bundle benchmark). */
export function writeEmailDomainsFile(path: string): void {
  writeJsonDataFile(path, emailDomainListsFromPackages());
}

/** The lists from `file` when it exists (a Lambda bundle), else from the packages (local runtime, tests). */
export function loadEmailDomainLists(file: URL | string): EmailDomainLists {
  const data =
    (readJsonDataFile(file) as Partial<EmailDomainListsData> | undefined) ?? emailDomainListsFromPackages();
  if (!Array.isArray(data.free) || !Array.isArray(data.disposable)) {
    throw new Error(`${file} does not hold the free and disposable domain lists`);
  }
  return { free: new Set(data.free), disposable: new Set(data.disposable) };
}

let lists: EmailDomainLists | undefined;

/** The lists, loaded at the first call rather than at module init. */
export function emailDomainLists(): EmailDomainLists {
  lists ??= loadEmailDomainLists(bundledDataFile(EMAIL_DOMAINS_FILE));
  return lists;
}

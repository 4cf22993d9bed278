import { createRequire } from 'node:module';
import type { MetadataJson } from 'libphonenumber-js/core';
import { bundledDataFile, readJsonDataFile, writeJsonDataFile } from '../data-file.js';

/**
 * libphonenumber's metadata sets: 'min' (83 KB) formats and checks a number against its country's
 * pattern; 'max' (157 KB) also knows which ranges are assigned and their line types.
 */
export type PhoneMetadataSet = 'min' | 'max';

/** The sets as data files beside the bundles that use them (see ../data-file.ts). */
export const PHONE_METADATA_FILES: Record<PhoneMetadataSet, string> = {
  min: 'phone-metadata.min.json.br',
  max: 'phone-metadata.max.json.br',
};

/** The set as libphonenumber-js ships it, loaded with `require` so that no bundler pulls it in. */
export function phoneMetadataFromPackage(set: PhoneMetadataSet): MetadataJson {
  return createRequire(import.meta.url)(`libphonenumber-js/metadata.${set}.json`) as MetadataJson;
}

/** Writes the set's data file from the installed package (at synth, and by the bundle benchmark). */
export function writePhoneMetadataFile(set: PhoneMetadataSet, path: string): void {
  writeJsonDataFile(path, phoneMetadataFromPackage(set));
}

/** The metadata in `file`, or undefined when there is no such file. */
export function readPhoneMetadataFile(file: URL | string): MetadataJson | undefined {
  const metadata = readJsonDataFile(file) as Partial<MetadataJson> | undefined;
  if (metadata === undefined) return undefined;
  if (typeof metadata.countries !== 'object' || typeof metadata.country_calling_codes !== 'object') {
    throw new Error(`${file} does not hold libphonenumber metadata`);
  }
  return metadata as MetadataJson;
}

const loaded: Partial<Record<PhoneMetadataSet, MetadataJson>> = {};

/**
 * The set, loaded at the first call: from its data file beside the bundle, or from the package where
 * there is none (local runtime, tests).
 */
export function phoneMetadata(set: PhoneMetadataSet): MetadataJson {
  loaded[set] ??=
    readPhoneMetadataFile(bundledDataFile(PHONE_METADATA_FILES[set])) ?? phoneMetadataFromPackage(set);
  return loaded[set];
}

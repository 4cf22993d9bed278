import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from '../lib/zod.js';
import { EventContracts, type EventDetail, type EventDetailType, EventVersions } from './contracts.js';
import {
  sampleConsentWithdrawn,
  sampleContactErased,
  sampleContactsMerged,
  sampleEnvelope,
  sampleLeadCaptured,
  sampleLeadClaimed,
  sampleLeadDeleted,
  sampleLeadDisqualified,
  sampleLeadScored,
  sampleLeadSlaBreached,
  sampleSourceConnectionFailed,
} from './samples.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where an event's published files live: `{schemas,samples}/{detail-type}.v{version}.json`. */
export function contractFileName(detailType: EventDetailType): string {
  return `${detailType}.v${EventVersions[detailType]}.json`;
}

const samples: { readonly [T in EventDetailType]: EventDetail<T> } = {
  LeadCaptured: sampleLeadCaptured,
  LeadScored: sampleLeadScored,
  LeadClaimed: sampleLeadClaimed,
  LeadDisqualified: sampleLeadDisqualified,
  LeadSlaBreached: sampleLeadSlaBreached,
  SourceConnectionFailed: sampleSourceConnectionFailed,
  LeadDeleted: sampleLeadDeleted,
  ConsentWithdrawn: sampleConsentWithdrawn,
  ContactErased: sampleContactErased,
  ContactsMerged: sampleContactsMerged,
};

/** The JSON Schema published for each event's `detail`, generated from the zod contract, and its sample. */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [detailType, schema] of Object.entries(EventContracts) as [EventDetailType, z.ZodMiniType][]) {
    const version = EventVersions[detailType];
    const jsonSchema = {
      ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }),
      $id: `https://leadhub.dev/events/${contractFileName(detailType)}`,
      title: `${detailType} v${version} (EventBridge detail, source "leadhub", detail-type "${detailType}")`,
    };
    files[`schemas/${contractFileName(detailType)}`] = `${JSON.stringify(jsonSchema, null, 2)}\n`;
  }
  for (const detailType of Object.keys(EventContracts) as EventDetailType[]) {
    files[`samples/${contractFileName(detailType)}`] =
      `${JSON.stringify(sampleEnvelope(detailType, samples[detailType]), null, 2)}\n`;
  }
  return files;
}

/** The files now in events/schemas and events/samples, as `schemas/x.json` names. */
export function publishedFiles(): string[] {
  return ['schemas', 'samples'].flatMap((dir) =>
    existsSync(join(here, dir))
      ? readdirSync(join(here, dir))
          .filter((f) => f.endsWith('.json'))
          .map((f) => `${dir}/${f}`)
      : [],
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = jsonSchemaFiles();
  for (const [name, content] of Object.entries(files)) {
    const path = join(here, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    console.log(`wrote events/${name}`);
  }
  // A version bump replaces the contract: the previous version's files go.
  for (const name of publishedFiles()) {
    if (files[name] !== undefined) continue;
    rmSync(join(here, name));
    console.log(`removed events/${name}`);
  }
}

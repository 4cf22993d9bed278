/**
 * The one zod entry point of runtime code: zod/mini (functional API, a fraction of full zod in every
 * Lambda bundle) with its English messages loaded. zod/mini ships no locale, so without this every issue
 * would read "Invalid input", and forms, webhooks and config errors show these messages to people.
 * Import as `import * as z from '<relative>/zod.js'`; test/unit/zod-imports.test.ts keeps it that way.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

/** A posted form as field name → every value it was given (checkbox groups and multi-selects repeat). */
export type FormFields = Record<string, string[]>;

export type ParseResult =
  | { ok: true; fields: FormFields }
  | { ok: false; status: 400 | 415; error: string; message: string };

const MAX_FIELDS = 200;

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function add(fields: FormFields, rawName: string, value: string): void {
  // PHP-style `interests[]` names mean the same field as `interests`.
  const name = rawName.endsWith('[]') ? rawName.slice(0, -2) : rawName;
  const list = fields[name];
  if (list) list.push(value);
  else fields[name] = [value];
}

/** Parses JSON or urlencoded bodies into one flat shape. */
export function parseFormBody(contentType: string | undefined, body: Buffer): ParseResult {
  const type = mediaType(contentType);
  const fields: FormFields = Object.create(null);
  if (type === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) add(fields, name, value);
  } else if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { ok: false, status: 400, error: 'malformed_body', message: 'Body is not valid JSON' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return {
        ok: false,
        status: 400,
        error: 'malformed_body',
        message: 'Body must be a JSON object of fields',
      };
    }
    for (const [name, value] of Object.entries(parsed)) {
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) {
        if (v === null || v === undefined) continue;
        if (typeof v === 'object') {
          return {
            ok: false,
            status: 400,
            error: 'malformed_body',
            message: `Field "${name}" must be a string, number, boolean or a list of them`,
          };
        }
        add(fields, name, String(v));
      }
    }
  } else {
    return {
      ok: false,
      status: 415,
      error: 'unsupported_media_type',
      message: 'Send application/json or application/x-www-form-urlencoded',
    };
  }
  if (Object.keys(fields).length > MAX_FIELDS) {
    return { ok: false, status: 400, error: 'too_many_fields', message: `At most ${MAX_FIELDS} fields` };
  }
  return { ok: true, fields };
}

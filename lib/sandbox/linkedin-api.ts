import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the two LinkedIn Marketing API reads LeadHub makes (a lead form response by id,
 * a lead form by id), faithful to the documented API: Bearer token, `LinkedIn-Version` (YYYYMM, sunset
 * versions answer 426) and `X-Restli-Protocol-Version: 2.0.0` required, and LinkedIn's error bodies
 * (`{"status", "serviceErrorCode", "code", "message"}`) on demand. For the demo and tests; never production.
 */

/** A lead form response as LinkedIn serves it (numbers as JSON numbers). */
export interface SandboxLinkedInResponse {
  id: string;
  owner: Record<string, string>;
  submitter?: string;
  leadType: string;
  leadMetadata?: { sponsoredLeadMetadata?: { campaign?: string } };
  versionedLeadGenFormUrn: string;
  submittedAt: number;
  testLead: boolean;
  associatedEntity?: Record<string, string>;
  formResponse: {
    consentResponses: { accepted: boolean; consentId: number }[];
    answers: {
      questionId: number;
      answerDetails:
        | { textQuestionAnswer: { answer: string } }
        | { multipleChoiceAnswer: { options: number[] } };
    }[];
  };
}

type LocalizedText = { localized: Record<string, string> };

/** One version of a lead form, as GET /rest/leadForms/{id} serves it. */
export interface SandboxLinkedInForm {
  id: number;
  versionId: number;
  name: string;
  state?: string;
  owner: Record<string, string>;
  creationLocale: { country: string; language: string };
  hiddenFields?: { name: string; value: string }[];
  content: {
    questions: {
      questionId: number;
      name: string;
      question: LocalizedText;
      predefinedField?: string;
      questionDetails:
        | { textQuestionDetails: { maxResponseLength?: number } }
        | { multipleChoiceQuestionDetails: { options: { id: number; text: LocalizedText }[] } };
      responseRequired?: boolean;
      responseEditable?: boolean;
    }[];
    legalInfo?: {
      legalInfoId: number;
      privacyPolicyUrl: string;
      legalDisclaimer?: LocalizedText;
      consents: { id: number; consent: LocalizedText; checkRequired: boolean }[];
    };
  };
}

/** The failures the sandbox can play, each with LinkedIn's own status and error body. */
export type LinkedInSandboxFailure =
  | { kind: 'token_expired' }
  | { kind: 'token_revoked' }
  | { kind: 'permission' }
  | { kind: 'not_found' }
  | { kind: 'throttle'; retryAfterSeconds?: number }
  | { kind: 'server_error'; status?: 500 | 502 | 503 | 504 }
  | { kind: 'version_sunset' }
  | { kind: 'hang' };

export interface LinkedInSandboxRequest {
  path: string;
  object?: 'lead' | 'form';
  id: string;
  status: number;
  version?: string;
  restli?: string;
}

export interface LinkedInSandboxOptions {
  /** Access tokens that may read everything. */
  tokens: readonly string[];
  forms?: SandboxLinkedInForm[];
  responses?: SandboxLinkedInResponse[];
  /** LinkedIn-Version values older than this (YYYYMM) answer 426 (default: 12 months before now). */
  oldestVersion?: string;
  port?: number;
}

export interface LinkedInSandbox {
  url: string;
  requests: LinkedInSandboxRequest[];
  addResponse(response: SandboxLinkedInResponse): void;
  /** Adds a form version; the latest version is what a read of the form serves. */
  addForm(form: SandboxLinkedInForm): void;
  removeResponse(id: string): void;
  /** Fails requests for this response or form id ('*': any) the next `times` times (default: until cleared). */
  fail(id: string, failure: LinkedInSandboxFailure, times?: number): void;
  clearFailures(): void;
  close(): Promise<void>;
}

const error = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { status, ...body },
});

function failureResponse(failure: LinkedInSandboxFailure) {
  switch (failure.kind) {
    case 'token_expired':
      return error(401, {
        serviceErrorCode: 65602,
        code: 'EXPIRED_ACCESS_TOKEN',
        message: 'The token used in the request has expired',
      });
    case 'token_revoked':
      return error(401, {
        serviceErrorCode: 65601,
        code: 'REVOKED_ACCESS_TOKEN',
        message: 'The token used in the request has been revoked by the user',
      });
    case 'permission':
      return error(403, {
        serviceErrorCode: 100,
        code: 'ACCESS_DENIED',
        message: 'Not enough permissions to access: leadFormResponses.GET.20261100',
      });
    case 'not_found':
      return error(404, { serviceErrorCode: 0, code: 'NOT_FOUND', message: 'Not Found' });
    case 'throttle':
      return error(
        429,
        {
          serviceErrorCode: 101,
          code: 'TOO_MANY_REQUESTS',
          message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
        },
        failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {},
      );
    case 'server_error':
      return error(failure.status ?? 500, { message: 'Internal Server Error' });
    case 'version_sunset':
      return error(426, { code: 'NONEXISTENT_VERSION', message: 'Requested version is not active' });
    case 'hang':
      return undefined;
  }
}

function monthsBefore(now: Date, months: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Starts the sandbox on 127.0.0.1 (a free port unless one is given). */
export async function startLinkedInSandbox(options: LinkedInSandboxOptions): Promise<LinkedInSandbox> {
  const tokens = new Set(options.tokens);
  const responses = new Map((options.responses ?? []).map((r) => [r.id, r]));
  const forms = new Map<string, SandboxLinkedInForm>();
  const addForm = (form: SandboxLinkedInForm) => {
    const current = forms.get(String(form.id));
    if (!current || current.versionId <= form.versionId) forms.set(String(form.id), form);
  };
  for (const form of options.forms ?? []) addForm(form);
  const oldest = options.oldestVersion ?? monthsBefore(new Date(), 12);
  const failures = new Map<string, { failure: LinkedInSandboxFailure; remaining: number }>();
  const requests: LinkedInSandboxRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const takeFailure = (id: string) => {
    for (const key of [id, '*']) {
      const entry = failures.get(key);
      if (!entry) continue;
      entry.remaining--;
      if (entry.remaining <= 0) failures.delete(key);
      return entry.failure;
    }
    return undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const version = req.headers['linkedin-version'] as string | undefined;
    const restli = req.headers['x-restli-protocol-version'] as string | undefined;
    const match = /^\/rest\/(leadFormResponses|leadForms)\/([^/]+)$/.exec(url.pathname);
    const id = match ? decodeURIComponent(match[2] as string) : '';
    const object = match ? (match[1] === 'leadForms' ? 'form' : 'lead') : undefined;
    const record: LinkedInSandboxRequest = {
      path: url.pathname,
      ...(object ? { object } : {}),
      id,
      status: 0,
      ...(version ? { version } : {}),
      ...(restli ? { restli } : {}),
    };
    const send = (answer: { status: number; body: unknown; headers?: Record<string, string> }) => {
      requests.push({ ...record, status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
      res.end(JSON.stringify(answer.body));
    };

    if (req.method !== 'GET' || !match) {
      return send(error(404, { message: `No virtual resource found for ${url.pathname}` }));
    }
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) {
      return send(
        error(401, {
          serviceErrorCode: 65604,
          code: 'EMPTY_ACCESS_TOKEN',
          message: 'Empty oauth2 access token',
        }),
      );
    }
    if (!version) {
      return send(
        error(400, {
          code: 'VERSION_MISSING',
          message:
            'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
        }),
      );
    }
    if (!/^\d{6}$/.test(version) || version < oldest) {
      return send(failureResponse({ kind: 'version_sunset' }) as { status: number; body: unknown });
    }
    if (restli !== '2.0.0') {
      return send(
        error(400, { code: 'ILLEGAL_ARGUMENT', message: 'X-Restli-Protocol-Version 2.0.0 is required' }),
      );
    }

    const failure = takeFailure(id);
    if (failure) {
      const answer = failureResponse(failure);
      if (!answer) {
        requests.push({ ...record, status: 0 });
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      return send(answer);
    }
    if (!tokens.has(token)) {
      return send(
        error(401, {
          serviceErrorCode: 65600,
          code: 'INVALID_ACCESS_TOKEN',
          message: 'Invalid access token',
        }),
      );
    }
    const found = object === 'lead' ? responses.get(id) : forms.get(id);
    if (!found) return send(failureResponse({ kind: 'not_found' }) as { status: number; body: unknown });
    send({ status: 200, body: found });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addResponse: (response) => void responses.set(response.id, response),
    addForm,
    removeResponse: (id) => void responses.delete(id),
    fail: (id, failure, times = Number.POSITIVE_INFINITY) =>
      void failures.set(id, { failure, remaining: times }),
    clearFailures: () => failures.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

type LoggerOptions = ConstructorParameters<typeof Logger>[0];

/** What the local runtime's parts need from a logger; the Powertools Logger satisfies it. */
export type LocalLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** A logger that drops everything (tests, and parts constructed without one). */
export const silentLog: LocalLog = { debug() {}, info() {}, warn() {}, error() {} };

const stdoutSink = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * The Powertools Logger (the same JSON lines as in Lambda), writing each line to a sink so that one
 * process can run several hubs, each with its own output (tests capture it).
 */
export class LineLogger extends Logger {
  // A plain field, not #private: the base constructor may print before this class's fields exist.
  private sink?: (line: string) => void;

  constructor(sink: (line: string) => void = stdoutSink, options?: LoggerOptions) {
    super(options);
    this.sink = sink;
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    (this.sink ?? stdoutSink)(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: LoggerOptions): Logger {
    return new LineLogger(this.sink, options);
  }
}

/** An error's name: messages can carry PII from the payload, so they are never logged. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Name and stack frames (without the message line) of an error, safe to log. */
export function errorSummary(error: unknown): { name: string; at?: string[] } {
  if (!(error instanceof Error)) return { name: typeof error };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 5)
    .map((line) => line.trim());
  return frames.length > 0 ? { name: error.name, at: frames } : { name: error.name };
}

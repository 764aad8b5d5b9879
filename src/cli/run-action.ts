import { CrmError, isCrmError, redact } from '../core/errors/index.js';

/**
 * Wraps a command's action: a user error prints its one-line `[CODE] …` message (no stack
 * trace) and sets the exit code; anything else is reported as an internal error, with the stack
 * only when CRMBRIDGE_DEBUG is set. Every line goes through `redact`.
 */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<number | undefined>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await action(...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** Prints the error and returns the exit code for it. */
export function reportError(err: unknown): number {
  if (isCrmError(err)) {
    process.stderr.write(`${err.format()}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  const internal = new CrmError('CRM_X9001', message);
  process.stderr.write(`${internal.format()}\n`);
  if (process.env.CRMBRIDGE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
  return 70;
}

/**
 * The state input of the OrderWorkflow tasks (SPEC 5): `{orderId, userId, ...}`, plus the
 * caught `error` for the compensation steps. Checked by hand rather than with zod: these are
 * two strings the state machine itself passes, and the eight task functions would otherwise
 * load zod (~40-50 ms of cold start) for nothing else. Same contract as before: `parse`
 * throws on a malformed input and keeps unknown keys.
 */
export interface TaskInput {
  orderId: string;
  userId: string;
  [key: string]: unknown;
}

export interface CompensationInput extends TaskInput {
  /** What the failing state raised (Step Functions' Catch ResultPath). */
  error?: { Error: string; Cause?: string };
}

/** A task input that does not match the contract; fails the task (no retry can fix it). */
export class TaskInputError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`Invalid task input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'TaskInputError';
  }
}

type Issues = { path: string; message: string }[];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function nonEmpty(obj: Record<string, unknown>, key: string, issues: Issues): void {
  const v = obj[key];
  if (typeof v !== 'string') issues.push({ path: key, message: 'Expected a string' });
  else if (v.length === 0) issues.push({ path: key, message: 'Must not be empty' });
}

function parseTask(value: unknown, issues: Issues): Record<string, unknown> {
  if (!isRecord(value)) {
    issues.push({ path: '', message: 'Expected an object' });
    return {};
  }
  nonEmpty(value, 'orderId', issues);
  nonEmpty(value, 'userId', issues);
  return value;
}

export const TaskInput = {
  parse(value: unknown): TaskInput {
    const issues: Issues = [];
    const input = parseTask(value, issues);
    if (issues.length > 0) throw new TaskInputError(issues);
    return { ...input } as TaskInput;
  },
};

export const CompensationInput = {
  parse(value: unknown): CompensationInput {
    const issues: Issues = [];
    const input = parseTask(value, issues);
    const { error, ...rest } = input;
    let parsedError: CompensationInput['error'];
    if (error !== undefined) {
      if (!isRecord(error)) issues.push({ path: 'error', message: 'Expected an object' });
      else {
        if (typeof error.Error !== 'string') issues.push({ path: 'error.Error', message: 'Expected a string' });
        if (error.Cause !== undefined && typeof error.Cause !== 'string')
          issues.push({ path: 'error.Cause', message: 'Expected a string' });
        // Only the two documented fields, as the zod object this replaces kept.
        parsedError = { Error: error.Error as string, ...(error.Cause !== undefined ? { Cause: error.Cause as string } : {}) };
      }
    }
    if (issues.length > 0) throw new TaskInputError(issues);
    return { ...rest, ...(parsedError ? { error: parsedError } : {}) } as CompensationInput;
  },
};

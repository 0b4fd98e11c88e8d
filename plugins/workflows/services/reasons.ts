// Why a run failed, stopped or was blocked: the sentence the API and the logs give (`reason`), and
// the same as a stable code with its values (`reason_code`, `reason_args`) so a UI can say it in
// its own language. The values an action or a person wrote (an error's message, a stop reason)
// stay as they were written.

export type ReasonCode = 'loop' | 'depth' | 'rate' | 'gone' | 'invalid_input' | 'failed' | 'failed_permanent' | 'stopped';

export interface RunReason {
  code: ReasonCode;
  args: Record<string, string | number>;
  text: string;
}

export const reasons = {
  loop: (chain: string[]): RunReason => {
    const path = chain.join(' -> ');
    return { code: 'loop', args: { chain: path }, text: `loop: this workflow is already in the chain of runs that caused the trigger (${path})` };
  },
  depth: (depth: number, limit: number): RunReason => ({
    code: 'depth',
    args: { depth, limit },
    text: `depth: the trigger was caused by a chain of ${depth} workflow runs; the limit is ${limit} (settings.workflows.maxDepth)`,
  }),
  rate: (count: number, limit: number): RunReason => ({
    code: 'rate',
    args: { count, limit },
    text: `rate: ${count} runs in the last minute; the limit is ${limit} per workflow (settings.workflows.maxRunsPerMinute)`,
  }),
  gone: (): RunReason => ({ code: 'gone', args: {}, text: 'the workflow or its version no longer exists' }),
  invalidInput: (step: string, action: string, problems: string): RunReason => ({
    code: 'invalid_input',
    args: { step, action, problems },
    text: `step ${step} (${action}): input is invalid: ${problems}`,
  }),
  failed: (step: string, action: string, attempts: number, error: string): RunReason => ({
    code: 'failed',
    args: { step, action, attempts, error },
    text: `step ${step} (${action}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error}`,
  }),
  failedPermanent: (step: string, action: string, error: string): RunReason => ({
    code: 'failed_permanent',
    args: { step, action, error },
    text: `step ${step} (${action}) failed (not retried: the error is permanent): ${error}`,
  }),
  stopped: (step: string, why: string): RunReason => ({ code: 'stopped', args: { step, why }, text: `step ${step}: ${why}` }),
};

/** A run row's reason columns (all null for none). */
export const reasonColumns = (reason: RunReason | null) => ({
  reason: reason?.text ?? null,
  reason_code: reason?.code ?? null,
  reason_args: reason ? JSON.stringify(reason.args) : null,
});

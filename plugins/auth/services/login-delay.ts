/** The progressive delay's settings (settings.auth.limits). */
export interface LoginDelaySettings {
  loginDelayAfterFailures: number;
  loginDelayInitialMs: number;
  loginDelayMaxMs: number;
}

/**
 * OWASP's progressive delay: once an account has had `loginDelayAfterFailures` failed sign-ins in
 * the failure window, each further attempt waits before its password is checked, from
 * `loginDelayInitialMs` doubling up to `loginDelayMaxMs` (0: off). It slows a guesser without ever
 * locking anyone out: the wait is bounded, and the failure window clears it. 0 when no wait is due.
 */
export function loginDelayMs(priorFailures: number, s: LoginDelaySettings): number {
  const over = priorFailures - s.loginDelayAfterFailures;
  if (over < 0 || s.loginDelayMaxMs <= 0) return 0;
  return Math.min(s.loginDelayMaxMs, s.loginDelayInitialMs * 2 ** Math.min(over, 30));
}

/** The `Login-Delay` header (seconds, like Retry-After, to the millisecond) a delayed reply carries. */
export const loginDelayHeader = (ms: number): Record<string, string> => (ms > 0 ? { 'Login-Delay': String(ms / 1000) } : {});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

import { addressKey } from 'plinth/plugin';

export interface SessionLimitSettings {
  maxConnectionsPerIp: number;
  sessionTimeoutMs: number;
  socketTimeoutMs: number;
  minDataRate: number;
}

/**
 * Whether a DATA stream is slower than the floor: after `bytes` bytes it may have taken the idle
 * timeout plus one second per `minDataRate` bytes (Postfix's smtpd_min_data_rate). Checked as
 * bytes arrive; a client that sends nothing at all meets the idle timeout instead.
 */
export function dataTooSlow(elapsedMs: number, bytes: number, s: SessionLimitSettings): boolean {
  if (s.minDataRate <= 0) return false;
  return elapsedMs > s.socketTimeoutMs + (bytes * 1000) / s.minDataRate;
}

interface Tracked {
  key: string;
  deadline: NodeJS.Timeout;
}

export interface SessionLimitsDeps {
  settings: SessionLimitSettings;
  /** Called when a session reaches its deadline. */
  onDeadline: (sessionId: string) => void;
}

/**
 * Connections per client and each session's deadline, for one receiver (one instance: the count
 * is not shared between instances). A session is admitted at connect and released when its socket
 * closes, whatever ended it.
 */
export class SessionLimits {
  private readonly perClient = new Map<string, number>();
  private readonly sessions = new Map<string, Tracked>();

  constructor(private readonly deps: SessionLimitsDeps) {}

  /** Counts the session in, or says no when its client already holds the most it may. */
  admit(sessionId: string, remoteAddress: string): boolean {
    const key = addressKey(remoteAddress); // an IPv4 address or an IPv6 /64
    const held = this.perClient.get(key) ?? 0;
    if (held >= this.deps.settings.maxConnectionsPerIp) return false;
    this.perClient.set(key, held + 1);
    const deadline = setTimeout(() => this.deps.onDeadline(sessionId), this.deps.settings.sessionTimeoutMs);
    deadline.unref();
    this.sessions.set(sessionId, { key, deadline });
    return true;
  }

  release(sessionId: string): void {
    const tracked = this.sessions.get(sessionId);
    if (!tracked) return; // refused at connect, or never reached it
    this.sessions.delete(sessionId);
    clearTimeout(tracked.deadline);
    const left = (this.perClient.get(tracked.key) ?? 1) - 1;
    if (left > 0) this.perClient.set(tracked.key, left);
    else this.perClient.delete(tracked.key);
  }

  clear(): void {
    for (const { deadline } of this.sessions.values()) clearTimeout(deadline);
    this.sessions.clear();
    this.perClient.clear();
  }
}

// The page's end of the live channel (/admin/api/live, server-sent events): one EventSource for the
// whole page, shared by every component that listens, closed when the last one stops. Every event
// comes as one generic `change` frame naming its kind (core/live.ts), so this file knows no plugin.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApi, type Loaded } from './use-api.js';

type Listener = (kind: string, data: Record<string, unknown>) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let open = false;
const openListeners = new Set<(open: boolean) => void>();

function setOpen(value: boolean): void {
  open = value;
  for (const fn of openListeners) fn(value);
}

function connect(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/admin/api/live');
  source.onopen = () => setOpen(true);
  // The browser reconnects on its own; meanwhile the pages fall back to polling.
  source.onerror = () => setOpen(false);
  source.addEventListener('change', (e) => {
    let frame: { kind?: unknown; data?: unknown };
    try {
      frame = JSON.parse((e as MessageEvent).data);
    } catch {
      return; // a malformed frame names no kind: no page could act on it
    }
    if (typeof frame?.kind !== 'string') return;
    const data = frame.data && typeof frame.data === 'object' ? (frame.data as Record<string, unknown>) : {};
    for (const fn of listeners) fn(frame.kind, data);
  });
}

function disconnect(): void {
  if (listeners.size || !source) return;
  source.close();
  source = null;
  setOpen(false);
}

/**
 * Calls `onEvent` for every live event whose kind starts with `prefix` (e.g. `robot.`); returns
 * whether the channel is open (pages poll slowly only while it is not). A superadmin's stream also
 * carries `platform` ({ kinds }): something of those kinds changed in another tenant.
 */
export function useLive(prefix: string, onEvent: (kind: string, data: Record<string, unknown>) => void): boolean {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [isOpen, setIsOpen] = useState(open);
  useEffect(() => {
    const listener: Listener = (kind, data) => {
      if (kind.startsWith(prefix)) handler.current(kind, data);
    };
    listeners.add(listener);
    openListeners.add(setIsOpen);
    setIsOpen(open);
    connect();
    return () => {
      listeners.delete(listener);
      openListeners.delete(setIsOpen);
      disconnect();
    };
  }, [prefix]);
  return isOpen;
}

export interface LiveReloadOptions {
  /** Poll every this many ms while the channel is down (and the page is visible); none while it is open. */
  pollMs?: number;
  /** Only events these facts match (e.g. this robot's); `platform` events have none and always match. */
  when?(kind: string, data: Record<string, unknown>): boolean;
  /** Also reload when a superadmin's stream says another tenant changed (pages that list every tenant's rows). */
  platform?: boolean;
  /** No reload, no polling (a refusal that asking again will not fix). */
  paused?: boolean;
}

/** A burst of events (a message and its command, a batch of mail) costs one fetch. */
const SETTLE_MS = 150;

const matches = (prefixes: readonly string[], kind: string) => prefixes.some((p) => kind.startsWith(p));

/**
 * Calls `reload` when a live event of one of `prefixes` comes (a burst coalesced into one call),
 * and polls every `pollMs` only while the channel is down. Returns whether the channel is open.
 */
export function useLiveReload(prefixes: string | readonly string[], reload: () => void, options: LiveReloadOptions = {}): boolean {
  const list = typeof prefixes === 'string' ? [prefixes] : prefixes;
  const opts = useRef(options);
  opts.current = options;
  const latest = useRef(reload);
  latest.current = reload;
  const soon = useRef<ReturnType<typeof setTimeout> | null>(null);
  const live = useLive('', (kind, data) => {
    const o = opts.current;
    if (o.paused || soon.current) return;
    const relevant =
      kind === 'platform'
        ? Boolean(o.platform) && Array.isArray(data.kinds) && data.kinds.some((k) => matches(list, String(k)))
        : matches(list, kind) && (!o.when || o.when(kind, data));
    if (!relevant) return;
    soon.current = setTimeout(() => {
      soon.current = null;
      latest.current();
    }, SETTLE_MS);
  });
  useEffect(() => () => clearTimeout(soon.current ?? undefined), []);
  const { pollMs, paused } = options;
  useEffect(() => {
    if (live || paused || !pollMs) return;
    const timer = setInterval(() => {
      if (!document.hidden) latest.current();
    }, pollMs);
    return () => clearInterval(timer);
  }, [live, paused, pollMs]);
  return live;
}

/** The browser's time zone (IANA): daily charts count days in it, as lists show times in it. */
export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** useApi, fetched again on the live events of `prefixes` (see useLiveReload); `live` says whether the channel is open. */
export function useLiveApi<T>(path: string, prefixes: string | readonly string[], options: LiveReloadOptions = {}): Loaded<T> & { live: boolean } {
  const loaded = useApi<T>(path);
  const live = useLiveReload(prefixes, loaded.reload, options);
  return { ...loaded, live };
}

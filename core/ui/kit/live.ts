// The page's end of the live channel (/admin/api/live, server-sent events): one EventSource for the
// whole page, shared by every component that listens, closed when the last one stops.
import { useEffect, useRef, useState } from 'preact/hooks';

type Listener = (kind: string, data: Record<string, unknown>) => void;

const listeners = new Set<Listener>();
// `platform`: a superadmin's stream hears that something changed in other tenants (core/live.ts).
const KINDS = ['robot.presence', 'robot.message', 'robot.command', 'workflow.run', 'mail.received', 'platform'];
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
  for (const kind of KINDS) {
    source.addEventListener(kind, (e) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse((e as MessageEvent).data);
      } catch {
        /* a malformed frame says only that something changed */
      }
      for (const fn of listeners) fn(kind, data);
    });
  }
}

function disconnect(): void {
  if (listeners.size || !source) return;
  source.close();
  source = null;
  setOpen(false);
}

/**
 * Calls `onEvent` for every live event whose kind starts with `prefix` (e.g. `robot.`); returns
 * whether the channel is open (pages poll slowly only while it is not).
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
    connect();
    return () => {
      listeners.delete(listener);
      openListeners.delete(setIsOpen);
      disconnect();
    };
  }, [prefix]);
  return isOpen;
}

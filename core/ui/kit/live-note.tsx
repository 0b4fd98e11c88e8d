// Says whether a page is live (the live channel is open: changes show as they happen) or, while the
// channel is down, how it keeps up instead — so a person knows whether what they see is current.
import { tx } from './i18n.js';

export function LiveNote(props: { open: boolean; fallback: string }) {
  return (
    <span class="muted live-note" aria-live="polite" style={{ fontSize: '0.9rem' }}>
      {props.open ? tx('kit.live.open', { badge: (text: string) => <span class="badge badge-ok">{text}</span> }) : props.fallback}
    </span>
  );
}

// Says whether a page is live (the live channel is open: changes show as they happen) or, while the
// channel is down, how it keeps up instead — so a person knows whether what they see is current.

export function LiveNote(props: { open: boolean; fallback: string }) {
  return (
    <span class="muted live-note" aria-live="polite" style={{ fontSize: '0.9rem' }}>
      {props.open ? (
        <>
          <span class="badge badge-ok">live</span> changes show as they happen
        </>
      ) : (
        props.fallback
      )}
    </span>
  );
}

// A modal dialog on the native <dialog> (showModal): focus moves into it and stays there, the page
// behind is inert, Escape closes it. Render it only while it should be open; closing it (Escape,
// the × button, or the dialog's own buttons calling onClose) is the parent's cue to stop rendering it.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { t } from './i18n.js';

const FRAME = {
  width: 'min(34rem, calc(100vw - 2rem))',
  maxHeight: 'calc(100vh - 2rem)',
  overflow: 'auto',
  padding: '1.25rem 1.5rem',
  border: '1px solid var(--border)',
  borderRadius: 'var(--radius)',
  background: 'var(--surface)',
  color: 'var(--text)',
  boxShadow: '0 16px 48px rgb(16 24 40 / 22%)',
};

/** `title` names the dialog (its heading and accessible name). */
export function Dialog(props: { title: string; onClose(): void; children?: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const dialog = ref.current!;
    if (!dialog.open) dialog.showModal();
    const closed = () => onClose.current();
    dialog.addEventListener('close', closed);
    return () => {
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog ref={ref} aria-labelledby={titleId} style={FRAME}>
      <header style={{ display: 'flex', alignItems: 'center', gap: '1rem', marginBottom: '0.5rem' }}>
        <h2 id={titleId} style={{ flex: 1, margin: 0, fontSize: '1.2rem' }}>
          {props.title}
        </h2>
        <button type="button" class="secondary small" aria-label={t('kit.close')} onClick={() => ref.current?.close()}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}

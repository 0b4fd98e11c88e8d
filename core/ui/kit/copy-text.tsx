// A value shown in monospace with a Copy button: the clipboard when the browser allows it, else the
// text is selected for Ctrl+C. `big` is for a value the user came to get (a new code, a token).
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n.js';

/** `label` names what is copied, for the button's accessible name ("Copy activation code"). */
export function CopyText(props: { text: string; label: string; big?: boolean }) {
  const code = useRef<HTMLElement>(null);
  const [note, setNote] = useState('');
  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => setNote(''), 4000);
    return () => clearTimeout(timer);
  }, [note]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setNote(t('kit.copy.copied'));
    } catch {
      // No clipboard (an insecure origin, a denied permission): select the text instead.
      const range = document.createRange();
      range.selectNodeContents(code.current!);
      const selection = getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      setNote(t('kit.copy.selected'));
    }
  };

  const big = props.big
    ? {
        fontSize: '1.45rem',
        fontWeight: 600,
        letterSpacing: '0.04em',
        padding: '0.35rem 0.6rem',
        border: '1px solid var(--border)',
        borderRadius: '6px',
        background: 'var(--surface)',
      }
    : {};
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', whiteSpace: 'nowrap' }}>
      <code ref={code} style={{ userSelect: 'all', ...big }}>
        {props.text}
      </code>
      <button
        type="button"
        class={props.big ? '' : 'secondary small'}
        aria-label={t('kit.copy.label', { what: props.label })}
        onClick={copy}
        style={{ marginLeft: '0.5rem' }}
      >
        {t('kit.copy.button')}
      </button>
      {/* always rendered (an empty live region), so the note is announced when it appears */}
      <span class="muted" role="status" style={{ fontSize: '0.85rem', marginLeft: note ? '0.5rem' : 0 }}>
        {note}
      </span>
    </span>
  );
}

// Revoke, after a confirm in a dialog that asks for the reason (kept on the license).
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, t, tx } from 'plinth/plugin/ui';
import { BASE, fieldStyle, useAction } from './shared.js';

export function RevokeDialog(props: { licenseId: string; onClose(): void; onRevoked(): void }) {
  const [reason, setReason] = useState('');
  const { error, busy, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await api(`${BASE}/revoke`, { body: { license_id: props.licenseId, ...(reason.trim() ? { reason: reason.trim() } : {}) } });
      props.onRevoked();
      props.onClose();
    });
  };
  return (
    <Dialog title={t('licensing.revoke.title', { id: props.licenseId })} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p style={{ margin: '0 0 0.5rem' }}>{tx('licensing.revoke.body', { b: (text: string) => <strong>{text}</strong> })}</p>
        <ErrorBanner error={error} />
        <label for="revoke-reason">{t('licensing.revoke.reason')}</label>
        <textarea
          id="revoke-reason"
          autoFocus
          rows={2}
          maxLength={500}
          placeholder={t('licensing.revoke.reasonPlaceholder')}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
          style={{ ...fieldStyle, resize: 'vertical' }}
        />
        <div class="form-actions">
          <button type="submit" class="danger" disabled={busy}>
            {busy ? t('licensing.revoke.revoking') : t('licensing.revoke.submit')}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('licensing.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

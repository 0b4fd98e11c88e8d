// Revoke, after a confirm in a dialog that asks for the reason (kept on the license).
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner } from 'plinth/plugin/ui';
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
    <Dialog title={`Revoke ${props.licenseId}?`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p style={{ margin: '0 0 0.5rem' }}>
          Every device using this license is refused from its next check on. <strong>This cannot be undone</strong>: a customer who should keep access needs a
          new license.
        </p>
        <ErrorBanner error={error} />
        <label for="revoke-reason">Reason (kept on the license)</label>
        <textarea
          id="revoke-reason"
          autoFocus
          rows={2}
          maxLength={500}
          placeholder="e.g. refunded, chargeback, shared publicly"
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
          style={{ ...fieldStyle, resize: 'vertical' }}
        />
        <div class="form-actions">
          <button type="submit" class="danger" disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke license'}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

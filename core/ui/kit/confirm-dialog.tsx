import type { ComponentChildren } from 'preact';
import { ErrorBanner } from './components.js';
import { Dialog } from './dialog.js';
import { t } from './i18n.js';
import { useAction } from './use-action.js';

/**
 * "Are you sure?" for a destructive action, with the server's error if it fails. `explain` turns
 * an error into what the banner shows (a plugin's wording for its error codes).
 */
export function ConfirmDialog(props: {
  title: string;
  action: string;
  onConfirm(): Promise<unknown>;
  onClose(): void;
  explain?(error: Error | null): Error | string | null;
  children?: ComponentChildren;
}) {
  const { error, busy, run } = useAction();
  const confirm = async () => {
    if (await run(props.onConfirm)) props.onClose();
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      {props.children}
      <ErrorBanner error={props.explain ? props.explain(error) : error} />
      <div class="form-actions">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {busy ? t('kit.working') : props.action}
        </button>
        <button type="button" class="secondary" autoFocus onClick={props.onClose}>
          {t('kit.cancel')}
        </button>
      </div>
    </Dialog>
  );
}

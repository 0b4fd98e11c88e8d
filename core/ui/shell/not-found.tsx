import { Page } from '../kit/components.js';
import { t, tx } from '../kit/i18n.js';

export function NotFound(props: { path: string }) {
  return (
    <Page title={t('shell.notFound.title')}>
      <p>{tx('shell.notFound.text', { path: <code>{props.path}</code> })}</p>
      <p>
        <a href="/admin">{t('shell.backToStart')}</a>
      </p>
    </Page>
  );
}

/** A page that exists but is not this person's to open (their role, their plan, or not their tenant's): said plainly, nothing loads. */
export function NotAvailable(props: { title: string }) {
  return (
    <Page title={t('shell.notAvailable.title')}>
      <p role="status">{tx('shell.notAvailable.text', { page: <strong>{props.title}</strong> })}</p>
      <p>
        <a href="/admin">{t('shell.backToStart')}</a>
      </p>
    </Page>
  );
}

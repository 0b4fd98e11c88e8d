import { Page } from '../kit/components.js';

export function NotFound(props: { path: string }) {
  return (
    <Page title="Page not found">
      <p>
        There is no admin page at <code>{props.path}</code>, or you may not open it.
      </p>
      <p>
        <a href="/admin">Back to the start</a>
      </p>
    </Page>
  );
}

/** A page that exists but is not this person's to open (their role, their plan, or not their tenant's): said plainly, nothing loads. */
export function NotAvailable(props: { title: string }) {
  return (
    <Page title="Not available to you">
      <p role="status">
        <strong>{props.title}</strong> is not available to your account: your role or your plan does not include it.
      </p>
      <p>
        <a href="/admin">Back to the start</a>
      </p>
    </Page>
  );
}

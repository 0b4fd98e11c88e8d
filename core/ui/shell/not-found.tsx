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

import { Component, type ComponentChildren, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Page } from '../kit/components.js';
import { t } from '../kit/i18n.js';
import type { PluginUiModule } from '../kit/index.js';
import { NotFound } from './not-found.js';

const modules = new Map<string, Promise<PluginUiModule>>();

/** Each plugin's bundle is imported once; a failed import may be retried on the next visit. */
export function loadModule(script: string): Promise<PluginUiModule> {
  let mod = modules.get(script);
  if (!mod) {
    mod = import(script) as Promise<PluginUiModule>;
    mod.catch(() => modules.delete(script));
    modules.set(script, mod);
  }
  return mod;
}

/** Keeps a plugin page's render error inside the page, so the shell and nav stay usable. */
class Boundary extends Component<{ children: ComponentChildren }, { error: Error | null }> {
  override state = { error: null as Error | null };
  override componentDidCatch(error: Error) {
    this.setState({ error });
  }
  override render() {
    return this.state.error ? <ErrorBanner error={t('shell.plugin.pageFailed', { error: this.state.error.message })} /> : this.props.children;
  }
}

type State = { status: 'loading' } | { status: 'ready'; page: ComponentType } | { status: 'missing' } | { status: 'failed'; error: Error };

/** Renders `pages[path]` from the plugin's bundle (/admin/assets/plugins/<name>.js). */
export function PluginPage(props: { plugin: string; path: string; title: string; script: string | null; href: string }) {
  const { plugin, path, script } = props;
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    if (!script) {
      setState({ status: 'failed', error: new Error(t('shell.plugin.notBuilt', { plugin })) });
      return;
    }
    loadModule(script).then(
      (mod) => {
        if (!live) return;
        const page = mod.pages?.[path];
        setState(page ? { status: 'ready', page } : { status: 'missing' });
      },
      (error: Error) => live && setState({ status: 'failed', error: new Error(t('shell.plugin.loadFailed', { plugin, error: error.message })) }),
    );
    return () => {
      live = false;
    };
  }, [plugin, path, script]);

  switch (state.status) {
    case 'loading':
      return (
        <p class="muted" role="status">
          {t('kit.loading')}
        </p>
      );
    case 'missing':
      return <NotFound path={props.href} />;
    case 'failed':
      return (
        <Page title={props.title}>
          <ErrorBanner error={state.error} />
        </Page>
      );
    case 'ready':
      return (
        <Boundary key={props.href}>
          <state.page />
        </Boundary>
      );
  }
}

// A tiny history router for the admin shell: the path is the state; links are plain <a href>.
import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'plinth:navigate';

/** Paths the shell renders (everything under /admin except the API and the static assets). */
export function isShellPath(pathname: string): boolean {
  return (pathname === '/admin' || pathname.startsWith('/admin/')) && !pathname.startsWith('/admin/api/') && !pathname.startsWith('/admin/assets/');
}

/** `/admin/example/` and `/admin/example` are the same page. */
export function normalize(pathname: string): string {
  return pathname.length > '/admin'.length ? pathname.replace(/\/+$/, '') : pathname;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current normalized pathname; re-renders on navigate() and on back/forward. */
export function usePath(): string {
  const [path, setPath] = useState(() => normalize(location.pathname));
  useEffect(() => {
    const update = () => setPath(normalize(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

/** Turns plain left-clicks on same-origin shell links into history navigation (plugin pages included). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !isShellPath(url.pathname)) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search + url.hash);
  });
}

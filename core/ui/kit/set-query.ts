// Changing the page's query parameters from code (a <select>, after a delete), the way a link would:
// a history entry (so Back works) and the shell's navigate event, so useQueryParam readers update.

/** What the shell's router listens for (core/ui/shell/router.ts), as useQueryParam does. */
const NAVIGATE_EVENT = 'plinth:navigate';

/**
 * Sets (a string) or removes (null) query parameters of the current page, keeping the others.
 * `replace` changes the current history entry instead of adding one.
 */
export function setQueryParams(changes: Record<string, string | null>, options: { replace?: boolean } = {}): void {
  const params = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) params.delete(name);
    else params.set(name, value);
  }
  const query = params.toString();
  const to = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
  if (to === location.pathname + location.search + location.hash) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

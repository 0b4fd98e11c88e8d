import { useEffect, useState } from 'preact/hooks';

/** What the shell's router fires after a history push (core/ui/shell/router.ts). */
const NAVIGATE_EVENT = 'plinth:navigate';

const read = (name: string) => new URLSearchParams(location.search).get(name);

/**
 * One query parameter of the page's URL (null when absent), kept current as links change it, so
 * a page's state can be linked: `<a href="?tenant=…">` is followed by the shell without a reload.
 */
export function useQueryParam(name: string): string | null {
  const [value, setValue] = useState(() => read(name));
  useEffect(() => {
    const update = () => setValue(read(name));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, [name]);
  return value;
}

/**
 * A value made on first use and kept: for modules a boot does not need (a JWT library before the
 * first sign-in, the mail builder before the first outgoing mail, a CSV parser before the first
 * import). Each costs tens to hundreds of module files to load, and boot time is a figure we hold
 * (npm run bench -- boot-to-listening). `load` may return a promise (a dynamic import): the same
 * promise is then shared by every caller.
 */
export function lazy<T>(load: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = load();
      made = true;
    }
    return value;
  };
}

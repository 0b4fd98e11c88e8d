import { addressKey } from 'plinth/plugin';

/** Browsers by the token that names them, the most specific first (Edge and Opera also say Chrome, Chrome also says Safari). */
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

/** Operating systems, the most specific first (Android says Linux, iOS says like Mac OS X). */
const SYSTEMS: Array<[RegExp, string]> = [
  [/\bWindows\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\biPad\b/, 'iPadOS'],
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

/** The names a device label is made of, for a UI to put together in its own language: all null is an unknown device. */
export interface DeviceParts {
  browser: string | null;
  system: string | null;
  /** A program's name ("curl", "node") when the user agent is no browser's. */
  program: string | null;
}

/**
 * The browser and system behind a user agent, or for a program its name. Worked out when shown, so
 * it improves without touching stored rows; the user agent itself is kept as sent (at most 512 characters).
 */
export function deviceParts(userAgent: string | null | undefined): DeviceParts {
  const ua = (userAgent ?? '').trim();
  const browser = (ua && BROWSERS.find(([re]) => re.test(ua))?.[1]) || null;
  const system = browser ? (SYSTEMS.find(([re]) => re.test(ua))?.[1] ?? null) : null;
  // A program: its first product token (`curl/8.5.0` → curl).
  const program = ua && !browser ? (/^([A-Za-z][\w.-]{0,40})/.exec(ua)?.[1] ?? null) : null;
  return { browser, system, program };
}

/** What a person calls the device, in English: "Firefox on Linux", "Safari on iOS", a program's name ("curl", "node", "python-requests"). */
export function deviceLabel(userAgent: string | null | undefined): string {
  const { browser, system, program } = deviceParts(userAgent);
  if (browser) return system ? `${browser} on ${system}` : browser;
  return program ?? 'Unknown device';
}

/**
 * The network an address belongs to, for telling a new device from a known one: an IPv4 address's
 * /24 (a home line's address changes within it more often than not), an IPv6 address's /64.
 */
export function networkOf(ip: string | null | undefined): string {
  const key = addressKey(ip ?? '');
  const v4 = /^(\d+\.\d+\.\d+)\.\d+$/.exec(key);
  return v4 ? `${v4[1]}.0/24` : key;
}

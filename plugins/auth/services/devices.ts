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

export type { DeviceParts } from '../api.js';
import type { DeviceParts } from '../api.js';

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

/** How each language of the mails puts a browser and its system together, and names a device it cannot tell. */
const DEVICE_WORDS: Record<string, { on(browser: string, system: string): string; unknown: string }> = {
  en: { on: (browser, system) => `${browser} on ${system}`, unknown: 'Unknown device' },
  'zh-CN': { on: (browser, system) => `${browser}（${system}）`, unknown: '未知设备' },
};

/**
 * What a person calls the device: "Firefox on Linux", "Safari on iOS", a program's name ("curl",
 * "node", "python-requests"); in English unless a mail's `language` is asked for.
 */
export function deviceLabel(userAgent: string | null | undefined, language = 'en'): string {
  const words = DEVICE_WORDS[language] ?? DEVICE_WORDS.en;
  const { browser, system, program } = deviceParts(userAgent);
  if (browser) return system ? words.on(browser, system) : browser;
  return program ?? words.unknown;
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

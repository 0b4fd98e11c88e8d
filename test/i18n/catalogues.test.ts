import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { LANGUAGES, matchLanguage, pickLanguage } from '../../core/languages.js';
import { addMessages, formatNumber, setLanguage, t, tOr } from '../../core/ui/kit/i18n.js';

// The admin UI's catalogues (issue 40): every owner's (core/ui/messages, plugins/<name>/ui/messages)
// ships every language with the same ids, each message parses as ICU and uses the same arguments
// in every language (a translation that drops `{count}` would show a wrong sentence, not fail).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every catalogue folder: the core's and each plugin's that has one (a plugin without UI strings needs none). */
function catalogueDirs(): Array<{ owner: string; dir: string }> {
  const dirs = [{ owner: 'core', dir: path.join(root, 'core', 'ui', 'messages') }];
  for (const name of fs.readdirSync(path.join(root, 'plugins')).sort()) {
    const dir = path.join(root, 'plugins', name, 'ui', 'messages');
    if (fs.existsSync(dir)) dirs.push({ owner: name, dir });
  }
  return dirs;
}

const read = (dir: string, lang: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(dir, `${lang}.json`), 'utf8'));

interface Element {
  type: number;
  value?: string;
  options?: Record<string, { value: Element[] }>;
  children?: Element[];
}

/** The argument and tag names a message uses (plural and select branches included). */
function argumentsOf(elements: Element[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    // 0 literal, 7 pound (#): no name
    if (el.type !== 0 && el.type !== 7 && el.value) into.add(el.value);
    for (const option of Object.values(el.options ?? {})) argumentsOf(option.value, into);
    if (el.children) argumentsOf(el.children, into);
  }
  return into;
}

describe('i18n: the admin UI catalogues', () => {
  const dirs = catalogueDirs();

  it('finds the core catalogue and those of the converted plugins', () => {
    const owners = dirs.map((d) => d.owner);
    for (const owner of ['core', 'auth', 'billing', 'agents']) assert.ok(owners.includes(owner), owner);
  });

  for (const { owner, dir } of dirs) {
    describe(`${owner} (${path.relative(root, dir)})`, () => {
      it('ships every language, with the same ids in each', () => {
        const en = read(dir, 'en');
        for (const lang of LANGUAGES) {
          assert.ok(fs.existsSync(path.join(dir, `${lang}.json`)), `${lang}.json is missing`);
          const other = read(dir, lang);
          assert.deepEqual(
            Object.keys(other).filter((id) => !(id in en)),
            [],
            `ids in ${lang} but not in en`,
          );
          assert.deepEqual(
            Object.keys(en).filter((id) => !(id in other)),
            [],
            `ids in en but not in ${lang}`,
          );
        }
      });

      it("prefixes every id with its owner (kit./shell. for the core, the plugin's name for a plugin)", () => {
        const prefixes = owner === 'core' ? ['kit.', 'shell.'] : [`${owner}.`];
        const stray = Object.keys(read(dir, 'en')).filter((id) => !prefixes.some((p) => id.startsWith(p)));
        assert.deepEqual(stray, []);
      });

      it('parses every message as ICU, with the same arguments in every language, and no empty one', () => {
        const en = read(dir, 'en');
        for (const lang of LANGUAGES) {
          for (const [id, message] of Object.entries(read(dir, lang))) {
            assert.ok(message.trim(), `${lang} ${id} is empty`);
            let ast: Element[];
            try {
              ast = new IntlMessageFormat(message, lang).getAst() as unknown as Element[];
            } catch (err) {
              assert.fail(`${lang} ${id} does not parse: ${(err as Error).message}`);
            }
            const enArgs = [...argumentsOf(new IntlMessageFormat(en[id], 'en').getAst() as unknown as Element[])].sort();
            assert.deepEqual([...argumentsOf(ast)].sort(), enArgs, `${lang} ${id} uses other arguments than en`);
          }
        }
      });
    });
  }
});

describe('i18n: choosing the language and formatting', () => {
  after(() => setLanguage('en'));

  it('matches a wish to a language we ship: any Chinese to zh-CN, any English to en, others to none', () => {
    assert.equal(matchLanguage('zh-CN'), 'zh-CN');
    assert.equal(matchLanguage('zh'), 'zh-CN');
    assert.equal(matchLanguage('zh-Hans-CN'), 'zh-CN');
    assert.equal(matchLanguage('ZH_tw'), 'zh-CN');
    assert.equal(matchLanguage('en-GB'), 'en');
    assert.equal(matchLanguage('de-DE'), null);
    assert.equal(matchLanguage(''), null);
    assert.equal(matchLanguage(null), null);
  });

  it("picks the user's setting, else the browser's first language we speak, else English", () => {
    assert.equal(pickLanguage(['zh-CN', 'en-US']), 'zh-CN');
    assert.equal(pickLanguage([null, 'fr-FR', 'zh-TW', 'en']), 'zh-CN');
    assert.equal(pickLanguage([null, 'fr-FR', 'de']), 'en');
    assert.equal(pickLanguage([]), 'en');
  });

  it('formats ICU plurals, selects and numbers in the current language, falling back to English, then to the id', () => {
    addMessages({
      en: { 'kit.test.robots': '{count, plural, =0 {No robots} one {# robot} other {# robots}}', 'kit.test.only-en': 'English only' },
      'zh-CN': { 'kit.test.robots': '{count, plural, =0 {没有机器人} other {# 个机器人}}' },
    });
    setLanguage('en');
    assert.equal(t('kit.test.robots', { count: 0 }), 'No robots');
    assert.equal(t('kit.test.robots', { count: 1 }), '1 robot');
    assert.equal(t('kit.test.robots', { count: 1234 }), '1,234 robots');
    setLanguage('zh-CN');
    assert.equal(t('kit.test.robots', { count: 0 }), '没有机器人');
    assert.equal(t('kit.test.robots', { count: 1234 }), '1,234 个机器人');
    assert.equal(t('kit.loading'), '加载中…');
    assert.equal(t('kit.test.only-en'), 'English only');
    assert.equal(t('kit.test.nowhere'), 'kit.test.nowhere');
    assert.equal(tOr('kit.test.nowhere', 'From the server'), 'From the server');
    assert.equal(formatNumber(1234.5), '1,234.5');
  });
});

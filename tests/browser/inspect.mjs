// What every page of a citizen's journey is checked for, as the page stands in the
// browser: axe-core's WCAG 2.1 A and AA rules (zero violations), reflow at 320 CSS
// pixels (WCAG 1.4.10: no horizontal scrolling), and a full-page screenshot.
//
// axe is evaluated through the DevTools protocol (`page.evaluate`), which the
// page's Content-Security-Policy does not govern, so the journey itself keeps
// the strict policy a citizen's browser enforces and only the checker runs
// outside it. Problems are collected, not thrown: one run reports every page's.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const REFLOW_WIDTH = 320;

/// axe's violations on `page`, each as plain data.
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      url: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        html: n.html.slice(0, 200),
        summary: n.failureSummary,
      })),
    }));
  }, AXE_TAGS);
}

/// One violation as a person reads it.
export function describeViolation(v) {
  const nodes = v.nodes
    .map((n) => `      at ${n.target}\n        ${n.html}\n        ${(n.summary ?? '').replace(/\n/g, '\n        ')}`)
    .join('\n');
  return `    [${v.impact}] ${v.id}: ${v.help} (${v.url})\n${nodes}`;
}

/// How far the page scrolls sideways at 320 px wide, and the widest culprits;
/// the viewport is restored afterwards.
export async function overflowAt320(page) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: REFLOW_WIDTH, height: size.height });
  try {
    return await page.evaluate(() => {
      const root = document.documentElement;
      const over = root.scrollWidth - root.clientWidth;
      if (over <= 0) return { over, culprits: [] };
      const culprits = [...document.body.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5)
        // The innermost offenders say most: drop those with an offending child.
        .filter((e, _, all) => !all.some((o) => o !== e && e.contains(o)))
        .slice(0, 6)
        .map((e) => {
          const cls = e.className && typeof e.className === 'string' ? `.${e.className.trim().replace(/\s+/g, '.')}` : '';
          const text = (e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
          return `<${e.tagName.toLowerCase()}${cls}> right edge ${Math.round(e.getBoundingClientRect().right)} px: "${text}"`;
        });
      return { over, culprits };
    });
  } finally {
    await page.setViewportSize(size);
  }
}

/// The stylesheets that did not load or hold no rule (a page that looks
/// unstyled passes axe, so this is checked on its own).
async function emptyStylesheets(page) {
  return page.evaluate(() => {
    const sheets = [...document.styleSheets];
    if (sheets.length === 0) return ['the page links no stylesheet'];
    return sheets
      .filter((s) => {
        try {
          return s.cssRules.length === 0;
        } catch (_) {
          return true;
        }
      })
      .map((s) => `the stylesheet ${s.href ?? '(inline)'} has no rules`);
  });
}

/// Tell-tale English words of a user interface, matched as whole words in any
/// case. None is a Hungarian word; none is a Romanian word either, so a
/// Romanian proper name (an institution, a department) never matches.
export const ENGLISH_WORDS = [
  'the', 'and', 'with', 'for', 'of', 'to', 'this', 'here', 'you', 'your', 'please', 'must',
  'required', 'optional', 'field', 'error', 'invalid', 'not found', 'submit', 'send', 'cancel',
  'continue', 'back', 'next', 'sign in', 'sign out', 'log in', 'log out', 'sign', 'signature',
  'password', 'account', 'create', 'request', 'payment', 'pay', 'code', 'name', 'phone', 'number',
  'choose', 'upload', 'download', 'open', 'close', 'page', 'home', 'click', 'days', 'left',
];

/// What a page in `lang` shows in another language: its `lang` attribute,
/// English words and untranslated text keys (`new_request`) in its visible
/// text (and in the labels a screen reader reads: aria-label, alt, placeholder),
/// leaving out the language switch (which names "English" in English).
export async function languageProblems(page, lang) {
  const { htmlLang, text } = await page.evaluate(() => {
    let visible = document.body.innerText;
    for (const a of document.querySelectorAll('a[hreflang]')) visible = visible.replace(a.innerText, ' ');
    const labels = [...document.querySelectorAll('[aria-label], [alt], [placeholder]')].map((e) =>
      ['aria-label', 'alt', 'placeholder'].map((n) => e.getAttribute(n) ?? '').join(' '),
    );
    return { htmlLang: document.documentElement.lang, text: `${visible}\n${labels.join('\n')}` };
  });
  const found = [];
  if (htmlLang !== lang) found.push(`<html lang="${htmlLang}">, not "${lang}"`);
  const around = (i, len) => text.slice(Math.max(0, i - 30), i + len + 30).replace(/\s+/g, ' ');
  for (const word of ENGLISH_WORDS) {
    const re = new RegExp(`(?<![\\p{L}\\p{N}_])${word.replace(' ', '\\s+')}(?![\\p{L}\\p{N}_])`, 'iu');
    const m = re.exec(text);
    if (m) found.push(`English "${m[0]}" in "…${around(m.index, m[0].length)}…"`);
  }
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\p{L}\p{N}])/gu)) {
    found.push(`an untranslated key "${m[0]}" in "…${around(m.index, m[0].length)}…"`);
  }
  return found;
}

/// The checker of one journey: `watch(page)` records the page's subresources
/// that fail (a stylesheet, a script, an image); `inspect(page, name)` checks the
/// page as it stands (and, given `lang`, that it is all in that language) and
/// saves `{nn}-{name}.png` into `dir`; `problems` lists what failed. Given
/// `forbidden` (raw codes: a document type's `certificat-urbanism`), none may
/// show in the page's visible text.
export function inspector(dir, log, { lang, forbidden = [] } = {}) {
  const problems = [];
  const screenshots = [];
  let failed = [];
  let n = 0;
  // A document answering 4xx is a page too (a refused form); the page's own
  // fetches (the PDF preview, the upload) are checked where they are made.
  const subresource = (r) => !['document', 'fetch', 'xhr'].includes(r.resourceType());
  return {
    problems,
    screenshots,
    watch(page) {
      page.on('response', (r) => {
        if (r.status() >= 400 && subresource(r.request())) failed.push(`${r.status()} ${r.url()}`);
      });
      // A request the browser abandons because the journey moved on (a favicon
      // still loading) is no failure of the page.
      page.on('requestfailed', (r) => {
        const why = r.failure()?.errorText ?? 'failed';
        if (subresource(r) && why !== 'net::ERR_ABORTED') failed.push(`${why} ${r.url()}`);
      });
    },
    async inspect(page, name) {
      n += 1;
      const label = `${String(n).padStart(2, '0')}-${name}`;
      const where = new URL(page.url()).pathname;
      const broken = [...failed, ...(await emptyStylesheets(page))];
      failed = [];
      if (broken.length > 0) {
        problems.push(`${label} (${where}): what the page needs did not load\n${broken.map((b) => `      ${b}`).join('\n')}`);
      }
      // The payment provider's hosted page is the provider's, in its language.
      if (lang && !where.startsWith('/sandbox/pay/')) {
        const wrong = await languageProblems(page, lang);
        if (wrong.length > 0) {
          problems.push(`${label} (${where}): not all in "${lang}"\n${wrong.map((w) => `      ${w}`).join('\n')}`);
        }
      }
      if (forbidden.length > 0) {
        const text = await page.evaluate(() => document.body.innerText);
        const word = (f) => new RegExp(`(?<![\\p{L}\\p{N}_-])${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_-])`, 'u');
        const shown = forbidden.filter((f) => word(f).test(text));
        if (shown.length > 0) problems.push(`${label} (${where}): shows the raw code(s) ${shown.join(', ')}`);
      }
      const violations = await axeViolations(page);
      if (violations.length > 0) {
        problems.push(
          `${label} (${where}): ${violations.length} axe violation(s)\n${violations.map(describeViolation).join('\n')}`,
        );
      }
      const { over, culprits } = await overflowAt320(page);
      if (over > 0) {
        problems.push(
          `${label} (${where}): scrolls ${over} px sideways at ${REFLOW_WIDTH} px wide\n${culprits.map((c) => `      ${c}`).join('\n')}`,
        );
      }
      const file = path.join(dir, `${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      screenshots.push(file);
      log(`${label} ${where}: ${violations.length} axe violation(s), ${Math.max(over, 0)} px overflow at ${REFLOW_WIDTH}`);
    },
  };
}

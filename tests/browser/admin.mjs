// A town hall's administrator (issue 19, item 7) in headless Chromium, by the links
// a person follows: signs in at the desk, opens the administration, goes through
// every page of it (document types, departments, officials, branding, quotas), builds
// a new document type in the editor's form (the title in three languages, four
// fields of different kinds, one moved up, one removed, a deadline, the first
// department), reads the preview, saves and sees the confirmation, opens the JSON
// import and a refused one, asks to deactivate a type and cancels; then reads the
// translated pages in Hungarian. Meanwhile a citizen, in a browser of their own on
// a phone, finds the new service on the institution's page, creates an account and
// opens its form: the fields in the order chosen, with their Romanian labels.
// Every administration page is checked by inspect.mjs (axe-core WCAG 2.1 AA, reflow
// at 320 px, a screenshot) at 1280 px, and once more as a whole page at 320 px.
//
//   node admin.mjs BASE_URL ARTIFACTS_DIR CONFIG_JSON
//
// CONFIG_JSON (written by tests/tests/api/browser_admin.rs):
//   { "institution": "alfa", "admin": {"username", "password"},
//     "type": {"code", "titles": {"ro", "hu", "en"}, "deadline_days": "20",
//              "first_department": "urbanism", "first_department_name": "Direcția Urbanism",
//              "fields": [{"name", "kind", "label", "options"?}, ...],   (four, added in order)
//              "move_up": 2, "remove": 2,        (indexes, applied in that order)
//              "expected": [{"name", "label"}, ...]},                   (the form after both)
//     "account": {"name", "phone", "phone_e164", "password"} }
// On success the last line is `RESULT {json}` (the type's saved path, the citizen
// form's labels, the screenshots); on failure, or when any page failed a check, the
// exit code is 1 and every problem is printed.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  JourneyError,
  check,
  failJourney,
  finishJourney,
  confirmAccount,
  launch,
  noAlert,
  pathOf,
  register,
  scriptArgs,
  submit,
} from './common.mjs';
import { inspector, languageProblems } from './inspect.mjs';

const { base, artifacts, config } = await scriptArgs('admin.mjs');
const ty = config.type;
const started = Date.now();
const log = (msg) => console.log(`[admin +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const { inspect, problems, screenshots, watch } = inspector(artifacts, log);
const result = { screenshots };

/// Follows the first link `selector` matches and waits for the page.
async function follow(page, selector, what) {
  const link = page.locator(selector).first();
  check((await link.count()) === 1, `${what}: no link ${selector} on ${page.url()}`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
}

/// Follows the administration's menu entry `name` to `expected`.
async function menu(page, name, expected) {
  const nav = page.getByRole('navigation', { name: 'Administrare' });
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    nav.getByRole('link', { name, exact: true }).click(),
  ]);
  check(pathOf(page) === expected, `the menu's "${name}" opened ${page.url()}, not ${expected}`);
  await noAlert(page, name);
}

/// A whole page at 320 px, as a phone shows it (the inspector measures the
/// overflow; this is the picture to look at).
async function phoneShot(page, name) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const file = path.join(artifacts, `320-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
  await page.setViewportSize(size);
}

/// The editor's field names, in the order the form shows them.
async function fieldNames(page) {
  return page.locator('input[id$="_name"][id^="f"]').evaluateAll((inputs) => inputs.map((i) => i.value));
}

/// Presses the editor's button `op` (its `value`) and waits for the page again.
async function press(page, op) {
  const button = page.locator(`form[novalidate] button[name="op"][value="${op}"]:not(.visually-hidden)`);
  check((await button.count()) === 1, `the editor has no button ${op}`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/// Adds a field of `f.kind` and fills it in; the editor names it `camp_N` until
/// it is given a name.
async function addField(page, i, f) {
  await page.locator('#new_kind').selectOption(f.kind);
  await press(page, 'add');
  await noAlert(page, `adding field ${i + 1}`);
  const names = await fieldNames(page);
  check(names.length === i + 1, `after adding field ${i + 1} the form has ${names.length} fields`);
  check(
    (await page.locator(`#f${i}_kind`).inputValue()) === f.kind,
    `field ${i + 1} was added as ${await page.locator(`#f${i}_kind`).inputValue()}, not ${f.kind}`,
  );
  await page.locator(`#f${i}_name`).fill(f.name);
  await page.locator(`#f${i}_label_ro`).fill(f.label);
  if (f.options) await page.locator(`#f${i}_options`).fill(f.options.join('\n'));
}

/// The citizen's side: the new service on the institution's page, an account,
/// its form on a phone. Returns the form's labels in order.
async function citizen(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ro-RO' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  try {
    const r = await page.goto(`${base}/institutions/${config.institution}`);
    check(r?.ok(), `the institution's page answered ${r?.status()}`);
    const card = page.locator(`li.card#${ty.code}`);
    check((await card.count()) === 1, `the institution's page does not offer ${ty.code}`);
    const cardText = await card.innerText();
    check(cardText.includes(ty.titles.ro), `the service's card lacks its title "${ty.titles.ro}":\n${cardText}`);
    await page.screenshot({ path: path.join(artifacts, 'citizen-1-institution.png'), fullPage: true });
    screenshots.push(path.join(artifacts, 'citizen-1-institution.png'));
    const apply = `#${ty.code} a[href^="/portal/new/${config.institution}/${ty.code}"]`;
    await follow(page, apply, 'applying online');
    if (pathOf(page) === '/portal/login') await follow(page, 'main a[href^="/portal/register"]', 'creating an account');
    await register(page, config.account);
    await confirmAccount(page, base, config.account.phone_e164);
    const formPath = `/portal/new/${config.institution}/${ty.code}`;
    if (pathOf(page) !== formPath) {
      await page.goto(`${base}/institutions/${config.institution}`);
      await follow(page, apply, 'applying online, signed in');
    }
    check(pathOf(page) === formPath, `the citizen expected the form, got ${page.url()}`);
    const form = page.locator('form[enctype="multipart/form-data"]');
    const labels = await form.locator('label[for^="f_"]').evaluateAll((ls) =>
      ls.map((l) => ({ for: l.getAttribute('for'), text: l.innerText.replace(/\s*\*$/, '').trim() })),
    );
    const file = path.join(artifacts, 'citizen-2-form.png');
    await page.screenshot({ path: file, fullPage: true });
    screenshots.push(file);
    return labels;
  } finally {
    await context.close();
  }
}

const browser = await launch();
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ro-RO' });
  context.setDefaultTimeout(30_000);
  page = await context.newPage();
  watch(page);

  // 1. Sign in at the desk, as every official does, and open the administration.
  let r = await page.goto(`${base}/desk/login`);
  check(r?.ok(), `GET /desk/login answered ${r?.status()}`);
  const login = page.locator('form[action="/desk/login"]');
  await login.locator('select[name="institution"]').selectOption(config.institution);
  await login.locator('input[name="username"]').fill(config.admin.username);
  await login.locator('input[name="password"]').fill(config.admin.password);
  await submit(page, login);
  await noAlert(page, 'signing in');
  await follow(page, 'header a[href="/admin"]', 'the administration');
  check(pathOf(page) === '/admin', `"Administrare" opened ${page.url()}`);
  await inspect(page, 'admin-home');
  await phoneShot(page, 'admin-home');

  // 2. Every page of the menu.
  for (const [name, where, shot] of [
    ['Departamente', '/admin/departments', 'departments'],
    ['Funcționari', '/admin/officials', 'officials'],
    ['Identitate vizuală', '/admin/branding', 'branding'],
    ['Cine a deschis dosarele', '/admin/access', 'access'],
    ['Arhivă', '/admin/archive', 'archive'],
    ['Păstrare', '/admin/retention', 'retention'],
    ['Limite de cereri online', '/admin/quotas', 'quotas'],
  ]) {
    await menu(page, name, where);
    await inspect(page, shot);
    await phoneShot(page, shot);
  }
  // A refused form is a page too: a quota of 0.
  await page.locator('#account_hour').fill('0');
  await submit(page, page.locator('main form[action="/admin/quotas"]'));
  check((await page.getByRole('alert').count()) > 0, 'a quota of 0 was not refused');
  await inspect(page, 'quotas-refused');

  // 3. The document types, and a new one in the editor.
  await menu(page, 'Tipuri de documente', '/admin/document-types');
  await inspect(page, 'document-types');
  await phoneShot(page, 'document-types');
  await follow(page, 'main a[href="/admin/document-types/new"]', 'adding a document type');
  check(pathOf(page) === '/admin/document-types/new', `"add" opened ${page.url()}`);
  await inspect(page, 'editor-new');
  // Saved empty: every problem named, nothing saved.
  await press(page, 'save');
  check((await page.getByRole('alert').count()) > 0, 'an empty type was not refused');
  await inspect(page, 'editor-refused');
  await page.locator('#code').fill(ty.code);
  await page.locator('#title_ro').fill(ty.titles.ro);
  await page.locator('#title_hu').fill(ty.titles.hu);
  await page.locator('#title_en').fill(ty.titles.en);
  await page.locator('#deadline_days').fill(ty.deadline_days);
  await page.getByLabel('zile lucrătoare', { exact: true }).check();
  await page.getByLabel('Primul departament', { exact: true }).selectOption({ label: ty.first_department_name });
  await page.getByLabel('Fără semnătură', { exact: true }).check();
  await page.locator('#fee_lei').fill('0');
  for (const [i, f] of ty.fields.entries()) await addField(page, i, f);
  const added = ty.fields.map((f) => f.name);
  check((await fieldNames(page)).join() === added.join(), `the fields are ${await fieldNames(page)}, not ${added}`);
  await inspect(page, 'editor-four-fields');

  // Move one up, remove one: by their buttons, named for screen readers.
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: `Mută mai sus (Câmpul ${ty.move_up + 1})`, exact: true }).click(),
  ]);
  const moved = [...added];
  [moved[ty.move_up - 1], moved[ty.move_up]] = [moved[ty.move_up], moved[ty.move_up - 1]];
  check((await fieldNames(page)).join() === moved.join(), `after moving up: ${await fieldNames(page)}, not ${moved}`);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: `Elimină câmpul (Câmpul ${ty.remove + 1})`, exact: true }).click(),
  ]);
  const expected = ty.expected.map((f) => f.name);
  check((await fieldNames(page)).join() === expected.join(), `after removing: ${await fieldNames(page)}, not ${expected}`);
  await noAlert(page, 'moving and removing');

  // The preview shows the citizen's form: the title and the labels in order.
  await press(page, 'refresh');
  const preview = page.locator('section[aria-labelledby="preview"]');
  check((await preview.locator('h3').innerText()) === ty.titles.ro, 'the preview does not show the title');
  const previewLabels = await preview.locator('label').allInnerTexts();
  const wanted = ty.expected.map((f) => f.label);
  check(
    previewLabels.map((l) => l.replace(/\s*\*$/, '')).join('|') === wanted.join('|'),
    `the preview shows ${previewLabels.join(' | ')}, not ${wanted.join(' | ')}`,
  );
  await inspect(page, 'editor-preview');
  await phoneShot(page, 'editor-preview');

  // 4. Save: the confirmation.
  await press(page, 'save');
  await noAlert(page, 'saving the type');
  check(pathOf(page) === `/admin/document-types/${ty.code}`, `saving landed on ${page.url()}`);
  const status = await page.getByRole('status').innerText();
  check(status === 'Tipul de document a fost creat.', `the confirmation says "${status}"`);
  result.saved = pathOf(page);
  await inspect(page, 'editor-saved');

  // 5. The JSON import, opened; a refused import explains itself.
  await page.locator('details summary', { hasText: 'definiția ca JSON' }).click();
  await inspect(page, 'json-import');
  await phoneShot(page, 'json-import');
  await page.locator('#definition').fill('{"code": "x", }');
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('button[value="import"]').click(),
  ]);
  check((await page.getByRole('alert').count()) > 0, 'a broken JSON import was not refused');
  await inspect(page, 'json-import-refused');

  // 6. Deactivating a type asks first; cancelled, nothing changes.
  await menu(page, 'Tipuri de documente', '/admin/document-types');
  const listed = await page.getByRole('main').innerText();
  check(listed.includes(ty.titles.ro), `the list lacks the new type:\n${listed}`);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: `Dezactivează ${ty.titles.ro}`, exact: true }).click(),
  ]);
  await inspect(page, 'deactivate-confirm');
  await follow(page, 'main a[href="/admin/document-types"]', 'cancelling');

  // 7. The translated pages, in Hungarian: the language link, then the menu.
  await follow(page, 'a[hreflang="hu"]', 'the pages in Hungarian');
  check((await page.getAttribute('html', 'lang')) === 'hu', `the page is not in Hungarian (${page.url()})`);
  await mkdir(path.join(artifacts, 'hu'), { recursive: true });
  const hu = inspector(path.join(artifacts, 'hu'), log, { lang: 'hu' });
  for (const [where, shot] of [
    ['/admin', 'admin-home'],
    ['/admin/departments', 'departments'],
    ['/admin/officials', 'officials'],
    ['/admin/branding', 'branding'],
    ['/admin/quotas', 'quotas'],
    ['/admin/access', 'access'],
    ['/admin/archive', 'archive'],
    ['/admin/retention', 'retention'],
  ]) {
    if (pathOf(page) !== where) await follow(page, `header nav a[href="${where}"]`, `${shot} in Hungarian`);
    await hu.inspect(page, shot);
  }
  problems.push(...hu.problems);
  screenshots.push(...hu.screenshots);
  // The editor, whose JSON box holds codes on purpose, is checked for words only.
  await follow(page, 'header nav a[href="/admin/document-types"]', 'the types in Hungarian');
  const wrong = await languageProblems(page, 'hu');
  if (wrong.length > 0) problems.push(`document types in Hungarian:\n${wrong.map((w) => `      ${w}`).join('\n')}`);

  // 8. The citizen, in a browser of their own.
  result.citizen_labels = await citizen(browser);
  const seen = result.citizen_labels.map((l) => `${l.for}: ${l.text}`).join(' | ');
  const meant = ty.expected.map((f) => `f_${f.name}: ${f.label}`).join(' | ');
  check(seen === meant, `the citizen's form shows ${seen}; expected ${meant}`);
  log(`the citizen's form: ${seen}`);

  await finishJourney(browser, problems, result);
} catch (e) {
  await failJourney(browser, page, artifacts, problems, e);
}

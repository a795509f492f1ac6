// The portal's enhancements; every page works without them.
// - A form's error summary gets the focus when the page opens, so a screen
//   reader reads it first; a link in it focuses its field.
// - A photo chosen for a file field is made smaller on the phone before it
//   is sent (JPEG, longest side 2000 px) when it is larger than the field
//   takes or than 2 MB.
// - A file field that takes PDF also takes several photos at once (the pages
//   of a paper document taken with the phone's camera): they are sent as one
//   PDF, a page each.
// - A multipart form is sent with XMLHttpRequest so a <progress> bar can
//   follow the upload; the answer replaces the page as a normal submission
//   would.
'use strict';
(() => {
  const MAX_SIDE = 2000;
  const QUALITY = 0.8;
  const PHOTO_LIMIT = 2 * 1024 * 1024;

  function focusSummary() {
    const summary = document.querySelector('.error-summary');
    if (!summary) return;
    summary.focus();
    summary.addEventListener('click', (event) => {
      const link = event.target.closest('a[href^="#"]');
      if (!link) return;
      const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) return;
      event.preventDefault();
      const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // The photo `file` as a JPEG whose longest side is at most MAX_SIDE.
  async function downscale(file) {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    if (bitmap.close) bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
    if (!blob) return null;
    const name = `${file.name.replace(/\.[^.]*$/, '') || 'foto'}.jpg`;
    return new File([blob], name, { type: 'image/jpeg', lastModified: Date.now() });
  }

  // Replaces the large photos of `input` by smaller JPEGs, when it takes JPEG.
  async function shrink(input) {
    const accepted = (input.accept || '').split(',').map((t) => t.trim());
    if (!accepted.includes('image/jpeg')) return;
    if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;
    const limit = Math.min(Number(input.dataset.maxBytes) || Infinity, PHOTO_LIMIT);
    const files = new DataTransfer();
    let changed = false;
    for (const file of input.files) {
      let chosen = file;
      if (/^image\/(jpeg|png)$/.test(file.type) && file.size > limit) {
        try {
          const smaller = await downscale(file);
          if (smaller && smaller.size < file.size) {
            chosen = smaller;
            changed = true;
          }
        } catch (_) {
          // A photo the browser cannot read is sent as it is; the server says why if it must.
        }
      }
      files.items.add(chosen);
    }
    if (changed) input.files = files.files;
  }

  // One PDF of `jpegs` (each {bytes, width, height}), a page each, the image
  // fitted inside an A4 page with a 10 mm margin.
  function pdfOf(jpegs) {
    const enc = new TextEncoder();
    const parts = [];
    const offsets = [];
    let length = 0;
    const put = (chunk) => {
      const bytes = typeof chunk === 'string' ? enc.encode(chunk) : chunk;
      parts.push(bytes);
      length += bytes.length;
    };
    const object = (n, body, stream) => {
      offsets[n] = length;
      put(`${n} 0 obj\n${body}\n`);
      if (stream) {
        put('stream\n');
        put(stream);
        put('\nendstream\n');
      }
      put('endobj\n');
    };
    const [W, H, M] = [595.28, 841.89, 28.35];
    put('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
    const kids = jpegs.map((_, i) => `${3 + i * 3} 0 R`).join(' ');
    object(1, '<< /Type /Catalog /Pages 2 0 R >>');
    object(2, `<< /Type /Pages /Kids [${kids}] /Count ${jpegs.length} >>`);
    jpegs.forEach((img, i) => {
      const [page, content, image] = [3 + i * 3, 4 + i * 3, 5 + i * 3];
      const scale = Math.min((W - 2 * M) / img.width, (H - 2 * M) / img.height);
      const [w, h] = [img.width * scale, img.height * scale];
      const draw = enc.encode(`q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} ${((W - w) / 2).toFixed(2)} ${((H - h) / 2).toFixed(2)} cm /P Do Q`);
      object(page, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${W} ${H}] /Resources << /XObject << /P ${image} 0 R >> >> /Contents ${content} 0 R >>`);
      object(content, `<< /Length ${draw.length} >>`, draw);
      object(image, `<< /Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${img.bytes.length} >>`, img.bytes);
    });
    const count = 3 + jpegs.length * 3;
    const xref = length;
    put(`xref\n0 ${count}\n0000000000 65535 f \n`);
    for (let n = 1; n < count; n += 1) put(`${String(offsets[n]).padStart(10, '0')} 00000 n \n`);
    put(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
    return new Blob(parts, { type: 'application/pdf' });
  }

  // The photo `file` as JPEG bytes with its size (longest side MAX_SIDE).
  async function jpegOf(file) {
    const small = await downscale(file);
    if (!small) throw new Error('unreadable photo');
    const bitmap = await createImageBitmap(small);
    const out = { bytes: new Uint8Array(await small.arrayBuffer()), width: bitmap.width, height: bitmap.height };
    if (bitmap.close) bitmap.close();
    return out;
  }

  // Several photos chosen at once for a field that takes PDF become one PDF.
  async function pagesToPdf(input) {
    const photos = [...input.files];
    if (photos.length < 2 || !photos.every((f) => /^image\/(jpeg|png)$/.test(f.type))) return false;
    const jpegs = [];
    for (const photo of photos) jpegs.push(await jpegOf(photo));
    const files = new DataTransfer();
    files.items.add(new File([pdfOf(jpegs)], 'pagini.pdf', { type: 'application/pdf', lastModified: Date.now() }));
    input.files = files.files;
    return true;
  }

  const PAGES_HINT = {
    ro: 'Puteți alege mai multe fotografii deodată: le trimitem ca un singur PDF, câte o pagină pentru fiecare.',
    hu: 'Egyszerre több fényképet is választhat: egyetlen PDF-ként küldjük el, mindegyiket külön oldalon.',
    en: 'You can choose several photos at once: we send them as one PDF, a page for each.',
  };

  // A field that takes PDF and photos takes several photos at once.
  function allowPages(input) {
    const accepted = (input.accept || '').split(',').map((t) => t.trim());
    if (!accepted.includes('application/pdf') || !accepted.includes('image/jpeg')) return;
    if (!window.createImageBitmap || !window.DataTransfer || !window.TextEncoder) return;
    input.multiple = true;
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.id = `${input.id}-pages`;
    hint.textContent = PAGES_HINT[document.documentElement.lang] || PAGES_HINT.ro;
    input.before(hint);
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${hint.id}`.trim());
  }

  function enhanceForm(form) {
    const pending = new Set();
    for (const input of form.querySelectorAll('input[type="file"]')) {
      allowPages(input);
      input.addEventListener('change', () => {
        const job = pagesToPdf(input)
          .catch(() => false)
          .then((merged) => (merged ? undefined : shrink(input)))
          .finally(() => pending.delete(job));
        pending.add(job);
      });
    }
    form.addEventListener('submit', (event) => {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      const button = form.querySelector('[type="submit"]');
      const bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', document.documentElement.lang === 'hu' ? 'Feltöltés' :
        document.documentElement.lang === 'en' ? 'Uploading' : 'Se încarcă');
      form.insertBefore(bar, button);
      if (button) button.disabled = true;
      Promise.all([...pending]).then(() => send(form, bar));
    });
  }

  function send(form, bar) {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action || window.location.href);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener('load', () => {
      // Kept for the tab: how far the last upload's bar got (the browser test reads it).
      try { sessionStorage.setItem('ghiseu-upload-progress', String(bar.value)); } catch (_) {}
      const target = xhr.responseURL;
      if (target && new URL(target).pathname !== new URL(form.action || window.location.href, window.location.href).pathname) {
        window.location.assign(target);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    // A network failure: fall back to the browser's own submission.
    xhr.addEventListener('error', () => form.submit());
    xhr.send(new FormData(form));
  }

  function start() {
    focusSummary();
    for (const form of document.querySelectorAll('form[enctype="multipart/form-data"]')) {
      if (form.querySelector('input[type="file"]')) enhanceForm(form);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();

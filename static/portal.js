// The portal's enhancements; every page works without them.
// - A form's error summary gets the focus when the page opens, so a screen
//   reader reads it first; a link in it focuses its field.
// - A photo chosen for a file field is made smaller on the phone before it
//   is sent (JPEG, longest side 2000 px) when it is larger than the field
//   takes or than 2 MB.
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

  function enhanceForm(form) {
    const pending = new Set();
    for (const input of form.querySelectorAll('input[type="file"]')) {
      input.addEventListener('change', () => {
        const job = shrink(input).finally(() => pending.delete(job));
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

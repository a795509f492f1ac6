// Upload progress for the portal's file forms (everything works without it).
// A multipart form is sent with XMLHttpRequest so a <progress> bar can follow
// the upload; the answer replaces the page as a normal submission would.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[enctype="multipart/form-data"]')) {
    if (!form.querySelector('input[type="file"]')) continue;
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
    });
  }
});

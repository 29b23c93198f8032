// Small page behaviour shared by every page; htmx does the rest.
document.addEventListener("htmx:beforeSwap", (event) => {
  // When the session has expired, an htmx request ends on the sign-in page (the gate
  // redirects it): show that page whole instead of pasting it inside the tree or results.
  const xhr = event.detail.xhr;
  const loginPath = document.body.dataset.loginUrl;
  if (loginPath && xhr.responseURL && new URL(xhr.responseURL).pathname === loginPath) {
    event.detail.shouldSwap = false;
    window.location.assign(xhr.responseURL);
  }
});

// Declared behaviour (the Content-Security-Policy forbids inline handlers, so templates say
// what they want with data attributes and this file does it):
// - data-autosubmit on a field: changing it submits its form (year selectors);
// - data-check-all="NAME" on a checkbox: ticking it ticks every checkbox named NAME of its form.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLElement)) return;
  if (field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
  if (field.matches("input[type=checkbox][data-check-all]") && field.form) {
    const name = field.dataset.checkAll;
    for (const box of field.form.querySelectorAll("input[type=checkbox]")) {
      if (box.name === name) box.checked = field.checked;
    }
  }
});

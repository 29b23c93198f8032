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

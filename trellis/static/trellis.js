// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});

// The letter page's "Print this letter" button: shown only where this script runs, since
// the CSP allows no inline script. Without it the page says how to print from the browser.
for (const button of document.querySelectorAll("[data-print-button]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

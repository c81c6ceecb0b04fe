// The letter page's "Print this letter" button: shown only where this script runs, since
// the CSP allows no inline script. Without it the page says how to print from the browser.
for (const button of document.querySelectorAll("[data-print-button]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// Printing opens every <details> ("How this is calculated", "How to read these charts"), so
// paper never drops them; those closed before are closed again afterwards.
let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  openedForPrint = [...document.querySelectorAll("details:not([open])")];
  for (const details of openedForPrint) details.open = true;
});
window.addEventListener("afterprint", () => {
  for (const details of openedForPrint) details.open = false;
  openedForPrint = [];
});

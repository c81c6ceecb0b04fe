// Starts the NHS.UK frontend components on every page.
// Loaded with <script type="module">, so browsers too old for ES modules never run it and keep
// the plain HTML versions of the components (the CSS keys its enhanced styles on these classes).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

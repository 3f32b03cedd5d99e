// Keeps the permalink under the slug field in step with it. The admin's prepopulate.js
// fills the slug from the title without an input event, so the title's keys count too.
"use strict";
{
    const refresh = () => {
        for (const output of document.querySelectorAll("output[data-permalink-slug]")) {
            const slug = document.getElementById(output.dataset.permalinkSlug);
            if (slug) output.textContent = slug.value;
        }
    };
    for (const type of ["input", "keyup", "change"]) {
        // After prepopulate.js, whose handlers run first on the title itself.
        document.addEventListener(type, () => window.setTimeout(refresh));
    }
}

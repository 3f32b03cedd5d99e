// Relabels the article's Publish button as the publication time is typed: "Schedule" for a
// time in the future, "Publish" (or "Update") otherwise. Only a hint: the server decides
// what pressing it does, and says so in the message after saving (blog/admin.py).
"use strict";
// Loaded in the head with the admin's media: the form is there once the document is parsed.
document.addEventListener("DOMContentLoaded", () => {
    const button = document.querySelector("button[data-label-future]");
    const date = document.getElementById("id_published_at_0");
    const time = document.getElementById("id_published_at_1");
    if (button && date && time) {
        // Wall-clock times in the site's time zone, both read as UTC so that the browser's
        // own time zone plays no part; the time since loading keeps "now" moving.
        const loaded = Date.now();
        const siteNow = Date.parse(`${button.dataset.siteNow}Z`);
        const typed = () => {
            const day = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.value.trim());
            const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time.value.trim());
            if (!day || !clock) return null;
            return Date.UTC(+day[1], +day[2] - 1, +day[3], +clock[1], +clock[2], +(clock[3] || 0));
        };
        const served = { label: button.textContent, date: date.value, time: time.value };
        const relabel = () => {
            if (date.value === served.date && time.value === served.time) {
                button.textContent = served.label; // untouched: the server's label, with its time
                return;
            }
            if (!date.value.trim() && !time.value.trim()) {
                button.textContent = button.dataset.labelNow; // no time: publishing means now
                return;
            }
            const when = typed();
            if (when === null || Number.isNaN(siteNow)) return; // unreadable: keep the server's label
            const future = when > siteNow + (Date.now() - loaded);
            button.textContent = future ? button.dataset.labelFuture : button.dataset.labelNow;
        };
        // The calendar and clock shortcuts set the fields without an input event: a click
        // anywhere re-reads them, after the shortcut's own handler.
        for (const type of ["input", "change", "click"]) {
            document.addEventListener(type, () => window.setTimeout(relabel));
        }
    }
});

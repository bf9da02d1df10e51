// The few things Blazor cannot ask the browser for itself.
window.stoa = {
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,

    // Dark or light: the choice remembered in this browser, else the system's (prefers-color-scheme).
    theme: {
        isDark: () => {
            const chosen = localStorage.getItem("stoa-theme");
            return chosen ? chosen === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
        },
        remember: dark => localStorage.setItem("stoa-theme", dark ? "dark" : "light"),
    },

    // Starts a download the browser streams to disk (never held in the page): a hidden frame opens the
    // export URL, whose attachment becomes a download; the page follows it from the server (ExportDownloads).
    download: url => {
        const frame = document.createElement("iframe");
        frame.hidden = true;
        frame.title = "download";
        frame.src = url;
        document.body.appendChild(frame);
        setTimeout(() => frame.remove(), 3600000);
    },
};

// A table wider than the screen (a phone) scrolls sideways inside its container: such a container takes the keyboard's
// focus and is named, so it can be scrolled without a mouse (WCAG's scrollable-region-focusable). Checked whenever the
// page's layout or content changes.
(() => {
    const mark = () => document.querySelectorAll(".mud-table-container").forEach(container => {
        const wide = container.scrollWidth > container.clientWidth + 1;
        if (wide && !container.hasAttribute("tabindex")) {
            container.tabIndex = 0;
            container.setAttribute("role", "region");
            container.setAttribute("aria-label", "Table, scrolls sideways");
        } else if (!wide && container.getAttribute("aria-label") === "Table, scrolls sideways") {
            ["tabindex", "role", "aria-label"].forEach(a => container.removeAttribute(a));
        }
    });
    let queued = false;
    const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; mark(); }); } };
    const start = () => {
        new ResizeObserver(soon).observe(document.documentElement);
        new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
        soon();
    };
    if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();

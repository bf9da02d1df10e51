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

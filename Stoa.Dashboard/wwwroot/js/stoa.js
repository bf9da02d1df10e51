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

    // Downloads an export with the session cookie, reporting bytes and lines (rows of CSV/NDJSON)
    // to .NET as they arrive, then hands the file to the browser under the server's file name.
    download: async (url, progress) => {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) {
            const text = await response.text();
            let detail = text;
            try { detail = JSON.parse(text).detail ?? text; } catch { }
            return { ok: false, status: response.status, error: detail };
        }
        const disposition = response.headers.get("Content-Disposition") || "";
        const name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || "export";
        const reader = response.body.getReader();
        const chunks = [];
        let bytes = 0, lines = 0, last = 0;
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            bytes += value.length;
            for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
            const now = performance.now();
            if (now - last > 250) { last = now; await progress.invokeMethodAsync("Progress", bytes, lines); }
        }
        await progress.invokeMethodAsync("Progress", bytes, lines);
        const blob = new Blob(chunks, { type: response.headers.get("Content-Type") || "application/octet-stream" });
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = name;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60000);
        return { ok: true, status: response.status, name: name, bytes: bytes };
    },
};

// The few things Blazor cannot ask the browser for itself.
window.stoa = {
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
};

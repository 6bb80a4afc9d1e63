// The printable evidence page: its one button (the page is server-rendered; no inline script by CSP).
document.getElementById('imprimir')?.addEventListener('click', () => window.print());

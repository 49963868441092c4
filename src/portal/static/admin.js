// hostpass administration pages: the few things that need script, loaded as a file (the CSP
// forbids inline script). Everything works without it; this adds copying commands to the
// clipboard and live progress for long operations instead of reloading the page.

(() => {
  function setUpCopyButtons() {
    for (const button of document.querySelectorAll("[data-copy]")) {
      const source = document.getElementById(button.getAttribute("data-copy"));
      if (source === null || !navigator.clipboard) continue;
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(source.textContent.trim());
          button.textContent = "Copied";
        } catch {
          button.textContent = "Select and copy";
        }
        setTimeout(() => {
          button.textContent = "Copy";
        }, 2000);
      });
    }
  }

  // A [data-progress] element names a JSON status URL; it is polled until its state is final,
  // and the page is reloaded once then (so everything on it is current).
  function followProgress() {
    const box = document.querySelector("[data-progress]");
    if (box === null) return;
    const url = box.getAttribute("data-progress");
    const state = box.querySelector("[data-state]");
    let delay = 1000;
    async function poll() {
      try {
        const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (res.ok) {
          const body = await res.json();
          if (state !== null && typeof body.state === "string") state.textContent = body.state;
          if (body.final === true) {
            window.location.reload();
            return;
          }
        }
      } catch {
        // A failed poll is retried with the next one.
      }
      delay = Math.min(delay * 1.5, 5000);
      setTimeout(poll, delay);
    }
    setTimeout(poll, delay);
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpCopyButtons();
    followProgress();
  });
})();

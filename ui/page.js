// reportbot's page script (in <head>): a marker [n] shows its own answer's sources, a
// quote (or "Open in report") opens the whole report at that place and a marked span
// there shows its source, each answer gets a copy button, and screen readers get text
// instead of markup.
(() => {
  const lang = () => document.documentElement.dataset.rbLang === "zh" ? "zh" : "en";
  const COPY = {en: ["Copy", "Copied"], zh: ["复制", "已复制"]};

  // A marker links to #src-<answer>-<n>: show that answer's section of the sources panel
  // (the others are hidden), scroll the panel to the passage and flash it. A plain anchor
  // jump would scroll the whole page and could land in a hidden section.
  function showSource(id) {
    const target = document.getElementById(id);
    if (!target) return false;
    const section = target.closest("section.rb-turn");
    if (section) {
      for (const other of section.parentElement.children) other.hidden = other !== section;
    }
    target.scrollIntoView({behavior: "smooth", block: "nearest"});
    flash(target);
    return true;
  }

  function flash(element) {
    element.classList.remove("rb-flash");
    void element.offsetWidth;
    element.classList.add("rb-flash");
  }

  // The reader is rendered by the server: the script asks for it through a hidden
  // textbox (#rb-open-request), and once it is shown, rbReaderGo scrolls to the passage.
  function openInReport(article) {
    const box = document.querySelector("#rb-open-request textarea, #rb-open-request input");
    if (!box || !article) return false;
    const id = article.id.replace(/^src-/, "rd-");
    box.value = JSON.stringify({source: article.dataset.source, id, at: Date.now()});
    box.dispatchEvent(new Event("input", {bubbles: true}));
    return true;
  }

  window.rbReaderGo = (request) => {
    let id;
    try { id = JSON.parse(request).id; } catch (error) { return; }
    const ref = String(id).replace(/^rd-/, "");
    const started = Date.now();
    const go = () => {
      const anchor = document.getElementById(id);
      if (!anchor) {
        if (Date.now() - started < 3000) requestAnimationFrame(go);
        return;
      }
      anchor.scrollIntoView({behavior: "smooth", block: "center"});
      for (const mark of document.querySelectorAll(`#rb-reader-body mark[data-cites~="${ref}"]`)) {
        flash(mark);
      }
    };
    go();
  };

  async function copyAnswer(button) {
    const answer = button.parentElement;
    const text = [...answer.childNodes].filter((n) => n !== button)
      .map((n) => n.innerText ?? n.textContent).join("").trim();
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {  // no clipboard permission: the old way
      const area = Object.assign(document.createElement("textarea"), {value: text});
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = COPY[lang()][1];
    setTimeout(() => { button.textContent = COPY[lang()][0]; }, 1500);
  }

  document.addEventListener("click", (event) => {
    if (!event.target.closest) return;
    const copy = event.target.closest("button.rb-copy");
    const link = event.target.closest("a.rb-marker");
    const opener = event.target.closest("#rb-sources .rb-open, #rb-sources mark.rb-quote");
    const cited = event.target.closest("#rb-reader-body mark.rb-cited");
    if (copy) copyAnswer(copy);
    else if (link) {
      if (!showSource((link.getAttribute("href") || "").slice(1))) return;
    } else if (opener) {
      if (!openInReport(opener.closest("article.rb-source"))) return;
    } else if (cited) {
      if (!showSource(`src-${cited.dataset.cites.split(" ")[0]}`)) return;
    } else return;
    event.preventDefault();
    event.stopPropagation();
  }, true);

  // Gradio labels each chat message with its raw content, which here is markup: label it
  // with the text a reader sees instead. Finished answers get a copy button.
  function tidy() {
    for (const el of document.querySelectorAll("[aria-label*='<']")) {
      el.setAttribute("aria-label", (el.innerText || el.textContent || "").trim().slice(0, 500));
    }
    const done = "#rb-chat .rb-answer:not(:has(.rb-caret, .rb-copy)), " +
      "#rb-chat .rb-notfound:not(:has(.rb-caret, .rb-copy))";
    for (const answer of document.querySelectorAll(done)) {
      const button = Object.assign(document.createElement("button"), {
        type: "button", className: "rb-copy", textContent: COPY[lang()][0],
      });
      answer.appendChild(button);
    }
  }
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; tidy(); });
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"],
  });
})();

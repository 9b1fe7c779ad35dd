// Returns every element or attribute on the page that our own code does not create.
// Run by the XSS test through page.evaluate (CDP, so the page's CSP does not apply to it).
(allowedImages) => {
  const problems = [];
  const origin = window.location.origin;
  const imageOk = (src) => src.startsWith(origin + "/static/") || allowedImages.some((p) => src.startsWith(p));
  const inMessage = { SPAN: ["class", "title"], IMG: ["class", "src", "alt", "title"], TIME: ["class"] };
  const rootAttributes = ["class", "data-event-id", "data-index", "title"];
  const styleOk = (value) => /^--author-color: #[0-9a-fA-F]{3,6};?$/.test(value.trim());

  for (const message of document.querySelectorAll(".message")) {
    for (const attr of message.attributes) {
      if (attr.name === "style" ? !styleOk(attr.value) : !rootAttributes.includes(attr.name)) {
        problems.push("message attribute " + attr.name + "=" + attr.value);
      }
    }
    for (const node of message.querySelectorAll("*")) {
      const allowed = inMessage[node.tagName];
      if (!allowed) { problems.push("element " + node.tagName + " in a message"); continue; }
      for (const attr of node.attributes) {
        if (attr.name === "style" && styleOk(attr.value)) continue;
        if (!allowed.includes(attr.name)) problems.push(node.tagName + " attribute " + attr.name + "=" + attr.value);
      }
      if (node.tagName === "IMG" && !imageOk(node.src)) problems.push("image from " + node.src);
    }
  }
  const forbidden = "iframe, object, embed, frame, frameset, svg, math, style, base, template, noscript, "
    + "video, audio, marquee, details, isindex, textarea, meta[http-equiv], a[href^='javascript' i]";
  for (const node of document.querySelectorAll(forbidden)) problems.push("element " + node.tagName);
  for (const script of document.scripts) {
    if (!script.src.startsWith(origin + "/static/")) problems.push("script " + (script.src || script.textContent.slice(0, 60)));
  }
  for (const link of document.querySelectorAll("link")) {
    if (!link.href.startsWith(origin + "/static/")) problems.push("link " + link.href);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!imageOk(img.src)) problems.push("image from " + img.src);
  }
  if (window.__xss !== undefined) problems.push("window.__xss was set");
  return problems;
}

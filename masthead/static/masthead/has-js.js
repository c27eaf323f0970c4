// Loaded before the page is drawn (not deferred): styles for readers with JavaScript apply
// from the first paint. A file, not an inline script, so the policy allows the site's files only.
document.documentElement.className = "js";

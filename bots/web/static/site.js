// Shows every <time data-local> in the visitor's own time zone and language; without
// scripts the page keeps the campaign's own zone.
document.querySelectorAll("time[data-local]").forEach(function (el) {
  var d = new Date(el.getAttribute("datetime"));
  if (isNaN(d)) return;
  try {
    var f = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
    el.title = el.textContent;
    el.textContent = f.format(d);
  } catch (e) { /* an old browser: keep the campaign's zone */ }
});

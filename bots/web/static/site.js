// Shows every <time data-local> in the visitor's own time zone and language, with
// the zone's name (dateStyle cannot be combined with timeZoneName, so the parts are
// named); without scripts the page keeps the campaign's own zone, named too.
document.querySelectorAll("time[data-local]").forEach(function (el) {
  var d = new Date(el.getAttribute("datetime"));
  if (isNaN(d)) return;
  try {
    var f = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    el.title = el.textContent;
    el.textContent = f.format(d);
  } catch (e) { /* an old browser: keep the campaign's zone */ }
});

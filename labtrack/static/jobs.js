// The job page's progress bar: polls GET /api/v1/jobs/<id> until the job is done or failed, then
// reloads the page to show the outcome. A static file (no inline script), for a strict CSP.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.dataset.url;
  var labels = JSON.parse(box.dataset.labels || "{}");
  var statusEl = document.getElementById("job-status");
  var bar = document.getElementById("job-bar");
  var track = document.getElementById("job-progress");
  var count = document.getElementById("job-count");
  var delay = 1000;

  function show(job) {
    var done = job.progress.done || 0;
    var total = job.progress.total;
    var pct = total ? Math.min(100, Math.floor((100 * done) / total)) : job.status === "done" ? 100 : 0;
    statusEl.textContent = labels[job.status] || job.status;
    bar.style.width = pct + "%";
    bar.textContent = pct + "%";
    track.setAttribute("aria-valuenow", String(pct));
    if (total) {
      count.textContent = box.dataset.of
        .replace("{done}", done.toLocaleString())
        .replace("{total}", total.toLocaleString());
    } else if (job.status === "queued") {
      count.textContent = box.dataset.waiting;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        show(job);
        delay = 1000;
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        count.textContent = box.dataset.lost;
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  if (box.dataset.status === "queued" || box.dataset.status === "running") {
    window.setTimeout(poll, 500);
  }
})();

(function () {
  var form = document.getElementById("upload-form");
  var input = document.getElementById("file-input");
  var progress = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var partSize = Number(form.dataset.partSize) || 1;

  ["dragenter", "dragover"].forEach(function (type) {
    form.addEventListener(type, function (event) { event.preventDefault(); form.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    form.addEventListener(type, function (event) { event.preventDefault(); form.classList.remove("over"); });
  });
  form.addEventListener("drop", function (event) {
    if (event.dataTransfer.files.length) { upload(event.dataTransfer.files[0]); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (input.files.length) { upload(input.files[0]); }
  });

  function show(text, percent) {
    status.textContent = text;
    progress.hidden = percent == null;
    if (percent != null) { progress.value = percent; }
  }

  /// While Discord stores the last parts, the file's stored_parts count tells how far it is.
  function watchStoring(file, done) {
    var expected = Math.max(1, Math.ceil(file.size / partSize));
    var timer = setInterval(function () {
      if (done()) { clearInterval(timer); return; }
      fetch("/api/files", { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (files) {
        var mine = files.filter(function (f) { return f.state === "uploading" && f.name === file.name; })[0];
        if (mine && !done()) { show("Storing on Discord… " + mine.stored_parts + " of " + expected + " parts", 100 * mine.stored_parts / expected); }
      }).catch(function () {});
    }, 1000);
  }

  function upload(file) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    data.append("file", file, file.name);
    var request = new XMLHttpRequest();
    var finished = false;
    request.open("POST", "/files");
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.upload.onprogress = function (event) {
      if (event.lengthComputable) { show("Uploading… " + Math.round(100 * event.loaded / event.total) + "%", 100 * event.loaded / event.total); }
    };
    request.upload.onload = function () {
      show("Storing on Discord…", 100);
      watchStoring(file, function () { return finished; });
    };
    request.onload = function () {
      finished = true;
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (e) {}
      if (request.status >= 200 && request.status < 300) {
        show("Stored " + body.name + " (" + body.parts + " part" + (body.parts === 1 ? "" : "s") + ").", null);
        setTimeout(function () { location.reload(); }, 600);
      } else {
        show("Upload failed: " + (body.error || ("HTTP " + request.status)), null);
      }
    };
    request.onerror = function () { finished = true; show("Upload failed: the connection was lost.", null); };
    show("Uploading… 0%", 0);
    request.send(data);
  }

  document.getElementById("file-rows").addEventListener("click", function (event) {
    var button = event.target.closest("button.delete");
    if (!button || !confirm("Delete this file?")) { return; }
    fetch("/api/files/" + button.dataset.id, { method: "DELETE", headers: { "X-CSRF-Token": csrf } }).then(function (r) {
      if (r.ok) { button.closest("tr").remove(); } else { alert("The file could not be deleted (HTTP " + r.status + ")."); }
    });
  });
})();

(function () {
  // The roster page, kept current by GET /api/staff/roster/events (Server-Sent Events): each event is one
  // member's roster entry as GET /api/staff/roster/ writes it. The browser resumes a broken stream by itself
  // (Last-Event-ID); only when the stream is refused or unavailable does the page fall back to polling.
  var labels = { online: "Online", idle: "Idle", dnd: "Do Not Disturb", offline: "Offline" };
  var filter = new URLSearchParams(location.search).get("status") || "";
  var staff = null;      // the roster's entries, once loaded
  var pending = [];      // events that arrived before the roster did
  var scheduled = false;
  var polling = null;
  function text(value) { var span = document.createElement("span"); span.textContent = value == null ? "" : value; return span.innerHTML; }
  function ago(iso) {
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return "just now";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    return Math.floor(seconds / 86400) + " days ago";
  }
  function when(member, status) {
    if (status === "offline" && member.discord_last_seen) return "last seen " + ago(member.discord_last_seen);
    if (status === "offline" && member.discord_last_seen === null) return "last seen: never";
    return "updated " + (member.discord_status_updated ? ago(member.discord_status_updated) : "never");
  }
  function row(member) {
    var status = labels[member.discord_status] ? member.discord_status : "offline";
    return "<tr data-id=\"" + text(member.id) + "\"><td><a href=\"/staff/" + Number(member.id) + "\">" + text(member.name) + "</a></td><td>" + text(member.rank)
      + "</td><td><span class=\"badge " + status + "\">" + labels[status] + "</span><div class=\"detail\">" + when(member, status)
      + "</div></td><td>"
      + (member.discord_custom_status ? "<div>" + text(member.discord_custom_status) + "</div>" : "")
      + (member.discord_activity ? "<div class=\"detail\">" + text(member.discord_activity) + "</div>" : "") + "</td></tr>";
  }
  function render() {
    scheduled = false;
    var shown = staff.filter(function (m) { return !filter || m.discord_status === filter; });
    document.getElementById("roster-rows").innerHTML = shown.map(row).join("");
    var empty = document.getElementById("roster-empty");
    if (empty) empty.hidden = shown.length > 0;
  }
  function schedule() {
    if (staff && !scheduled) { scheduled = true; requestAnimationFrame(render); }
  }
  function apply(member) {
    for (var i = 0; i < staff.length; i++) {
      if (staff[i].id === member.id) { staff[i] = member; return; }
    }
    staff.push(member);
  }
  function load() {
    return fetch("/api/staff/roster/", { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (entries) {
      staff = entries;
      pending.forEach(apply);
      pending = [];
      schedule();
    });
  }
  function botStatus() {
    fetch("/api/staff/discord/status/").then(function (r) { return r.json(); }).then(function (status) {
      document.getElementById("bot-banner").hidden = status.is_running;
    }).catch(function () {});
  }
  function poll() {
    if (!polling) polling = setInterval(function () { load().catch(function () {}); }, 15000);
  }
  if (window.EventSource) {
    var events = new EventSource("/api/staff/roster/events");
    events.onmessage = function (event) {
      var member = JSON.parse(event.data);
      if (staff) { apply(member); schedule(); } else { pending.push(member); }
    };
    events.onerror = function () { if (events.readyState === EventSource.CLOSED) poll(); };
  } else {
    poll();
  }
  load().catch(function () {});
  setInterval(schedule, 60000);    // "3 min ago" keeps counting
  setInterval(botStatus, 60000);   // the bot's heartbeat, which events do not carry
})();

(function () {
  var labels = { online: "Online", idle: "Idle", dnd: "Do Not Disturb", offline: "Offline" };
  var filter = new URLSearchParams(location.search).get("status") || "";
  function text(value) { var span = document.createElement("span"); span.textContent = value == null ? "" : value; return span.innerHTML; }
  function ago(iso) {
    if (!iso) return "never";
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return "just now";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    return Math.floor(seconds / 86400) + " days ago";
  }
  function row(member) {
    var status = labels[member.discord_status] ? member.discord_status : "offline";
    return "<tr><td><a href=\"/staff/" + Number(member.id) + "\">" + text(member.name) + "</a></td><td>" + text(member.rank) + "</td><td><span class=\"badge " + status + "\">"
      + labels[status] + "</span><div class=\"detail\">updated " + ago(member.discord_status_updated) + "</div></td><td>"
      + (member.discord_custom_status ? "<div>" + text(member.discord_custom_status) + "</div>" : "")
      + (member.discord_activity ? "<div class=\"detail\">" + text(member.discord_activity) + "</div>" : "") + "</td></tr>";
  }
  function refresh() {
    fetch("/api/staff/roster/", { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (staff) {
      var shown = staff.filter(function (m) { return !filter || m.discord_status === filter; });
      document.getElementById("roster-rows").innerHTML = shown.map(row).join("");
      var empty = document.getElementById("roster-empty");
      if (empty) empty.hidden = shown.length > 0;
    }).catch(function () {});
    fetch("/api/staff/discord/status/").then(function (r) { return r.json(); }).then(function (status) {
      document.getElementById("bot-banner").hidden = status.is_running;
    }).catch(function () {});
  }
  setInterval(refresh, 15000);
})();

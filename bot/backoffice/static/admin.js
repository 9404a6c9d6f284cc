// Ayo back office: the little JavaScript it needs (no framework, no CDN).
"use strict";

// Demo login buttons: the same session cookie as the web chat's demo picker.
document.querySelectorAll(".demo-login").forEach((button) => {
  button.addEventListener("click", async () => {
    const response = await fetch("/api/local/login/demo", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      credentials: "same-origin",
      body: JSON.stringify({nip: button.dataset.nip}),
    });
    if (response.ok) {
      window.location.href = "/admin";
    } else {
      document.getElementById("loginmsg").textContent = "Gagal masuk / login failed";
    }
  });
});

// A case's conversation refreshes itself while the page is open (new employee messages).
const thread = document.getElementById("thread");
if (thread) {
  const url = `/admin/cases/${thread.dataset.case}/thread`;
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(url, {credentials: "same-origin"});
      if (!response.ok) return;
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const fresh = holder.querySelector("#thread");
      const current = document.getElementById("thread");
      if (fresh && current && fresh.innerHTML !== current.innerHTML) current.replaceWith(fresh);
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  }, 4000);
}

// A page meant for paper (a link code) prints from its own button.
document.querySelectorAll("button.print").forEach((button) => {
  button.addEventListener("click", () => window.print());
});

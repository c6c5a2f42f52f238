// kemopix serve: progressive enhancement only (every page works without it).
// Ugoira: plays the frames from the zip with their exact delays on a canvas. Each frame is due
// at start + the sum of the delays before it, so timer lateness never accumulates.
"use strict";

(function () {
  const players = [];
  window.kemopixUgoira = players;

  function setup(figure) {
    const urls = JSON.parse(figure.dataset.frames || "[]");
    const delays = JSON.parse(figure.dataset.delays || "[]");
    if (!urls.length || urls.length !== delays.length) return;
    const state = { figure: figure, log: [], playing: false, frame: -1, timer: 0 };
    players.push(state);
    Promise.all(urls.map(function (url) {
      const image = new Image();
      image.src = url;
      return image.decode().then(function () { return image; });
    })).then(function (images) {
      const canvas = document.createElement("canvas");
      canvas.width = images[0].naturalWidth;
      canvas.height = images[0].naturalHeight;
      const context = canvas.getContext("2d");
      const fallback = figure.querySelector(".ugoira-fallback");
      if (fallback) fallback.replaceWith(canvas); else figure.prepend(canvas);
      const button = document.createElement("button");
      button.type = "button";
      figure.appendChild(button);
      let nextAt = 0; // when the frame after the current one is due
      function show(k) {
        context.clearRect(0, 0, canvas.width, canvas.height);
        context.drawImage(images[k], 0, 0);
        state.frame = k;
        figure.dataset.frame = String(k);
        state.log.push({ frame: k, t: performance.now() });
        if (state.log.length > 2000) state.log.splice(0, 1000);
      }
      function schedule() {
        state.timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
      }
      function tick() {
        const k = (state.frame + 1) % images.length;
        show(k);
        nextAt += delays[k];
        schedule();
      }
      function play() {
        state.playing = true;
        button.textContent = "Pause";
        show(state.frame < 0 ? 0 : state.frame);
        nextAt = performance.now() + delays[state.frame];
        schedule();
      }
      function pause() {
        state.playing = false;
        button.textContent = "Play";
        clearTimeout(state.timer);
      }
      button.addEventListener("click", function () { if (state.playing) pause(); else play(); });
      play();
    }).catch(function () { /* frames missing: the fallback image stays */ });
  }

  function start() {
    document.querySelectorAll("figure.ugoira[data-frames]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

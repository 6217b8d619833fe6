// Plays the recording from a paragraph or heading, highlights what is playing, j/k move.
(function () {
  var audio = document.getElementById("audio");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-start]"));
  var paragraphs = items.filter(function (el) { return el.classList.contains("para"); });
  var current = -1;

  function start(el) { return parseFloat(el.getAttribute("data-start")); }
  function end(el) { return parseFloat(el.getAttribute("data-end")); }

  function play(el) {
    if (!audio) return;
    audio.currentTime = start(el);
    var playing = audio.play();
    if (playing && playing.catch) playing.catch(function () {});
  }

  function select(index) {
    if (index < 0 || index >= paragraphs.length) return;
    if (current >= 0) paragraphs[current].classList.remove("current");
    current = index;
    var el = paragraphs[current];
    el.classList.add("current");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
    if (audio && !audio.paused) play(el);
  }

  items.forEach(function (el) {
    el.addEventListener("click", function () {
      var index = paragraphs.indexOf(el);
      if (index >= 0) select(index);
      play(el);
    });
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); el.click(); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "AUDIO" || event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "j") select(current + 1);
    if (event.key === "k") select(Math.max(0, current - 1));
  });

  if (!audio) return;
  audio.addEventListener("timeupdate", function () {
    var now = audio.currentTime;
    items.forEach(function (el) {
      el.classList.toggle("playing", now >= start(el) && now < end(el) && !audio.paused);
    });
  });
  audio.addEventListener("error", function () {
    var notice = document.getElementById("no-audio");
    if (notice) notice.hidden = false;
  });
})();

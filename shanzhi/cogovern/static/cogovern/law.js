// Count one play per page view of a legal-publicity video: the first "play" event posts to the item's play URL.
(function () {
  "use strict";
  document.querySelectorAll("video[data-play-url]").forEach(function (video) {
    var counted = false;
    video.addEventListener("play", function () {
      if (counted || !window.fetch) { return; }
      counted = true;
      fetch(video.dataset.playUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": video.dataset.csrf },
      });
    });
  });
})();

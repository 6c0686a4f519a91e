/* PLACEHOLDER of branch live-py, replaced by the live page of branch live-page (its live.js wins
   at merge). It mounts no view: it decodes the frames and exposes window.autograd, so that the
   saved page can be tested before the views exist. */
(function () {
  "use strict";
  var AL = (window.AutogradLive = window.AutogradLive || {});

  AL.mount = function (root, spec, encoded, options) {
    var frames = new AL.Frames(encoded);
    var current = 0;
    var playing = false;
    root.textContent = "Live view: " + spec.title + " (placeholder page: the views come with live.js)";
    function state() {
      var f = frames.count ? frames.frame(current) : null;
      var params = {};
      if (f) spec.params.forEach(function (name, i) { params[name] = f.params[i]; });
      var nodes = f
        ? spec.probe.recorded.map(function (id, i) {
            return { id: id, label: "", op: "", data: f.probe.data[i], grad: f.probe.grad[i] };
          })
        : [];
      return {
        kind: "live", step: f ? f.step : 0, steps: frames.count, caption: "", nodes: nodes,
        loss: f ? f.loss : null, params: params, frame: current, frames: frames.count,
        playing: playing, probe: spec.probe.index, ready: frames.count > 0,
      };
    }
    function goto(k) { current = Math.max(0, Math.min(frames.count - 1, k)); }
    var api = {
      state: state, goto: goto,
      next: function () { goto(current + 1); }, previous: function () { goto(current - 1); },
      play: function () { playing = true; }, pause: function () { playing = false; },
    };
    window.addEventListener("message", function (event) {
      var message = event.data;
      if (message && message.autograd === "live-frame") frames.add(message.frame);
    });
    if (spec.live && typeof EventSource !== "undefined") {
      var source = new EventSource(spec.events || "events");
      source.addEventListener("frame", function (event) { frames.add(JSON.parse(event.data)); });
    }
    AutogradPages.expose(api);
    return { api: api, frames: frames };
  };
})();
